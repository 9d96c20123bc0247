"""The grading options: declared once, each with an ini twin, validated in ``pytest_configure``.

Value parsers are pure and raise :class:`OptionError` with one line naming the
option and the problem; the plugin turns it into ``pytest.UsageError`` (exit 4)
before collection, hence before any Docker work.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from grading.catalog import DEFAULT_DIR as DEFAULT_CATALOG_DIR
from grading.context import LANGS
from grading.messages import SaidError, Text, says
from grading.rubric import DEFAULT_PATH as DEFAULT_RUBRIC
from grading.scoring import MinSpec

REPORT_FORMATS = ("json", "gradescope", "classroom", "junit", "markdown", "html")


class OptionError(SaidError):
    """A bad option value: one sentence naming the option (``text(lang)``; ``str()`` English)."""


@dataclass(frozen=True)
class ReportSpec:
    fmt: str
    path: Path


@dataclass(frozen=True)
class GradingOptions:
    rubric_path: Path = DEFAULT_RUBRIC
    catalog_dir: Path = DEFAULT_CATALOG_DIR
    lang: str = "fr"
    reports: tuple[ReportSpec, ...] = ()
    minimum: MinSpec | None = None


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("mobygrade-grading", "mobygrade: grade and reports")
    group.addoption(
        "--rubric", metavar="PATH", default=None,
        help="rubric TOML (points, categories, prerequisites) replacing grading/rubric.toml.",
    )
    group.addoption(
        "--lang", metavar="fr|en", default=None,
        help="language of the grade summary, hints and reports "
        "(default: from LC_ALL/LC_MESSAGES/LANG, French unless English).",
    )
    group.addoption(
        "--grade-report", metavar="FORMAT:PATH", action="append", default=[],
        help="write a report; repeatable. FORMAT: " + ", ".join(REPORT_FORMATS) + ".",
    )
    group.addoption(
        "--grade-min", metavar="N|P%", default=None,
        help="exit 0 only when the score reaches N points or P%% of the run's maximum "
        "(default: full marks).",
    )
    parser.addini("grading_rubric", "default for --rubric (relative to the ini file)", default="")
    parser.addini("grading_lang", "default for --lang", default="")
    parser.addini("grading_reports", "default --grade-report values", type="linelist", default=[])
    parser.addini("grading_min", "default for --grade-min", default="")
    parser.addini(
        "grading_catalog", "directory of the check catalogs <mode>.toml", default=""
    )


def default_lang(env: Mapping[str, str]) -> str:
    """``en`` when the locale (LC_ALL, then LC_MESSAGES, then LANG) is English, else ``fr``."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "")
        if value:
            return "en" if value.lower().startswith("en") else "fr"
    return "fr"


def error_lang(config: pytest.Config, env: Mapping[str, str] | None = None) -> str:
    """The language of a usage error: ``--lang``, else ``grading_lang`` (ini), else the
    locale; a value that is not a language (``--lang de``) gives the locale's."""
    env = os.environ if env is None else env
    for name, get in (("lang", config.getoption), ("grading_lang", config.getini)):
        try:
            value = str(get(name) or "").strip().lower()
        except ValueError:  # the grading plugin (which declares them) is not loaded
            continue
        if value:
            return value if value in LANGS else default_lang(env)
    return default_lang(env)


def parse_lang(value: str, where: str) -> str:
    lang = value.strip().lower()
    if lang not in LANGS:
        raise OptionError(says("usage.unknown_lang", where=where, value=repr(value)))
    return lang


def parse_min(value: str, where: str) -> MinSpec:
    """``17`` (points), ``17.5`` or ``80%`` (of the run's maximum)."""
    text = value.strip()
    percent = text.endswith("%")
    number = text[:-1].strip() if percent else text
    try:
        amount = float(number.replace(",", "."))
    except ValueError:
        raise OptionError(says("usage.min_not_number", where=where, value=repr(value))) from None
    if not math.isfinite(amount) or amount < 0 or (percent and amount > 100):
        raise OptionError(says("usage.min_out_of_range", where=where, value=repr(value)))
    return MinSpec(value=amount, percent=percent)


def check_writable(path: Path) -> Text | None:
    """Why a report cannot be written at ``path``, or None when it can (nothing is created)."""
    if path.is_dir():
        return says("usage.is_directory")
    if path.exists():
        return None if os.access(path, os.W_OK) else says("usage.not_writable")
    parent = path.parent
    while not parent.exists():
        if parent.parent == parent:
            return says("usage.no_parent")
        parent = parent.parent
    if not parent.is_dir():
        return says("usage.parent_not_directory", parent=str(parent))
    if not os.access(parent, os.W_OK | os.X_OK):
        return says("usage.parent_not_writable", parent=str(parent))
    return None


def parse_report(value: str, where: str, base: Path) -> ReportSpec:
    fmt, sep, raw_path = value.partition(":")
    fmt = fmt.strip().lower()
    if not sep or not raw_path.strip():
        raise OptionError(says("usage.report_form", where=where, value=repr(value)))
    if fmt not in REPORT_FORMATS:
        raise OptionError(says("usage.report_format", where=where, value=repr(value),
                               fmt=repr(fmt), formats=", ".join(REPORT_FORMATS)))
    path = Path(os.path.expanduser(raw_path.strip()))
    path = path if path.is_absolute() else base / path
    problem = check_writable(path)
    if problem:
        raise OptionError(says("usage.report_unwritable", where=where, value=repr(value),
                               path=str(path), problem=problem))
    return ReportSpec(fmt=fmt, path=path)


def _ini_path(config: pytest.Config, value: str) -> Path:
    path = Path(os.path.expanduser(value))
    base = config.inipath.parent if config.inipath else config.rootpath
    return path if path.is_absolute() else base / path


def resolve(config: pytest.Config, env: Mapping[str, str] | None = None) -> GradingOptions:
    """The options as one frozen object, or :class:`OptionError`."""
    env = os.environ if env is None else env
    cwd = config.invocation_params.dir
    rubric_opt = config.getoption("rubric")
    rubric_ini = str(config.getini("grading_rubric"))
    if rubric_opt:
        rubric = Path(os.path.expanduser(rubric_opt))
        rubric = rubric if rubric.is_absolute() else cwd / rubric
    else:
        rubric = _ini_path(config, rubric_ini) if rubric_ini else DEFAULT_RUBRIC
    catalog_ini = str(config.getini("grading_catalog"))
    catalog_dir = _ini_path(config, catalog_ini) if catalog_ini else DEFAULT_CATALOG_DIR
    if catalog_ini and not catalog_dir.is_dir():
        raise OptionError(says("usage.not_a_directory", where="grading_catalog (ini)",
                               path=str(catalog_dir)))

    lang_opt = config.getoption("lang")
    lang_ini = str(config.getini("grading_lang"))
    if lang_opt is not None:
        lang = parse_lang(lang_opt, "--lang")
    elif lang_ini:
        lang = parse_lang(lang_ini, "grading_lang (ini)")
    else:
        lang = default_lang(env)

    reports = [parse_report(v, "--grade-report", cwd) for v in config.getoption("grade_report")]
    if not reports:
        base = config.inipath.parent if config.inipath else config.rootpath
        reports = [
            parse_report(v, "grading_reports (ini)", base)
            for v in config.getini("grading_reports")
        ]
    min_opt = config.getoption("grade_min")
    min_ini = str(config.getini("grading_min"))
    minimum = None
    if min_opt is not None:
        minimum = parse_min(min_opt, "--grade-min")
    elif min_ini:
        minimum = parse_min(min_ini, "grading_min (ini)")
    return GradingOptions(
        rubric_path=rubric, catalog_dir=catalog_dir, lang=lang,
        reports=tuple(reports), minimum=minimum,
    )
