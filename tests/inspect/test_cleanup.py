"""Inspect mode, cleanup: the student's host after the final prunes.

No lab container, network or volume is left. The lab's containers are found by
the lab's names, names near them, the app's image, the lab's networks and
volume, whatever their name (a second app named otherwise is one). Anonymous
volumes are only suspects when dangling and holding a ``dump.rdb`` (a lab
redis's data): they are all mounted read-only in one probe container that never
starts, and read through the engine's archive API.

An empty host proves nothing by itself: without evidence the lab was done here
(its objects, or the engine's recent event history naming them), the checks are
not measurable (blocked), never a full score for a host that never started.
"""

from __future__ import annotations

import pytest

from fixtures.engine import EngineInfo
from fixtures.facts import prune_drift
from fixtures.inspect.evidence import Evidence
from fixtures.inspect.plugin import probe_image, probing
from fixtures.inspect.probe import HostProbe
from fixtures.inspect.rules import STEP_CLEANUP, is_app
from fixtures.inspect.snapshot import LAB_CONTAINERS, LAB_NETWORKS, LAB_VOLUME, HostSnapshot, near
from grading.api import (
    DRIFT_KEY,
    FACT_KEY,
    CheckBlocked,
    CheckFailed,
    engine_state,
    joined,
    objects_said,
    says,
)


def _evidenced(evidence: Evidence, request: pytest.FixtureRequest) -> None:
    """Blocked when nothing shows the lab was ever done on this engine; else a fact saying what."""
    if not evidence.found:
        reason = (says("inspect.no_evidence") if evidence.readable
                  else says("inspect.no_evidence_unreadable", detail=evidence.error))
        raise CheckBlocked(reason, hint=says("inspect.hint.no_evidence"))
    shown = objects_said((evidence.present or evidence.events)[:6])  # « le volume redis_data »
    key = "inspect.fact_evidence_present" if evidence.present else "inspect.fact_evidence_events"
    # the same fact for each cleanup check: the report shows it once (grading.scoring)
    request.node.user_properties.append((FACT_KEY, says(key, found=shown)))


def _lab_networks(lab_host: HostSnapshot) -> set[str]:
    return {n.name for n in lab_host.networks if n.user_defined and (
        n.name in LAB_NETWORKS or any(near(n.name, t) for t in LAB_NETWORKS))}


def test_containers(lab_host: HostSnapshot, lab_evidence: Evidence,
                    request: pytest.FixtureRequest) -> None:
    """No container redis, redis2, moby-counter or moby-counter2 is left, running or stopped."""
    _evidenced(lab_evidence, request)
    nets = _lab_networks(lab_host)
    left = [c for c in lab_host.containers
            if c.name in LAB_CONTAINERS or any(near(c.name, t) for t in LAB_CONTAINERS)
            or is_app(c) or any(n in nets for n in c.network_names)
            or any(m.name == LAB_VOLUME for m in c.mounts)]
    if left:
        shown = joined((joined((c.name, " (", engine_state(c.status), ")"), "") for c in left),
                       ", ")
        running = [c.name for c in left if c.running]
        hint = (says("inspect.hint.cleanup_stop", names=" ".join(running), step=STEP_CLEANUP)
                if running else says("inspect.hint.cleanup_prune", step=STEP_CLEANUP))
        raise CheckFailed(says("inspect.containers_left", found=shown),
                          objects=[f"container:{c.name}" for c in left], hint=hint)


def test_networks(lab_host: HostSnapshot, lab_evidence: Evidence,
                  request: pytest.FixtureRequest) -> None:
    """No network moby-counter or moby-counter2 is left."""
    _evidenced(lab_evidence, request)
    left = sorted(_lab_networks(lab_host))
    if left:
        raise CheckFailed(says("inspect.networks_left", found=", ".join(left)),
                          objects=[f"network:{n}" for n in left])


def test_volumes(lab_host: HostSnapshot, host_probe: HostProbe, lab_evidence: Evidence,
                 request: pytest.FixtureRequest, engine_info: EngineInfo) -> None:
    """No redis_data and no orphaned anonymous volume left by the lab's redis containers."""
    _evidenced(lab_evidence, request)
    drift = prune_drift(engine_info.version, engine_info.api_tuple)
    if drift:
        request.node.user_properties.append((DRIFT_KEY, drift))
    data = lab_host.volume(LAB_VOLUME)
    if data is not None and (drift is None or LAB_VOLUME in lab_host.used_volumes):
        # the fix for this engine: a plain prune removes it before API 1.42
        hint = None if drift else says("inspect.hint.volume_prune", step=STEP_CLEANUP)
        raise CheckFailed(says("inspect.volume_left", name=LAB_VOLUME),
                          objects=[f"volume:{LAB_VOLUME}"], hint=hint)
    dangling = [v for v in lab_host.volumes if v.anonymous and v.name not in lab_host.used_volumes]
    suspects = [v.name for v in sorted(dangling, key=lambda v: v.created, reverse=True)]
    with probing(says("inspect.what_read_dangling")):
        orphans = host_probe.volumes_holding(
            probe_image(lab_host, host_probe), suspects, "dump.rdb") if suspects else []
    if orphans:
        raise CheckFailed(says("inspect.orphans_left", count=len(orphans),
                               found=", ".join(n[:12] for n in orphans)),
                          objects=[f"volume:{n}" for n in orphans])
    # The handout's own `docker volume prune` keeps redis_data on this engine: lab drift,
    # not the student's mistake (the drift note above says what to type here).
