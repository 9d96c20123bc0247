"""What graded checks and fixtures use to speak to the grading plugin.

- ``raise CheckFailed(msg)`` (or a plain ``assert``) fails the check. Raised from
  a *fixture* it still counts as the student's failure (status ``failed``), not
  a suite error: fixtures use it for "the student's object is missing".
- ``partial(0.5, msg)`` fails the check with a fraction of its points.
- ``request.node.user_properties`` carries the results across xdist workers;
  the keys below are the contract with ``grading.plugin``.
"""

from __future__ import annotations

from typing import NoReturn

FRACTION_KEY = "mobygrade.fraction"  # float in [0, 1]: share of the check's points earned
STATUS_KEY = "mobygrade.status"  # forced status: "failed" for a CheckFailed raised in setup
DRIFT_KEY = "mobygrade.drift"  # str: a lab-drift note (the lab's text vs today's software)
FACT_KEY = "mobygrade.fact"  # str: an informational fact (engine version, prune semantics)


class CheckFailed(AssertionError):
    """The student's lab (or the host) does not do what the check expects.

    ``message`` says expected versus found; the hint comes from the catalog.
    """

    fraction: float = 0.0


class PartialCredit(CheckFailed):
    """A failed check that still earns ``fraction`` of its points."""

    def __init__(self, fraction: float, message: str) -> None:
        if not 0.0 <= fraction <= 1.0:
            raise ValueError(f"fraction must lie in [0, 1], got {fraction}")
        super().__init__(message)
        self.fraction = fraction


def partial(fraction: float, message: str) -> NoReturn:
    """Fail the current check, granting ``fraction`` of its points."""
    raise PartialCredit(fraction, message)
