"""A hash of everything that decides a grade, carried by every report.

An instructor compares a report's ``suite_fingerprint`` with the one of the
suite they published (``python -m grading.fingerprint``): a student who edited
a check, a fixture, the catalog, the rubric or pytest's configuration gets a
different value. Hashed:

- pytest's configuration at the checkout's root: ``pyproject.toml`` (its
  ``addopts`` can load any plugin), ``tox.ini``, ``setup.cfg`` and
  ``pytest.ini`` when present;
- every ``*.py`` at the root (``conftest.py`` and any module ``-p`` could load);
- the ``*.py`` under ``tests/`` (every ``conftest.py`` there included) and
  ``fixtures/``, and every file under ``fixtures/images/`` (the stand-in
  images' build contexts);
- the grading package's ``*.py``, the catalog files used and the rubric used
  (by content, wherever it lives).

Caches and hidden files are left out, and so is anything a run writes (logs,
reports). Line endings are normalised so a CRLF checkout matches.
"""

from __future__ import annotations

import argparse
import hashlib
from collections.abc import Iterator
from pathlib import Path

from grading.catalog import DEFAULT_DIR as DEFAULT_CATALOG_DIR
from grading.rubric import DEFAULT_PATH as DEFAULT_RUBRIC

PACKAGE_DIR = Path(__file__).parent
_SKIP_DIRS = {"__pycache__"}
_SKIP_SUFFIXES = {".pyc", ".pyo"}
CONFIG_FILES = ("pyproject.toml", "tox.ini", "setup.cfg", "pytest.ini")  # pytest reads these


def _files(base: Path, pattern: str = "*") -> Iterator[Path]:
    if not base.is_dir():
        return
    for path in sorted(base.rglob(pattern)):
        rel = path.relative_to(base).parts
        if not path.is_file() or path.suffix in _SKIP_SUFFIXES:
            continue
        if any(part in _SKIP_DIRS or part.startswith(".") for part in rel):
            continue
        yield path


def _digest(data: bytes) -> str:
    return hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest()


def suite_files(
    root: Path, catalog_dir: Path = DEFAULT_CATALOG_DIR, package_dir: Path = PACKAGE_DIR
) -> dict[str, Path]:
    """Name -> file for everything hashed except the rubric."""
    files: dict[str, Path] = {}
    for name in CONFIG_FILES:
        if (root / name).is_file():
            files[name] = root / name
    for path in sorted(root.glob("*.py")):
        if path.is_file() and not path.name.startswith("."):
            files[path.name] = path
    for base, pattern in (("tests", "*.py"), ("fixtures", "*.py"), ("fixtures/images", "*")):
        for path in _files(root / base, pattern):
            files[f"{base}/{path.relative_to(root / base).as_posix()}"] = path
    for path in _files(package_dir, "*.py"):
        files[f"grading/{path.relative_to(package_dir).as_posix()}"] = path
    for path in sorted(catalog_dir.glob("*.toml")):
        files[f"catalog/{path.name}"] = path
    return files


def fingerprint(
    root: Path,
    rubric_text: bytes,
    catalog_dir: Path = DEFAULT_CATALOG_DIR,
    package_dir: Path = PACKAGE_DIR,
) -> str:
    """``sha256:<hex>`` over the suite's files (names and contents) and the rubric used."""
    lines = [f"{name}\0{_digest(path.read_bytes())}\n" for name, path in
             sorted(suite_files(root, catalog_dir, package_dir).items())]
    lines.append(f"rubric\0{_digest(rubric_text)}\n")
    return "sha256:" + hashlib.sha256("".join(lines).encode()).hexdigest()


def main(argv: list[str] | None = None) -> int:
    """Print the fingerprint a graded run of this checkout would carry."""
    parser = argparse.ArgumentParser(
        prog="python -m grading.fingerprint",
        description="The suite_fingerprint that reports of this checkout carry.",
    )
    parser.add_argument("root", nargs="?", default=".", help="the suite's checkout (default: .)")
    parser.add_argument("--rubric", default=None, help="the rubric the run uses (default: built-in)")
    parser.add_argument("--catalog-dir", default=None, help="the catalog directory used")
    parser.add_argument("--list", action="store_true", help="also list the files hashed")
    args = parser.parse_args(argv)
    root = Path(args.root).resolve()
    rubric = Path(args.rubric) if args.rubric else DEFAULT_RUBRIC
    catalog_dir = Path(args.catalog_dir) if args.catalog_dir else DEFAULT_CATALOG_DIR
    if args.list:
        for name in sorted(suite_files(root, catalog_dir)):
            print(name)
    print(fingerprint(root, rubric.read_bytes(), catalog_dir))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
