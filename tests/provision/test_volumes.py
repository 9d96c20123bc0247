"""Part 2 of the lab, "Docker Volumes": what survives a redis re-creation, and what does not.

The ``volumes_lab`` runs the lab's steps on its own network, app and redis and
keeps what it observed at each step; each check reads the step it is about
(running it, and only what it needs, when no earlier check did).
"""

from __future__ import annotations

import re

import docker
import pytest

from fixtures.provision.app import holds
from fixtures.provision.build import DATA
from fixtures.provision.cleanup import ANONYMOUS_LABEL
from fixtures.provision.volumes import (
    DUMP,
    RO_WHALE,
    Anon,
    Divergence,
    Named,
    Reattach,
    Recreate,
    Same,
    Share,
    VolumesLab,
)
from grading.api import DRIFT_KEY, FACT_KEY, expect

ANONYMOUS_NAME = re.compile(r"^[0-9a-f]{64}$")


def test_anonymous_volume(
    volumes_lab: VolumesLab, docker_client: docker.DockerClient, request: pytest.FixtureRequest
) -> None:
    """The redis container has an anonymous volume at /data (the lab's "volume caché")."""
    anon: Anon = volumes_lab.step("anon")
    notes = request.node.user_properties
    if DATA not in anon.declared:
        notes.append(
            (
                DRIFT_KEY,
                f"{anon.image} declares no VOLUME /data (today's redis:alpine no longer does): "
                + "no hidden volume is created; the suite ran redis with `-v /data` "
                + "(or use redis:7-alpine)",
            )
        )
    expect(
        anon.mount is not None and anon.mount.get("Type") == "volume",
        f"expected `docker inspect redis` to show a volume mounted at {DATA}, "
        f"found {anon.mount or 'no mount at ' + DATA}",
    )
    expect(
        ANONYMOUS_NAME.match(anon.volume),
        f"expected an anonymous volume (a 64-hex name) at {DATA}, found {anon.volume!r}",
    )
    labels = _volume_labels(docker_client, anon.volume)
    notes.append(
        (
            FACT_KEY,
            f"anonymous volume {anon.volume[:12]}: label {ANONYMOUS_LABEL} "
            + ("present (Engine 23+)" if ANONYMOUS_LABEL in labels else "absent (Engine < 23)"),
        )
    )


def _volume_labels(client: docker.DockerClient, name: str) -> dict[str, str]:
    """(Through this thread's client: the volumes scenario may be busy in its own.)"""
    try:
        return dict(client.volumes.get(name).attrs.get("Labels") or {})
    except Exception:  # noqa: BLE001 - a fact only
        return {}


def test_recreate_loses_data(volumes_lab: VolumesLab) -> None:
    """After `docker rm redis` and a new redis without that volume, the app shows no whales."""
    recreate: Recreate = volumes_lab.step("recreate")
    expect(
        recreate.whales == (),
        f"expected the app to show no whales with a re-created redis on a new volume, "
        f"found {list(recreate.whales)} (its /data: {recreate.mount or 'no mount'})",
    )


def test_anonymous_reattach(volumes_lab: VolumesLab) -> None:
    """Redis re-created on the earlier anonymous volume (by id) brings the pattern back."""
    anon: Anon = volumes_lab.step("anon")
    reattach: Reattach = volumes_lab.step("reattach")
    expect(
        reattach.volume,
        f"expected an anonymous volume left by the first redis to re-attach, found none "
        f"(its /data: {anon.mount or 'no mount'})",
    )
    expect(
        holds(list(reattach.whales), list(anon.pattern)),
        f"expected `docker run -v {reattach.volume[:12]}...:/data` to bring back the pattern "
        f"{list(anon.pattern)}, found {list(reattach.whales)}",
    )
    expect(
        DUMP in reattach.listing,
        f"expected `ls -lhat /data` to show {DUMP}, found {reattach.listing.strip()!r}",
    )


def test_named_persists(volumes_lab: VolumesLab) -> None:
    """With the named volume redis_data, the pattern survives removing and re-creating redis."""
    named: Named = volumes_lab.step("named")
    expect(
        holds(list(named.after), list(named.pattern)),
        f"expected the pattern {list(named.pattern)} to survive a redis re-created on "
        f"{named.volume}, found {list(named.after)}",
    )


def test_readonly(volumes_lab: VolumesLab) -> None:
    """redis2 shares redis_data `:ro`: inspect says RW false, writes to /data fail, SAVE fails."""
    share: Share = volumes_lab.step("share")
    mount = share.mount or {}
    expect(
        mount and mount.get("RW") is False,
        f"expected redis2's {DATA} mount to be read-only (RW false), found {mount or 'none'}",
    )
    expect(
        share.write_failed,
        f"expected a write under {DATA} in redis2 to fail, but it succeeded",
    )
    expect(
        share.save_reply != "OK",
        f"expected SAVE in redis2 to fail on the read-only {DATA}, found {share.save_reply!r}",
    )


def test_same_pattern(volumes_lab: VolumesLab) -> None:
    """moby-counter2 shows the pattern saved by the first app (through the shared volume)."""
    same: Same = volumes_lab.step("same")
    expect(
        holds(list(same.whales), list(same.pattern)),
        f"expected moby-counter2 to show the pattern {list(same.pattern)}, "
        f"found {list(same.whales)}",
    )


def test_ro_no_divergence_on_disk(
    volumes_lab: VolumesLab, request: pytest.FixtureRequest
) -> None:
    """A whale POSTed through the read-only side never reaches dump.rdb."""
    divergence: Divergence = volumes_lab.step("divergence")
    shown = RO_WHALE in divergence.app2_whales
    request.node.user_properties.append(
        (
            FACT_KEY,
            f"POST {RO_WHALE} through moby-counter2 answered {divergence.answer!r}; "
            + ("its list shows it (in memory only)" if shown else "its list does not show it"),
        )
    )
    expect(
        divergence.dump_before == divergence.dump_after,
        f"expected {DUMP} on the shared volume to stay as it was after a POST through the "
        f"read-only side, found {divergence.dump_before} -> {divergence.dump_after}",
    )
    expect(
        RO_WHALE not in divergence.whales,
        f"expected redis re-created on the volume not to have {RO_WHALE} (posted through "
        f"the read-only side), found {list(divergence.whales)}",
    )
