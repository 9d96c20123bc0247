"""Which graded checks exist, read statically from ``tests/<mode>/test_<part>.py``.

The rubric is validated against this at configure time, before collection, any
import of the check modules or any Docker work, and whatever ``-k`` selects.
Functions are found with :mod:`ast` (module-level ``def test_*`` and methods of
``class Test*``), falling back to a line scan when a file does not parse.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

from grading.context import MODES, PARTS, check_module

_DEF_LINE = re.compile(r"^\s*(?:async\s+)?def\s+test_(\w+)\s*\(", re.MULTILINE)


@dataclass(frozen=True)
class KnownChecks:
    """The check names defined per (mode, part), in file order.

    A (mode, part) whose module does not exist is absent from ``modules``: rubric
    entries for it are *dormant* (accepted, never graded), so that a checkout
    without, say, the inspect checks still grades provision runs.
    """

    tests_dir: Path
    modules: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)

    def ids(self, mode: str, part: str | None = None) -> list[str]:
        """Check ids of ``mode`` (optionally one part), in part then file order."""
        return [
            f"{p}.{name}"
            for p in PARTS
            if part is None or p == part
            for name in self.modules.get((mode, p), ())
        ]

    def problem(self, mode: str, check_id: str) -> str | None:
        """Why ``check_id`` of ``mode`` is not a known check, or None when it is (or is dormant)."""
        if mode not in MODES:
            return f"unknown mode {mode!r} (use {' or '.join(MODES)})"
        part, dot, name = check_id.partition(".")
        if not dot or not name or part not in PARTS:
            return (
                f"unknown check id {check_id!r}: expected <part>.<name> "
                f"with part one of {', '.join(PARTS)}"
            )
        names = self.modules.get((mode, part))
        if names is None or name in names:
            return None
        return (
            f"unknown check id {check_id!r}: no `def test_{name}` in "
            f"tests/{mode}/{check_module(part)}"
        )


def _names_in(source: str) -> tuple[str, ...]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return tuple(dict.fromkeys(_DEF_LINE.findall(source)))
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.name.startswith("test_"):
                names.append(node.name[len("test_") :])
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            names += [
                sub.name[len("test_") :]
                for sub in node.body
                if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef))
                and sub.name.startswith("test_")
            ]
    return tuple(dict.fromkeys(names))


def scan(tests_dir: Path) -> KnownChecks:
    """Read every ``tests/<mode>/test_<part>.py`` under ``tests_dir`` (missing files are fine)."""
    modules: dict[tuple[str, str], tuple[str, ...]] = {}
    for mode in MODES:
        for part in PARTS:
            path = tests_dir / mode / check_module(part)
            if path.is_file():
                modules[(mode, part)] = _names_in(path.read_text(encoding="utf-8", errors="replace"))
    return KnownChecks(tests_dir=tests_dir, modules=modules)
