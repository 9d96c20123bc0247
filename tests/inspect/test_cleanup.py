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

The three prunes go in the handout's order for a reason: a network is pruned only
when no container is connected to it (a running one; a stopped one holds none), a
volume only when no container uses it (even stopped). A lab container left behind
costs ``cleanup.containers``; the network or volume it still holds says nothing of
the student's later prune, so that check is blocked by ``cleanup.containers`` with
"the containers first" as its hint. What no leftover holds is measured: a network or
volume left that the prune would have removed still fails its own check.
"""

from __future__ import annotations

import pytest

from fixtures.engine import EngineInfo
from fixtures.facts import prune_drift
from fixtures.inspect.evidence import Evidence
from fixtures.inspect.plugin import probe_image, probing
from fixtures.inspect.probe import HostProbe
from fixtures.inspect.rules import (
    STEP_CLEANUP,
    lab_containers_left,
    lab_networks_left,
    networks_held,
    volumes_held,
)
from fixtures.inspect.snapshot import LAB_VOLUME, ContainerFacts, HostSnapshot
from grading.api import (
    DRIFT_KEY,
    FACT_KEY,
    CheckBlocked,
    CheckFailed,
    Message,
    engine_state,
    joined,
    objects_said,
    says,
)

CONTAINERS_CHECK = "cleanup.containers"


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


def _holders(held: dict[str, list[ContainerFacts]]) -> list[ContainerFacts]:
    out: list[ContainerFacts] = []
    for holders in held.values():
        out += [c for c in holders if c not in out]
    return out


def _held_text(held: dict[str, list[ContainerFacts]]) -> str:
    """``redis_data (redis, redis2), 3f2a…`` : each object, and who holds it."""
    return ", ".join(f"{name if len(name) < 64 else name[:12]} ({', '.join(c.name for c in cs)})"
                     for name, cs in held.items())


def _containers_first(held: dict[str, list[ContainerFacts]], prune: str) -> Message:
    """The hint of a check blocked by leftover containers: remove them, then prune again."""
    holders = _holders(held)
    running = [c.name for c in holders if c.running or c.status == "paused"]
    if running:
        return says("inspect.hint.cleanup_containers_first_stop", names=" ".join(running),
                    prune=prune, step=STEP_CLEANUP)
    return says("inspect.hint.cleanup_containers_first", names=", ".join(c.name for c in holders),
                prune=prune, step=STEP_CLEANUP)


def test_containers(lab_host: HostSnapshot, lab_evidence: Evidence,
                    request: pytest.FixtureRequest) -> None:
    """No container redis, redis2, moby-counter or moby-counter2 is left, running or stopped."""
    _evidenced(lab_evidence, request)
    left = lab_containers_left(lab_host)
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
    left = lab_networks_left(lab_host)
    held = networks_held(lab_host, lab_containers_left(lab_host)) if left else {}
    free = [n for n in left if n not in held]
    if free:  # nothing connected to it: `docker network prune` removes it
        raise CheckFailed(says("inspect.networks_left", found=", ".join(free)),
                          objects=[f"network:{n}" for n in free])
    if held:  # connected to a lab container left running: no prune could remove it yet
        raise CheckBlocked(says("inspect.blocked_networks_held", found=_held_text(held)),
                           by=CONTAINERS_CHECK,
                           hint=_containers_first(held, "docker network prune"))


def test_volumes(lab_host: HostSnapshot, host_probe: HostProbe, lab_evidence: Evidence,
                 request: pytest.FixtureRequest, engine_info: EngineInfo) -> None:
    """No redis_data and no orphaned anonymous volume left by the lab's redis containers."""
    _evidenced(lab_evidence, request)
    drift = prune_drift(engine_info.version, engine_info.api_tuple)
    if drift:
        request.node.user_properties.append((DRIFT_KEY, drift))
    held = volumes_held(lab_host, lab_containers_left(lab_host))
    data = lab_host.volume(LAB_VOLUME)
    if data is not None and drift is None and LAB_VOLUME not in held:
        # no lab container uses it: a plain prune removes it before API 1.42
        raise CheckFailed(says("inspect.volume_left", name=LAB_VOLUME),
                          objects=[f"volume:{LAB_VOLUME}"],
                          hint=says("inspect.hint.volume_prune", step=STEP_CLEANUP))
    dangling = [v for v in lab_host.volumes if v.anonymous and v.name not in lab_host.used_volumes]
    suspects = [v.name for v in sorted(dangling, key=lambda v: v.created, reverse=True)]
    with probing(says("inspect.what_read_dangling")):
        orphans = host_probe.volumes_holding(
            probe_image(lab_host, host_probe), suspects, "dump.rdb") if suspects else []
    if orphans:
        raise CheckFailed(says("inspect.orphans_left", count=len(orphans),
                               found=", ".join(n[:12] for n in orphans)),
                          objects=[f"volume:{n}" for n in orphans])
    if held:
        # redis_data (on any engine) or a lab redis's anonymous volume, still used by a lab
        # container cleanup.containers deducts: no volume prune could remove it yet, so what
        # the student's prune did cannot be told (on Engine >= 23 redis_data would stay anyway:
        # once the containers are gone, the drift rule below credits it)
        raise CheckBlocked(says("inspect.blocked_volumes_held", found=_held_text(held)),
                           by=CONTAINERS_CHECK,
                           hint=_containers_first(held, "docker volume prune"))
    # The handout's own `docker volume prune` keeps an unused redis_data on Engine >= 23: lab
    # drift, not the student's mistake (the drift note above says what to type here).
