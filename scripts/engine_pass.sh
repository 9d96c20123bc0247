#!/usr/bin/env bash
# One pass on a second engine (run by `tox -e engine26|engine28` inside
# `python -m selftest.engines --version=N`, so DOCKER_HOST names that engine and
# this runs in its network namespace): the provision suite, then the scripted
# student hosts graded in inspect mode. Both steps always run; the status is the
# first failing step's (0 when both pass).
#
# Usage: bash scripts/engine_pass.sh N [PYTEST_ARGS...]   (extra args go to both steps)
set -uo pipefail

readonly VERSION="${1:?usage: engine_pass.sh N [PYTEST_ARGS...]}"
shift
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[[ "${DOCKER_HOST:-}" == unix://*mobygrade-engines* ]] \
    || { echo "engine_pass: DOCKER_HOST=${DOCKER_HOST:-} is not a second engine: refusing to run the lab's names on it" >&2; exit 2; }

status=0
python scripts/pytest_step.py "provision on Engine $VERSION" -- \
    --lab-mode=provision --lab-images=local tests "$@" || status=$?
step=0
# Every scripted host is graded on this engine, through its unix socket: the verdicts are
# the engine's; the transports (tcp, TLS, ssh, engine-side reads) are the grader's own and
# are graded on the main engine's pass.
# The one case that needs an engine without isolation runs in the main pass (on a second
# engine without iptables); this pass's engine isolates its networks, as students' do.
MOBYGRADE_HOSTS_TRANSPORTS=unix python scripts/pytest_step.py \
    "scripted student hosts on Engine $VERSION" -- selftest/test_inspect_hosts.py \
    --deselect "selftest/test_inspect_hosts.py::test_student_host[networks-host_without_isolation]" \
    "$@" || step=$?
((status != 0)) || status=$step
step=0
python scripts/pytest_step.py "scripted hosts in French and English on Engine $VERSION" -- \
    selftest/test_language_hosts.py "$@" || step=$?
((status != 0)) || status=$step
exit "$status"
