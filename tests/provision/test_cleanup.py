"""The lab's last step: stop everything, then `docker container|network|volume prune`.

The prunes run with this run's label filter (and the scenario's): they can
remove nothing the suite did not create.
"""

from __future__ import annotations

import pytest

from fixtures.provision.cleanup import CleanupLab, Pruned, prunes_named_volumes
from grading.api import DRIFT_KEY, FACT_KEY, CheckFailed


def _compare(what: str, pruned: Pruned) -> str:
    if pruned.exact:
        return ""
    missing = sorted(pruned.expected - pruned.deleted)
    extra = sorted(pruned.deleted - pruned.expected)
    return f"{what}: not removed {missing or '-'}, removed unexpectedly {extra or '-'}"


def test_prune_scoped(cleanup_lab: CleanupLab, request: pytest.FixtureRequest) -> None:
    """Container, network and volume prune (label-scoped) remove exactly the lab's leftovers."""
    report = cleanup_lab.report()
    notes = request.node.user_properties
    if prunes_named_volumes(report.api_version):
        notes.append(
            (
                FACT_KEY,
                f"API {report.api_version}: `docker volume prune` removes every unused volume, "
                + "named ones included (as the lab says)",
            )
        )
    else:
        notes.append(
            (
                DRIFT_KEY,
                f"API {report.api_version}: `docker volume prune` removes anonymous volumes "
                + "only; redis_data goes only with `docker volume prune --all` "
                + "(the lab assumes it goes)",
            )
        )
    if report.killed:
        notes.append(
            (
                FACT_KEY,
                f"`docker stop` had to kill {', '.join(report.killed)} after SIGTERM: "
                + "a redis on a read-only /data refuses to shut down (its final save fails)",
            )
        )
    problems = [
        _compare("container prune", report.containers),
        _compare("network prune", report.networks),
        _compare("volume prune", report.volumes),
        _compare("volume prune --all", report.volumes_all) if report.volumes_all else "",
    ]
    if report.left:
        running = f" (still running: {', '.join(report.running)})" if report.running else ""
        problems.append(f"left after the three prunes{running}: {', '.join(report.left)}")
    problems = [p for p in problems if p]
    if problems:
        raise CheckFailed(
            "expected the stopped lab to be removed by the three prunes, found "
            + "; ".join(problems)
        )
