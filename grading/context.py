"""The run context: every value and stash key that crosses between mobygrade's plugins.

Both plugins import this module; neither reads the other's private state.

- Constants, defined once: :data:`MODES`, :data:`PARTS` (the lab's three parts,
  which are also inspect mode's checkpoints), :data:`LANGS`, :data:`IMAGE_SOURCES`.
- :class:`LabSettings` under :data:`SETTINGS_KEY`: the lab options, resolved once by
  the lab plugin (``fixtures.settings.resolve``) in ``pytest_configure``.
- :data:`RUN_KEY`: this run's identity (labels), set by the lab plugin.
- :data:`ENGINE_KEY`: the session's engine or the reason it cannot be used, set once
  by ``fixtures.engine.session_engine``.
- :data:`IMAGES_KEY`: the lab's images, once resolved (``fixtures.images.plugin``).
- :data:`RUN_INFO_KEY`: what the reports say about the run (endpoint, engine,
  images, observations), plain JSON data filled by :func:`record`. The grading
  plugin reads only this and :data:`SETTINGS_KEY`.

A walk of ``--checkpoint`` or ``--lab-images``: ``fixtures.settings.add_options``
(choices from here) -> ``fixtures.settings.resolve`` -> ``SETTINGS_KEY`` ->
collection (``fixtures.plugin.pytest_ignore_collect``, :func:`check_module`) and
images (``fixtures.images.plugin.resolve``) -> :func:`record` -> ``RUN_INFO_KEY`` ->
``grading.reporter`` -> the reports.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from fixtures.engine import Engine, EngineUnavailable
    from fixtures.images.lab import LabImages
    from fixtures.labels import RunIdentity

MODES = ("provision", "inspect")
PARTS = ("networks", "volumes", "cleanup")  # the lab's parts = inspect mode's checkpoints
LANGS = ("fr", "en")
IMAGE_SOURCES = ("hub", "local", "auto")
APP_READS = ("auto", "grader", "engine")  # inspect: where the apps' pages are read from


def check_module(part: str) -> str:
    """The file that holds a part's checks in ``tests/<mode>/``."""
    return f"test_{part}.py"


def module_part(filename: str) -> str | None:
    """The part a ``tests/<mode>/`` file holds, or None for any other file."""
    for part in PARTS:
        if filename == check_module(part):
            return part
    return None


@dataclass(frozen=True)
class LabSettings:
    """The lab options of one run (``fixtures.settings.resolve``)."""

    mode: str = "provision"
    checkpoint: str | None = None
    images: str = "auto"
    keep: bool = False
    app_reads: str = "auto"


SETTINGS_KEY = pytest.StashKey[LabSettings]()
RUN_KEY: pytest.StashKey[RunIdentity] = pytest.StashKey()
ENGINE_KEY: pytest.StashKey[Engine | EngineUnavailable] = pytest.StashKey()
IMAGES_KEY: pytest.StashKey[LabImages] = pytest.StashKey()
EXIT_STATUS_KEY = pytest.StashKey[int]()  # a run stopped before its checks (no engine)

# The run's language and its sentences: ``say(config, message)`` gives any text a person
# reads (grading.messages.Message, or plain data) in the run's language. Set by the
# grading plugin in pytest_configure; without it (no grading plugin) messages show in English.
SAY_KEY: pytest.StashKey[Callable[[object], str]] = pytest.StashKey()

# What the reports say about the run, as plain JSON data (it crosses xdist workers
# in report.user_properties). Keys: docker_host, endpoint, engine_version, images,
# observations, not_graded. Fixtures write it through record().
RUN_INFO_KEY = pytest.StashKey[dict[str, Any]]()


def settings(config: pytest.Config) -> LabSettings | None:
    """The run's lab settings, or None when the lab plugin is not loaded."""
    return config.stash.get(SETTINGS_KEY, None)


def say(config: pytest.Config, value: object) -> str:
    """``value`` (a Message, or plain text) as the person running the suite reads it."""
    speak = config.stash.get(SAY_KEY, None)
    return speak(value) if speak is not None else str(value)


def record(config: pytest.Config, **values: Any) -> None:
    """Add facts about the run to the reports' header (``None`` values are left out)."""
    info = config.stash.setdefault(RUN_INFO_KEY, {})
    for key, value in values.items():
        if value is not None:
            info[key] = json.loads(json.dumps(value, default=str))


def run_info(config: pytest.Config) -> dict[str, Any]:
    """A copy of what the run recorded, for the reports."""
    info: dict[str, Any] = config.stash.get(RUN_INFO_KEY, {})
    return dict(info)
