"""Sample JSON reports (schema_version 1 + ``observations``) for the HTML report's self-tests.

A correct host and a broken one at the ``volumes`` checkpoint, with the inspect
catalog's real titles and hints. Defines no tests.
"""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

CATALOG = Path(__file__).resolve().parents[1] / "grading" / "catalog" / "inspect.toml"
POINTS = {"redis_data": 3, "redis_mount": 3, "app_connected": 2, "pattern": 1, "persisted": 3,
          "second_redis": 2, "readonly": 3, "app2": 2, "same_pattern": 1}
HEART = ["100:100", "220:100", "40:180", "160:160", "280:180", "100:260", "220:260",
         "160:340"]
FINGERPRINT = "sha256:5f0c3a9e1d2b4c6a8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d2e4f6a8b0c2d"
SENTENCE = {"fr": "Visitez la deuxième application: vous devriez voir également le motif "
                  "de moby apparaître.",
            "en": "Visitez la deuxième application: vous devriez voir également le motif "
                  "de moby apparaître."}


def _check(name: str, lang: str, status: str = "passed", score: float | None = None,
           message: str = "", **extra: Any) -> dict[str, Any]:
    entry = tomllib.loads(CATALOG.read_text(encoding="utf-8"))[f"volumes.{name}"]
    points = POINTS[name]
    return {
        "id": f"volumes.{name}", "mode": "inspect", "title": entry["title"][lang],
        "category": "Volumes", "part": "volumes", "lab_step": entry["lab_step"],
        "status": status, "score": points if score is None else score, "max_score": points,
        "informational": False, "message": message, "hint": entry["hint"][lang],
        "duration_s": 0.2, "blocked_by": None, "notes": [], "facts": [],
        "visibility": "visible", "nodeids": [f"tests/inspect/test_volumes.py::test_{name}"],
        **extra,
    }


def _topology(readonly: bool = True, app2_network: str = "moby-counter2") -> dict[str, Any]:
    def ctr(name: str, image: str, net: str, aliases: list[str], ip: str, ports: list[str],
            mounts: list[dict[str, Any]]) -> dict[str, Any]:
        return {"name": name, "image": image, "state": "running",
                "networks": {net: {"aliases": aliases, "ip": ip}}, "ports": ports,
                "mounts": mounts}

    data = {"type": "volume", "name": "redis_data", "destination": "/data", "mode": "rw"}
    return {
        "networks": [
            {"name": "moby-counter", "driver": "bridge", "subnet": "172.18.0.0/16"},
            {"name": "moby-counter2", "driver": "bridge", "subnet": "172.19.0.0/16"},
        ],
        "containers": [
            ctr("redis", "redis:alpine", "moby-counter", ["redis"], "172.18.0.2", [], [data]),
            ctr("moby-counter", "russmckendrick/moby-counter", "moby-counter", ["moby-counter"],
                "172.18.0.3", ["8080->80/tcp"], []),
            ctr("redis2", "redis:alpine", "moby-counter2", ["redis2", "redis"], "172.19.0.2", [],
                [{**data, "mode": "ro" if readonly else "rw"}]),
            ctr("moby-counter2", "russmckendrick/moby-counter", app2_network, ["moby-counter2"],
                "172.19.0.3" if app2_network == "moby-counter2" else "172.17.0.2",
                ["9090->80/tcp"], []),
        ],
        "volumes": [
            {"name": "redis_data", "anonymous": False},
            {"name": "3f9a1c0d2b7e4f6a8c1d0e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b",
             "anonymous": True},
        ],
    }


def correct_report(lang: str = "fr") -> dict[str, Any]:
    """A host where the student did everything up to the ``volumes`` checkpoint: 20/20."""
    checks = [_check(name, lang) for name in POINTS]
    checks[4]["facts"] = ["dump.rdb: 231 B" if lang == "en" else "dump.rdb : 231 o"]
    return {
        "schema_version": 1, "lab": "docker-3-reseaux-volumes", "mode": "inspect",
        "checkpoint": "volumes", "checkpoint_sentence": SENTENCE[lang], "lang": lang,
        "docker_host": "ssh://student@vm-12", "engine_version": "20.10.24+dfsg1",
        "endpoint": "127.0.0.1:8080 / 127.0.0.1:9090",
        "images": {"redis": "redis:alpine", "app": "russmckendrick/moby-counter",
                   "probe": "mobygrade-probe:1", "source": "hub"},
        "score": 20, "max_score": 20, "min_score": 20, "min_reached": True,
        "started_at": "2026-12-03T14:00:00Z", "duration_s": 41.7,
        "suite_fingerprint": FINGERPRINT,
        "selection": {"partial": False, "selected": 9, "available": 9,
                      "prerequisites_not_selected": []},
        "categories": [{"id": "volumes", "name": "Volumes", "score": 20, "max_score": 20}],
        "checks": checks,
        "observations": {
            "patterns": [
                {"app": "moby-counter", "source": "http://127.0.0.1:8080/v1/whales",
                 "whales": list(HEART)},
                {"app": "moby-counter2", "source": "http://127.0.0.1:9090/v1/whales",
                 "whales": list(HEART)},
            ],
            "compare": True,
            "topology": _topology(),
        },
    }


def broken_report(lang: str = "fr") -> dict[str, Any]:
    """redis2 mounts redis_data read-write, moby-counter2 sits on the default bridge, the two
    patterns differ and the first app's list holds garbage; the run was cut short."""
    report = copy.deepcopy(correct_report(lang))
    by_name = {c["id"].split(".")[1]: c for c in report["checks"]}
    found = "trouvé" if lang == "fr" else "found"
    by_name["readonly"].update(
        status="failed", score=0, objects=["mount:redis2:/data"],
        message=f"/data ro ; {found} : rw <b>écriture réussie</b>\x1b[31m",
        notes=["Docker ≥ 23 : docker volume prune ne supprime plus les volumes nommés"
               if lang == "fr" else "Docker ≥ 23: docker volume prune no longer removes "
               "named volumes"])
    by_name["app2"].update(
        status="failed", score=0, objects=["container:moby-counter2", "network:moby-counter2"],
        message=f"moby-counter2 → moby-counter2 ; {found} : bridge")
    by_name["same_pattern"].update(
        status="blocked", score=0, blocked_by="volumes.app2",
        message="bloquée par volumes.app2" if lang == "fr" else "blocked by volumes.app2")
    by_name["persisted"].update(status="failed", score=1.5,
                                message="dump.rdb : 12 o" if lang == "fr" else "dump.rdb: 12 B")
    report.update(score=13.5, min_reached=False, incomplete={
        "reason": "le moteur a cessé de répondre après 40 s" if lang == "fr"
        else "the engine stopped answering after 40 s"})
    report["categories"][0]["score"] = 13.5
    observations = report["observations"]
    observations["topology"] = _topology(readonly=False, app2_network="bridge")
    observations["topology"]["networks"].append({"name": "bridge", "driver": "bridge",
                                                 "subnet": "172.17.0.0/16"})
    observations["patterns"][0]["whales"] = HEART[:6] + ["400:100", "abc", "-900:20",
                                                         "99999999:1", "<svg onload=x>"]
    observations["patterns"][1]["whales"] = HEART[:5]
    return report


def not_graded_report(lang: str = "fr", scores: float | None = 0) -> dict[str, Any]:
    """A host whose engine refused the connection: every check not run, ``not_graded`` set.
    ``scores=0`` is what reports said before such a host had no score (0/20), ``None`` today's."""
    report = copy.deepcopy(correct_report(lang))
    said = "Non noté" if lang == "fr" else "Not graded"
    for check in report["checks"]:
        check.update(status="notrun", score=scores, message=said)
    report.update(score=scores, min_reached=False, engine_version=None, images=None,
                  observations=None, not_graded={
                      "reason": "le moteur refuse les connexions" if lang == "fr"
                      else "the engine refuses connections"})
    report["categories"][0]["score"] = scores
    return report
