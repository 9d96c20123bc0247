#!/usr/bin/env bash
# The lab "Docker 3 - réseaux et volumes" as a student types it, in one script: the
# handout's docker commands in the handout's order (part 1 networks, part 2 volumes on
# the same redis and app, the stops and the three prunes), nothing the suite adds (no
# isolation attempts, no default-bridge test, no second scenario). The page visits and
# the clicks are curl calls; the only waits are where the app needs one (it connects
# to a new redis), each a bounded polling loop, no fixed sleeps. It is the plain
# baseline that bench/provision.py times the suite against.
#
#   REDIS_IMAGE=mobygrade/redis:local APP_IMAGE=mobygrade/moby-counter:local bash bench/student.sh
#
# On a shared engine it must not touch anyone else's objects: every object carries
# the label mobygrade.run=$RUN (and the sweeper's labels) and a name prefixed by
# $RUN; redis answers to `redis` through `--network-alias` (its name is prefixed);
# ports are ephemeral on 127.0.0.1; the prunes are filtered by the run's label;
# whatever is left (the unlabelled anonymous volumes) is removed on exit, by name.
# One deviation from the handout: `docker stop -t 2` (as the suite) instead of the
# default 10 s, so that the redis on a read-only /data, which ignores SIGTERM, does
# not pad the baseline.
set -euo pipefail

RUN_PREFIX=mgstud
POLL_PAUSE=0.1  # between the polls' tries
# RUN, LABELS, FILTER, ANON, fail, cleanup on exit, poll: shared with bench/lab.sh
# shellcheck source=bench/lab_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lab_common.sh"

n() { printf '%s-%s' "$RUN" "$1"; }
q() { "$@" >/dev/null; }  # a command whose output the student reads on screen
run() { docker container run -d "${LABELS[@]}" "$@" >/dev/null; }
redis() { local name="$1" net="$2"; shift 2
          run --name "$(n "$name")" --network "$(n "$net")" --network-alias redis "$@" "$REDIS_IMAGE"; }
app() { run --name "$(n "$1")" --network "$(n "$2")" -p 127.0.0.1::80 "$APP_IMAGE"; }
port() { docker port "$(n "$1")" 80/tcp | head -n1 | sed 's/.*://'; }
anon_of() { docker inspect -f '{{range .Mounts}}{{if eq .Destination "/data"}}{{.Name}}{{end}}{{end}}' "$(n "$1")"; }
page() { curl -fsS -m 3 "http://127.0.0.1:$1/v1/whales"; }
shows() { curl -fsS -m 3 "http://127.0.0.1:$1/v1/ping" | grep -q '"connected": true' && [[ "$(page "$1")" == "$2" ]]; }
draw() { local p="$1"; shift; for w in "$@"; do
         [[ "$(curl -fsS -m 3 -X POST --data "$w" "http://127.0.0.1:$p/v1/whales")" == ok ]]; done; }
PATTERN1=(137:83 247:183 357:283 467:383 577:483)
SHOWN1='["137:83", "247:183", "357:283", "467:383", "577:483"]'
PATTERN2=(174:106 284:206 394:306 504:406 614:506)
SHOWN2='["174:106", "284:206", "394:306", "504:406", "614:506"]'

# -- part 1: networks ------------------------------------------------------------------
docker network create "${LABELS[@]}" "$(n moby-counter)" >/dev/null
redis redis moby-counter
app moby-counter moby-counter
P1="$(port moby-counter)"
ANON+=("$(anon_of redis)")
poll "moby-counter to show its (empty) page" shows "$P1" "[]"   # visit the page
draw "$P1" "${PATTERN1[@]}"                                      # a recognisable pattern
q docker exec "$(n moby-counter)" ping -c 3 redis
q docker exec "$(n moby-counter)" cat /etc/hosts
q docker exec "$(n moby-counter)" cat /etc/resolv.conf
q docker exec "$(n moby-counter)" nslookup redis 127.0.0.11
docker network create "${LABELS[@]}" "$(n moby-counter2)" >/dev/null
app moby-counter2 moby-counter2
! docker exec "$(n moby-counter2)" ping -c 3 redis >/dev/null 2>&1 || fail "redis answers on moby-counter2"
q docker exec "$(n moby-counter2)" cat /etc/resolv.conf
! docker exec "$(n moby-counter2)" nslookup redis 127.0.0.11 >/dev/null 2>&1 || fail "redis resolves"
redis redis2 moby-counter2
ANON+=("$(anon_of redis2)")
q docker exec "$(n moby-counter2)" nslookup redis 127.0.0.11
q docker network inspect "$(n moby-counter)"
q docker container stop -t 2 "$(n moby-counter2)" "$(n redis2)"
q docker container prune -f --filter "$FILTER"
q docker network prune -f --filter "$FILTER"

# -- part 2: volumes -------------------------------------------------------------------
q docker volume prune -f --filter "$FILTER"
q docker container stop -t 2 "$(n redis)"
q docker container rm "$(n redis)"
! curl -fsS -m 3 "http://127.0.0.1:$P1/v1/whales" >/dev/null 2>&1 || true  # disconnected
redis redis moby-counter
ANON+=("$(anon_of redis)")
poll "an empty page with the new redis" shows "$P1" "[]"
q docker container rm -f "$(n redis)"
q docker volume ls
q docker volume inspect "${ANON[0]}"
redis redis moby-counter -v "${ANON[0]}:/data"
poll "the pattern back from the old volume" shows "$P1" "$SHOWN1"
q docker container exec "$(n redis)" ls -lhat /data
docker volume create "${LABELS[@]}" "$(n redis_data)" >/dev/null
q docker container rm -f "$(n redis)"
redis redis moby-counter -v "$(n redis_data):/data"
q docker volume inspect "$(n redis_data)"
poll "an empty page on redis_data" shows "$P1" "[]"
draw "$P1" "${PATTERN2[@]}"
docker network create "${LABELS[@]}" "$(n moby-counter2)" >/dev/null
redis redis2 moby-counter2 -v "$(n redis_data):/data:ro"
app moby-counter2 moby-counter2
P2="$(port moby-counter2)"
poll "the pattern in moby-counter2" shows "$P2" "$SHOWN2"
q docker container stop -t 2 "$(n redis)" "$(n moby-counter)"

# -- cleanup ---------------------------------------------------------------------------
q docker container stop -t 2 "$(n redis2)" "$(n moby-counter2)"
q docker container prune -f --filter "$FILTER"
q docker network prune -f --filter "$FILTER"
q docker volume prune -f --filter "$FILTER"
[[ -z "$(docker ps -aq --filter "$FILTER")$(docker network ls -q --filter "$FILTER")" ]] \
    || fail "the prunes left objects"
echo "student.sh: done ($RUN)"
