"""Inspect mode, cleanup: the student's host after the final prunes.

No lab container, network or volume is left. Anonymous volumes are only
suspects when dangling and holding a ``dump.rdb`` (a lab redis's data): they
are read through read-only probe mounts, newest first, at most a few.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from fixtures.engine import EngineInfo
from fixtures.inspect.plugin import probing
from fixtures.inspect.rules import prune_drift
from fixtures.inspect.snapshot import LAB_CONTAINERS, LAB_NETWORKS, LAB_VOLUME, HostSnapshot
from fixtures.probes import Prober
from grading.api import DRIFT_KEY, FACT_KEY, CheckFailed

MAX_SUSPECTS = 5  # dangling anonymous volumes read per run: bounds the time on a crowded host


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


def test_volumes(lab_host: HostSnapshot, prober: Prober, request: pytest.FixtureRequest,
                 engine_info: EngineInfo) -> None:
    """No redis_data and no orphaned anonymous volume left by the lab's redis containers."""
    drift = prune_drift(engine_info.version, engine_info.api_tuple)
    if drift:
        request.node.user_properties.append((DRIFT_KEY, drift))
    if lab_host.volume(LAB_VOLUME) is not None:
        raise CheckFailed(f"expected no volume {LAB_VOLUME}, found it")
    dangling = [v for v in lab_host.volumes if v.anonymous and v.name not in lab_host.used_volumes]
    suspects = [v.name for v in sorted(dangling, key=lambda v: v.created, reverse=True)]
    if len(suspects) > MAX_SUSPECTS:
        request.node.user_properties.append(
            (FACT_KEY, f"{len(suspects)} dangling anonymous volumes; read {MAX_SUSPECTS} of them")
        )
    with probing("read the dangling anonymous volumes"), ThreadPoolExecutor(MAX_SUSPECTS) as pool:
        # One short-lived probe per volume, side by side: the time of one, not of five.
        listings = list(pool.map(prober.volume_files, suspects[:MAX_SUSPECTS]))
    orphans = [name for name, files in zip(suspects, listings) if "dump.rdb" in files]
    if orphans:
        raise CheckFailed(
            f"expected no orphaned redis volume, found {len(orphans)} dangling anonymous "
            f"volume(s) holding a dump.rdb: {', '.join(n[:12] for n in orphans)}"
        )
