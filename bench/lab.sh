#!/usr/bin/env bash
# The lab "Docker 3 - réseaux et volumes" as a plain shell script: the docker CLI
# steps a person types (both parts and the cleanup), with the same observations the
# provision suite makes, on the same images (each isolation attempt waiting out its
# timeout, a second bridge test...): a slow baseline, kept for comparison
# (`python bench/provision.py --baseline lab`); the plain one is bench/student.sh.
#
#   REDIS_IMAGE=mobygrade/redis:local APP_IMAGE=mobygrade/moby-counter:local bash bench/lab.sh
#
# Every object carries the label mobygrade.run=$RUN (and the sweeper's labels) and a
# name prefixed by $RUN; the prunes are filtered by that label; everything left is
# removed on exit, by label only. Waits poll with a bound; no fixed sleeps.
set -euo pipefail

RUN_PREFIX=mgbench
POLL_PAUSE=  # none: the polls try back to back
# RUN, LABELS, FILTER, ANON, fail, cleanup on exit, poll: shared with bench/student.sh
# shellcheck source=bench/lab_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lab_common.sh"

say() { printf 'lab.sh: %s\n' "$*"; }

# has TEXT CMD...: CMD succeeds and its output contains TEXT (no early-closing pipe)
has() { local text="$1" out; shift; out="$("$@" 2>&1)" && [[ "$out" == *"$text"* ]]; }
run() { docker run -d "${LABELS[@]}" "$@" >/dev/null; }
net() { docker network create "${LABELS[@]}" "$RUN-$1" >/dev/null; }
ip_on() { docker inspect -f "{{(index .NetworkSettings.Networks \"$2\").IPAddress}}" "$1"; }
port_of() { docker port "$1" 80/tcp | head -n1 | sed 's/.*://'; }
connected() { has '"connected": true' curl -fsS -m 3 "http://127.0.0.1:$1/v1/ping"; }
whales() { curl -fsS -m 3 "http://127.0.0.1:$1/v1/whales"; }
post() { [[ "$(curl -fsS -m 3 -X POST --data "$2" "http://127.0.0.1:$1/v1/whales")" == ok ]]; }
whales_are() { connected "$1" && [[ "$(whales "$1")" == "$2" ]]; }
redis() {  # redis NAME NETWORK [docker run options...]
    local name="$1" network="$2"; shift 2
    run --name "$RUN-$name" --network "$RUN-$network" --network-alias redis "$@" "$REDIS_IMAGE"
}

say "part 1: networks"
net moby-counter
redis redis moby-counter
run --name "$RUN-moby-counter" --network "$RUN-moby-counter" -p 127.0.0.1::80 "$APP_IMAGE"
P1="$(port_of "$RUN-moby-counter")"
poll "moby-counter to connect" connected "$P1"
post "$P1" "10:10" && has '"10:10"' whales "$P1" || fail "POST/GET"
R1="$(ip_on "$RUN-redis" "$RUN-moby-counter")"
has "($R1)" docker exec "$RUN-moby-counter" ping -c 3 redis || fail "ping -c 3 redis"
has "$(docker inspect -f '{{.Config.Hostname}}' "$RUN-moby-counter")" \
    docker exec "$RUN-moby-counter" cat /etc/hosts || fail "/etc/hosts"
has "nameserver 127.0.0.11" docker exec "$RUN-moby-counter" cat /etc/resolv.conf || fail "resolv.conf"
has "$R1" docker exec "$RUN-moby-counter" nslookup redis 127.0.0.11 || fail "nslookup redis"
net moby-counter2
run --name "$RUN-moby-counter2" --network "$RUN-moby-counter2" -p 127.0.0.1::80 "$APP_IMAGE"
has "nameserver 127.0.0.11" docker exec "$RUN-moby-counter2" cat /etc/resolv.conf || fail "resolv.conf 2"
! docker exec "$RUN-moby-counter2" nslookup redis 127.0.0.11 >/dev/null 2>&1 || fail "redis resolves before the alias"
redis redis2 moby-counter2
R2="$(ip_on "$RUN-redis2" "$RUN-moby-counter2")"
has "$R2" docker exec "$RUN-moby-counter2" nslookup redis 127.0.0.11 || fail "alias"
has "$R1" docker exec "$RUN-moby-counter" nslookup redis 127.0.0.11 || fail "alias, first network"
has '"Subnet"' docker network inspect "$RUN-moby-counter" "$RUN-moby-counter2" || fail "IPAM"
! docker exec "$RUN-moby-counter" ping -c 1 -W 1 "$R2" >/dev/null 2>&1 || fail "isolation (ping)"
! docker exec "$RUN-moby-counter" nc -z -w 1 "$R2" 6379 >/dev/null 2>&1 || fail "isolation (tcp)"
! docker exec "$RUN-moby-counter2" ping -c 1 -W 1 "$R1" >/dev/null 2>&1 || fail "isolation (ping)"
! docker exec "$RUN-moby-counter2" nc -z -w 1 "$R1" 6379 >/dev/null 2>&1 || fail "isolation (tcp)"
run --name "$RUN-bridge-a" "$REDIS_IMAGE"
run --name "$RUN-bridge-b" "$REDIS_IMAGE"
! docker exec "$RUN-bridge-b" getent hosts "$RUN-bridge-a" >/dev/null 2>&1 || fail "default bridge DNS"
docker rm -f -v "$RUN-moby-counter" "$RUN-moby-counter2" "$RUN-redis" "$RUN-redis2" \
    "$RUN-bridge-a" "$RUN-bridge-b" >/dev/null
docker network rm "$RUN-moby-counter" "$RUN-moby-counter2" >/dev/null

say "part 2: volumes"
net moby-counter
redis redis moby-counter
run --name "$RUN-moby-counter" --network "$RUN-moby-counter" -p 127.0.0.1::80 "$APP_IMAGE"
P1="$(port_of "$RUN-moby-counter")"
ANON="$(docker inspect -f '{{range .Mounts}}{{if eq .Destination "/data"}}{{.Name}}{{end}}{{end}}' "$RUN-redis")"
[[ -n "$ANON" ]] || fail "no anonymous volume at /data"
poll "moby-counter to connect" connected "$P1"
for w in 137:83 247:183 357:283 467:383 577:483; do post "$P1" "$w"; done
PATTERN='["137:83", "247:183", "357:283", "467:383", "577:483"]'
docker rm -f "$RUN-redis" >/dev/null
redis redis moby-counter
poll "an empty list after re-creating redis" whales_are "$P1" "[]"
docker rm -f -v "$RUN-redis" >/dev/null
redis redis moby-counter -v "$ANON:/data"
poll "the pattern on the re-attached volume" whales_are "$P1" "$PATTERN"
has dump.rdb docker exec "$RUN-redis" ls -lhat /data || fail "ls /data"
docker volume create "${LABELS[@]}" "$RUN-redis_data" >/dev/null
docker rm -f "$RUN-redis" >/dev/null
redis redis moby-counter -v "$RUN-redis_data:/data"
poll "an empty list on the named volume" whales_are "$P1" "[]"
for w in 174:106 284:206 394:306 504:406 614:506; do post "$P1" "$w"; done
PATTERN='["174:106", "284:206", "394:306", "504:406", "614:506"]'
docker rm -f "$RUN-redis" >/dev/null
redis redis moby-counter -v "$RUN-redis_data:/data"
poll "the pattern on the named volume" whales_are "$P1" "$PATTERN"
net moby-counter2
redis redis2 moby-counter2 -v "$RUN-redis_data:/data:ro"
[[ "$(docker inspect -f '{{range .Mounts}}{{.RW}}{{end}}' "$RUN-redis2")" == false ]] || fail "RW"
poll "redis2 to answer" docker exec "$RUN-redis2" redis-cli PING
! docker exec "$RUN-redis2" touch /data/x >/dev/null 2>&1 || fail "write on :ro"
[[ "$(docker exec "$RUN-redis2" redis-cli SAVE)" != OK ]] || fail "SAVE on :ro"
run --name "$RUN-moby-counter2" --network "$RUN-moby-counter2" -p 127.0.0.1::80 "$APP_IMAGE"
P2="$(port_of "$RUN-moby-counter2")"
poll "the pattern in moby-counter2" whales_are "$P2" "$PATTERN"
post "$P2" "999:999"
docker rm -f "$RUN-redis" >/dev/null
redis redis moby-counter -v "$RUN-redis_data:/data"
poll "the pattern after the read-only POST" whales_are "$P1" "$PATTERN"

say "cleanup: stop, then container, network and volume prune (label-filtered)"
# -t 2 as the suite: redis2 (read-only /data) ignores SIGTERM, its final save failing
docker stop -t 2 "$RUN-redis" "$RUN-redis2" "$RUN-moby-counter" "$RUN-moby-counter2" >/dev/null
docker container prune -f --filter "$FILTER" >/dev/null
docker network prune -f --filter "$FILTER" >/dev/null
docker volume prune -f --filter "$FILTER" >/dev/null
[[ -z "$(docker ps -aq --filter "$FILTER")$(docker network ls -q --filter "$FILTER")" ]] \
    || fail "prune left objects"
say "done ($RUN)"
