# Sourced by bench/student.sh, bench/lab.sh and bench/floor.sh (not run on its own): what both scripts
# share. The sourcing script sets RUN_PREFIX (its runs' name prefix) and, for poll's
# pause between tries, POLL_PAUSE (empty: none); its own file name starts the messages.
#
# Every object carries the label mobygrade.run=$RUN (and the sweeper's labels) and a
# name prefixed by $RUN; the prunes are filtered by that label ($FILTER); on exit,
# whatever carries the label is removed, and the anonymous volumes recorded in ANON
# (they carry no label) by name.

REDIS_IMAGE="${REDIS_IMAGE:-mobygrade/redis:local}"
APP_IMAGE="${APP_IMAGE:-mobygrade/moby-counter:local}"
RUN="$RUN_PREFIX$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')"
WAIT_S=30
LABELS=(--label "mobygrade.run=$RUN" --label "mobygrade.host=$(hostname)"
        --label "mobygrade.pid=$$" --label "mobygrade.started=$(date +%s)")
FILTER="label=mobygrade.run=$RUN"
ANON=()  # anonymous volumes (no label): removed by name on exit
SCRIPT="$(basename "${BASH_SOURCE[1]}")"

fail() { printf '%s: FAILED: %s\n' "$SCRIPT" "$*" >&2; exit 1; }
cleanup() {
    local ids
    ids="$(docker ps -aq --filter "$FILTER")"
    [[ -z "$ids" ]] || docker rm -f -v $ids >/dev/null
    ids="$(docker network ls -q --filter "$FILTER")"
    [[ -z "$ids" ]] || docker network rm $ids >/dev/null
    ids="$(docker volume ls -q --filter "$FILTER")"
    [[ -z "$ids" ]] || docker volume rm -f $ids >/dev/null
    for v in "${ANON[@]}"; do
        [[ -z "$v" ]] || docker volume rm -f "$v" >/dev/null 2>&1 || true
    done
}
trap cleanup EXIT

# poll WHAT CMD...: CMD until it succeeds (POLL_PAUSE seconds apart), for at most WAIT_S seconds
poll() {
    local what="$1"; shift
    local deadline=$(( $(date +%s) + WAIT_S ))
    until "$@" >/dev/null 2>&1; do
        (( $(date +%s) < deadline )) || fail "timed out waiting for $what"
        [[ -z "${POLL_PAUSE:-}" ]] || sleep "$POLL_PAUSE"
    done
}
