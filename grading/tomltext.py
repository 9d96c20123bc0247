"""TOML texts parsed once per process, and once for all the forked runs of a class.

Every run parses the same catalog, messages and rubric files; a class run parses
them before it forks its hosts' runs (``grading.classrun.scheduler.preload``), so
each run finds them here. Keyed by the text itself: an edited file is parsed anew.
"""

from __future__ import annotations

import functools
import tomllib
from typing import Any


@functools.lru_cache(maxsize=32)
def parsed(text: str) -> dict[str, Any]:
    """``tomllib.loads(text)``, remembered. Callers read the document and never change it."""
    return tomllib.loads(text)
