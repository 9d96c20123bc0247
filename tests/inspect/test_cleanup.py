"""Inspect mode, cleanup: the student's host after the final prunes.

No lab container, network or volume is left. Anonymous volumes are only
suspects when dangling and holding a ``dump.rdb`` (a lab redis's data): they
are all mounted read-only in one probe container that never starts, and read
through the engine's archive API.
"""

from __future__ import annotations

import pytest

from fixtures.engine import EngineInfo
from fixtures.facts import prune_drift
from fixtures.inspect.plugin import probe_image, probing
from fixtures.inspect.probe import HostProbe
from fixtures.inspect.snapshot import LAB_CONTAINERS, LAB_NETWORKS, LAB_VOLUME, HostSnapshot
from grading.api import DRIFT_KEY, CheckFailed


def test_containers(lab_host: HostSnapshot) -> None:
    """No container redis, redis2, moby-counter or moby-counter2 is left, running or stopped."""
    left = [c for c in lab_host.containers if c.name in LAB_CONTAINERS]
    if left:
        shown = ", ".join(f"{c.name} ({c.status})" for c in left)
        raise CheckFailed(f"expected no lab container, found {shown}")


def test_networks(lab_host: HostSnapshot) -> None:
    """No network moby-counter or moby-counter2 is left."""
    left = [n.name for n in lab_host.networks if n.name in LAB_NETWORKS]
    if left:
        raise CheckFailed(f"expected no lab network, found {', '.join(left)}")


def test_volumes(lab_host: HostSnapshot, host_probe: HostProbe,
                 request: pytest.FixtureRequest, engine_info: EngineInfo) -> None:
    """No redis_data and no orphaned anonymous volume left by the lab's redis containers."""
    drift = prune_drift(engine_info.version, engine_info.api_tuple)
    if drift:
        request.node.user_properties.append((DRIFT_KEY, drift))
    data = lab_host.volume(LAB_VOLUME)
    if data is not None and (drift is None or LAB_VOLUME in lab_host.used_volumes):
        raise CheckFailed(f"expected no volume {LAB_VOLUME}, found it")
    dangling = [v for v in lab_host.volumes if v.anonymous and v.name not in lab_host.used_volumes]
    suspects = [v.name for v in sorted(dangling, key=lambda v: v.created, reverse=True)]
    with probing("read the dangling anonymous volumes"):
        orphans = host_probe.volumes_holding(
            probe_image(lab_host, host_probe), suspects, "dump.rdb") if suspects else []
    if orphans:
        raise CheckFailed(
            f"expected no orphaned redis volume, found {len(orphans)} dangling anonymous "
            f"volume(s) holding a dump.rdb: {', '.join(n[:12] for n in orphans)}"
        )
    # The handout's own `docker volume prune` keeps redis_data on this engine: lab drift,
    # not the student's mistake (the drift note above says what to type here).
