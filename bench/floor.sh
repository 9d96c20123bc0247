#!/usr/bin/env bash
# The engine's own cost of the containers a provision run makes: N redis containers
# (`docker run -d` on a user-defined network, then `docker rm -f`), one after another
# and JOBS at a time. A provision run makes about 30 containers and 8 networks;
# this is the floor no parallelism on this machine gets under.
#
#   REDIS_IMAGE=mobygrade/redis:local bash bench/floor.sh [N] [JOBS]
#
# Label-scoped and run-prefixed like the other benchmarks; everything removed on exit.
set -euo pipefail

N="${1:-30}"
JOBS="${2:-4}"
RUN_PREFIX=mgfloor
# shellcheck source=bench/lab_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lab_common.sh"  # RUN, LABELS, FILTER, cleanup on exit

now() { date +%s.%N; }
docker network create "${LABELS[@]}" "$RUN-net" >/dev/null
run_one() { docker run -d "${LABELS[@]}" --name "$RUN-$1" --network "$RUN-net" "$REDIS_IMAGE" >/dev/null; }
rm_one() { docker rm -f -v "$RUN-$1" >/dev/null; }
export -f run_one rm_one
export RUN REDIS_IMAGE

t0=$(now); for i in $(seq "$N"); do run_one "s$i"; done; t1=$(now)
for i in $(seq "$N"); do rm_one "s$i"; done; t2=$(now)
seq "$N" | sed 's/^/p/' | xargs -P "$JOBS" -I{} bash -c "$(declare -p LABELS); $(declare -f run_one); run_one {}"; t3=$(now)
seq "$N" | sed 's/^/p/' | xargs -P "$JOBS" -I{} bash -c "$(declare -f rm_one); rm_one {}"; t4=$(now)
awk -v n="$N" -v j="$JOBS" -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v e="$t4" 'BEGIN {
    printf "floor: %d containers one at a time: run %.1f s (%.2f s each), rm -f %.1f s\n", n, b-a, (b-a)/n, c-b
    printf "floor: %d containers %d at a time:   run %.1f s, rm -f %.1f s\n", n, j, d-c, e-d }'
