"""A test plugin (``-p selftest.midrun_plugin``) that lets a self-test kill the engine mid-run.

Before the graded check named by ``MOBYGRADE_MIDRUN_CHECK`` runs, it creates the
file ``MOBYGRADE_MIDRUN_SIGNAL`` and waits (bounded) for ``<file>.done``: the test
takes the engine away in between.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fixtures.wait import wait_until

WAIT_S = 20.0


def pytest_runtest_setup(item: pytest.Item) -> None:
    signal = os.environ.get("MOBYGRADE_MIDRUN_SIGNAL")
    if not signal or not item.nodeid.endswith(os.environ.get("MOBYGRADE_MIDRUN_CHECK", "?")):
        return
    Path(signal).touch()
    wait_until(lambda: Path(signal + ".done").exists(), timeout=WAIT_S,
               what="the self-test to take the engine away")
