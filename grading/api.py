"""What graded checks and fixtures use to speak to the grading plugin.

- ``raise CheckFailed(says("key", value=...))`` (or a plain ``assert``) fails the
  check; every sentence is a key of ``grading/catalog/messages.toml`` (fr and en). Raised from
  a *fixture* it still counts as the student's failure (status ``failed``), not
  a suite error: fixtures use it for "the student's object is missing".
- ``partial(0.5, msg)`` fails the check with a fraction of its points.
- ``request.node.user_properties`` carries the results across xdist workers;
  the keys below are the contract with ``grading.plugin``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NoReturn

from grading import context
from grading.messages import Message, Text, engine_state, joined, objects_said, says

__all__ = [
    "CheckBlocked", "CheckFailed", "Message", "PartialCredit", "Text", "engine_state",
    "expect", "joined", "objects_said", "partial", "says",
]

FRACTION_KEY = "mobygrade.fraction"  # float in [0, 1]: share of the check's points earned
STATUS_KEY = "mobygrade.status"  # forced status: "failed" for a CheckFailed raised in setup
DRIFT_KEY = "mobygrade.drift"  # Text: a lab-drift note (the lab's text vs today's software)
FACT_KEY = "mobygrade.fact"  # Text: an informational fact (engine version, prune semantics)
OBJECTS_KEY = "mobygrade.objects"  # list[str]: what a failed check is about (set by the plugin)
HINT_KEY = "mobygrade.hint"  # str: a hint fitting the host's state, shown instead of the catalog's

# Set by grading.plugin itself (worker side), read by its reporter (controller side).
MESSAGE_KEY = "mobygrade.message"  # str: the failure/skip text, one per phase
BLOCKED_KEY = "mobygrade.blocked_by"  # str: the prerequisite check id that blocked it
RUN_INFO_PROP = "mobygrade.run_info"  # dict: this process's run info, for the reports

# Fixtures add what they know about the run to the report header with
# ``grading.context.record(config, images={...}, engine_version="20.10.24")``.
RUN_INFO_KEY = context.RUN_INFO_KEY


class CheckFailed(AssertionError):
    """The student's lab (or the host) does not do what the check expects.

    ``message`` says expected versus found (a :class:`Message`, shown in the run's
    language); the hint comes from the catalog unless ``hint`` gives one that fits
    what the check found (a stopped container: ``docker container start NAME``).
    ``objects`` names what the failure
    is about (``container:redis2``, ``network:moby-counter2``, ``volume:redis_data``,
    ``mount:redis2:/data``): the HTML report marks them on its diagram.
    """

    fraction: float = 0.0

    def __init__(self, message: Text = "", *, objects: Sequence[str] = (),
                 hint: Text | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.objects = tuple(objects)
        self.hint = hint


class PartialCredit(CheckFailed):
    """A failed check that still earns ``fraction`` of its points."""

    def __init__(self, fraction: float, message: Text, *, objects: Sequence[str] = (),
                 hint: Text | None = None) -> None:
        if not 0.0 <= fraction <= 1.0:
            raise ValueError(f"fraction must lie in [0, 1], got {fraction}")
        super().__init__(message, objects=objects, hint=hint)
        self.fraction = fraction


class CheckBlocked(Exception):
    """The check could not measure what it grades: status ``blocked``, 0 points, never failed.

    ``reason`` says why (a stopped container, a step that could not run); ``by``
    names what blocked it (a provision step, a check) when there is one; ``hint``
    what would make it measurable (``docker container start redis``), shown instead
    of the catalog's hint.
    """

    def __init__(self, reason: Text, by: str | None = None, *, hint: Text | None = None) -> None:
        super().__init__(reason)
        self.message = reason
        self.by = by
        self.hint = hint


def expect(condition: object, message: Text) -> None:
    """Fail the current check with ``message`` (expected versus found) unless ``condition``."""
    if not condition:
        raise CheckFailed(message)


def partial(fraction: float, message: Text, *, hint: Text | None = None) -> NoReturn:
    """Fail the current check, granting ``fraction`` of its points."""
    raise PartialCredit(fraction, message, hint=hint)
