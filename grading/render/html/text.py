"""The words of the HTML report, in French and English (see :mod:`grading.render.html`).

They are the ``html.``, ``mark.`` and ``state.`` entries of
``grading/catalog/messages.toml``, read with :func:`grading.messages.text` like every
other sentence; ``selftest/test_render_html.py`` checks that a French page holds
none of their English texts and the other way round.
"""

from __future__ import annotations

import math

from grading import messages
from grading.context import LANGS


def lang_of(value: object) -> str:
    """``fr`` or ``en``; French (the lab's language) for anything else."""
    return value if isinstance(value, str) and value in LANGS else "fr"


def text(key: str, lang: str, **values: object) -> str:
    """The page's word ``key`` (``html.<key>``) in ``lang``."""
    return messages.text(f"html.{key}", lang, **values)


def mark(kind: str, lang: str) -> str:
    """A check's mark (``mark.<kind>``): passed, partial, failed, blocked, error, skipped."""
    return messages.text(f"mark.{kind}", lang)


def state(value: object, lang: str) -> str:
    """A container's state as the engine names it (``running``, ``exited``...) in ``lang``;
    ``?`` when there is none, and a state the catalog does not know as the engine wrote it."""
    word = str(value or "?")
    return messages.text(f"state.{word}", lang) if messages.known(f"state.{word}") else word


def points(value: object, lang: str) -> str:
    """``2``, ``1.5`` (en) or ``1,5`` (fr); ``?`` for what is not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return "?"
    rounded = round(float(value), 2)
    shown = str(int(rounded)) if rounded == int(rounded) else \
        f"{rounded:.2f}".rstrip("0").rstrip(".")
    return shown.replace(".", ",") if lang == "fr" else shown
