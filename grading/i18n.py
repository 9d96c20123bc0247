"""The words of the grade summary and the text reports, in French and English.

Check titles and hints live in the catalog; these are the words around them, the
``summary.`` and ``mark.`` entries of ``grading/catalog/messages.toml`` (read with
:func:`grading.messages.text`). ``fr`` is the lab's language and the default.
"""

from __future__ import annotations

from grading import messages

MARK_KINDS = ("passed", "partial", "failed", "blocked", "error", "skipped", "notrun")


def text(key: str, lang: str, **values: object) -> str:
    """The summary's word ``key`` (``summary.<key>``) in ``lang``, French when unknown."""
    return messages.text(f"summary.{key}", lang, **values)


def mark(kind: str, lang: str) -> str:
    """The word for a check's mark: passed, partial, failed, blocked, error, skipped, notrun."""
    return messages.text(f"mark.{kind}", lang)


def not_graded_line(reason: str, lang: str) -> str:
    """``Not graded: <reason>`` (``Non noté : …``): a host that could not be graded has no score."""
    return f"{text('not_graded', lang)}{colon(lang)}{reason}"


def incomplete_line(reason: str, lang: str) -> str:
    """``Incomplete run: <reason>`` (``Évaluation incomplète : …``)."""
    return f"{text('incomplete', lang)}{colon(lang)}{reason}"


def colon(lang: str) -> str:
    """``" : "`` in French (a space before the colon), ``": "`` in English."""
    return " : " if lang == "fr" else ": "


def semicolon(lang: str) -> str:
    """``" ; "`` in French (a space before the semicolon), ``"; "`` in English."""
    return " ; " if lang == "fr" else "; "


def points(value: float, lang: str) -> str:
    """``2``, ``1.5`` (en) or ``1,5`` (fr): never truncated, at most two decimals."""
    rounded = round(value, 2)
    if rounded == int(rounded):
        shown = str(int(rounded))
    else:
        shown = f"{rounded:.2f}".rstrip("0").rstrip(".")
    return shown.replace(".", ",") if lang == "fr" else shown
