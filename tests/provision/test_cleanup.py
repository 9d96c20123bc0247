"""The lab's last step: stop everything, then `docker container|network|volume prune`.

The prunes run with this run's label filter (and the scenario's): they can
remove nothing the suite did not create.
"""

from __future__ import annotations

import pytest

from fixtures.provision.cleanup import CleanupLab, Pruned, prunes_named_volumes
from grading.api import DRIFT_KEY, FACT_KEY, CheckFailed, Text, joined, says


def _compare(what: str, pruned: Pruned) -> Text:
    if pruned.exact:
        return ""
    missing = sorted(pruned.expected - pruned.deleted)
    extra = sorted(pruned.deleted - pruned.expected)
    return says("provision.prune_compare", what=what, missing=str(missing or "-"),
                extra=str(extra or "-"))


def test_prune_scoped(cleanup_lab: CleanupLab, request: pytest.FixtureRequest) -> None:
    """Container, network and volume prune (label-scoped) remove exactly the lab's leftovers."""
    report = cleanup_lab.report()
    notes = request.node.user_properties
    if prunes_named_volumes(report.api_version):
        notes.append((FACT_KEY, says("provision.prune_removes_named", api=report.api_version)))
    else:
        notes.append((DRIFT_KEY, says("provision.drift_prune_anonymous",
                                      api=report.api_version)))
    if report.killed:
        notes.append((FACT_KEY, says("provision.stop_killed", names=", ".join(report.killed))))
    problems = [
        _compare("container prune", report.containers),
        _compare("network prune", report.networks),
        _compare("volume prune", report.volumes),
        _compare("volume prune --all", report.volumes_all) if report.volumes_all else "",
    ]
    if report.left:
        left = ", ".join(report.left)
        problems.append(says("provision.left_running", running=", ".join(report.running),
                             names=left) if report.running else says("provision.left", names=left))
    problems = [p for p in problems if p]
    if problems:
        raise CheckFailed(says("provision.prune_failed", problems=joined(problems)))
