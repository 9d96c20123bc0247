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
from grading.api import DRIFT_KEY, FACT_KEY, expect, says

ANONYMOUS_NAME = re.compile(r"^[0-9a-f]{64}$")


def test_anonymous_volume(
    volumes_lab: VolumesLab, docker_client: docker.DockerClient, request: pytest.FixtureRequest
) -> None:
    """The redis container has an anonymous volume at /data (the lab's "volume caché")."""
    anon: Anon = volumes_lab.step("anon")
    notes = request.node.user_properties
    if DATA not in anon.declared:
        notes.append((DRIFT_KEY, says("provision.drift_no_volume", image=anon.image)))
    expect(
        anon.mount is not None and anon.mount.get("Type") == "volume",
        says("provision.anon_mount", path=DATA,
             mount=str(anon.mount) if anon.mount else says("provision.no_mount_at", path=DATA)),
    )
    expect(
        ANONYMOUS_NAME.match(anon.volume),
        says("provision.anon_name", path=DATA, volume=repr(anon.volume)),
    )
    labels = _volume_labels(docker_client, anon.volume)
    present = ANONYMOUS_LABEL in labels
    notes.append((FACT_KEY, says("provision.anon_label_present" if present
                                 else "provision.anon_label_absent",
                                 volume=anon.volume[:12], label=ANONYMOUS_LABEL)))


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
        says("provision.recreate", whales=str(list(recreate.whales)),
             mount=str(recreate.mount) if recreate.mount else says("provision.no_mount")),
    )


def test_anonymous_reattach(volumes_lab: VolumesLab) -> None:
    """Redis re-created on the earlier anonymous volume (by id) brings the pattern back."""
    anon: Anon = volumes_lab.step("anon")
    reattach: Reattach = volumes_lab.step("reattach")
    expect(
        reattach.volume,
        says("provision.reattach_none",
             mount=str(anon.mount) if anon.mount else says("provision.no_mount")),
    )
    expect(
        holds(list(reattach.whales), list(anon.pattern)),
        says("provision.reattach_pattern", volume=reattach.volume[:12],
             pattern=str(list(anon.pattern)), whales=str(list(reattach.whales))),
    )
    expect(
        DUMP in reattach.listing,
        says("provision.reattach_dump", dump=DUMP, listing=repr(reattach.listing.strip())),
    )


def test_named_persists(volumes_lab: VolumesLab) -> None:
    """With the named volume redis_data, the pattern survives removing and re-creating redis."""
    named: Named = volumes_lab.step("named")
    expect(
        holds(list(named.after), list(named.pattern)),
        says("provision.named", pattern=str(list(named.pattern)), volume=named.volume,
             whales=str(list(named.after))),
    )


def test_readonly(volumes_lab: VolumesLab) -> None:
    """redis2 shares redis_data `:ro`: inspect says RW false, writes to /data fail, SAVE fails."""
    share: Share = volumes_lab.step("share")
    mount = share.mount or {}
    expect(
        mount and mount.get("RW") is False,
        says("provision.ro_mount", path=DATA, mount=str(mount) if mount else says("provision.none")),
    )
    expect(
        share.write_failed,
        says("provision.ro_write", path=DATA),
    )
    expect(
        share.save_reply != "OK",
        says("provision.ro_save", path=DATA, reply=repr(share.save_reply)),
    )


def test_same_pattern(volumes_lab: VolumesLab) -> None:
    """moby-counter2 shows the pattern saved by the first app (through the shared volume)."""
    same: Same = volumes_lab.step("same")
    expect(
        holds(list(same.whales), list(same.pattern)),
        says("provision.same_pattern", pattern=str(list(same.pattern)),
             whales=str(list(same.whales))),
    )


def test_ro_no_divergence_on_disk(
    volumes_lab: VolumesLab, request: pytest.FixtureRequest
) -> None:
    """A whale POSTed through the read-only side never reaches dump.rdb."""
    divergence: Divergence = volumes_lab.step("divergence")
    shown = RO_WHALE in divergence.app2_whales
    request.node.user_properties.append(
        (FACT_KEY, says("provision.ro_post_shown" if shown else "provision.ro_post_not_shown",
                        whale=RO_WHALE, answer=repr(divergence.answer)))
    )
    expect(
        divergence.dump_before == divergence.dump_after,
        says("provision.dump_changed", dump=DUMP, before=divergence.dump_before,
             after=divergence.dump_after),
    )
    expect(
        RO_WHALE not in divergence.whales,
        says("provision.ro_whale_persisted", whale=RO_WHALE, whales=str(list(divergence.whales))),
    )
