"""Escaping and the inline sprite (the whale and the status icons) of the HTML report."""

from __future__ import annotations

import html
from typing import Any

WHALE_W, WHALE_H = 110, 100  # the app's picture; a whale "x:y" is its top-left corner
MAX_COORD = 100_000  # beyond this a whale is garbage: no screen is that large
MAX_DRAWN = 2000  # whales drawn per app; the rest are counted, so the page stays small
MAX_LISTED = 50  # garbage entries and differences listed per app
MAX_PATTERN_W, MAX_PATTERN_H = 460, 420  # the pattern is scaled down to fit, never up
PAD = 10
MARGIN, COL_W, GAP = 12, 290, 24
CHAR_W = 7.3  # the advance of 12px monospace (DejaVu Sans Mono: 0.602 em), to cut lines
NAME, LINE = 28, 34  # characters that fit a container box (first line: room for a badge)
MAX_LEGEND = 20
VOL_W, VOL_H = 210, 48
MAX_COLUMNS, MAX_PER_COLUMN, MAX_VOLUMES, MAX_TEXT_ITEMS = 8, 16, 30, 300
MAX_PATTERNS = 6  # apps whose pattern is drawn
MAX_TEXT = 4000  # characters shown of one message, hint, note or fact

# --- escaping ---------------------------------------------------------------------------

_BIDI = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}


def clean(value: object, limit: int | None = None) -> str:
    """``value`` as text a page can show: control, surrogate and bidi characters as ``\\xNN``."""
    raw = value if isinstance(value, str) else str(value)
    if limit is not None and len(raw) > limit:
        raw = raw[:limit] + "…"
    out = []
    for ch in raw:
        code = ord(ch)
        if ch in "\t\n":
            out.append(ch)
        elif code < 0x20 or 0x7F <= code < 0xA0:
            out.append(f"\\x{code:02x}")
        elif 0xD800 <= code < 0xE000 or code in _BIDI or code in (0x2028, 0x2029, 0xFEFF):
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


def esc(value: object, limit: int | None = None) -> str:
    """Escaped for HTML text and attribute values (quotes included)."""
    return html.escape(clean(value, limit), quote=True)


def fenced(value: object) -> list[Any]:
    """A list from the report, or an empty one when the field is absent or not a list."""
    return list(value) if isinstance(value, (list, tuple)) else []


def fmt_num(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.2f}".rstrip("0").rstrip(".")


# --- the sprite: the whale and the status icons, defined once, used via <use> --------------

_ICONS = {
    "ok": '<circle cx="8" cy="8" r="8"/><path d="M4 8.5l2.6 2.6L12 5.6" fill="none" '
          'stroke="#fff" stroke-width="2"/>',
    "no": '<circle cx="8" cy="8" r="8"/><path d="M5 5l6 6M11 5l-6 6" stroke="#fff" '
          'stroke-width="2"/>',
    "partial": '<circle cx="8" cy="8" r="7" fill="none" stroke="currentColor" '
               'stroke-width="2"/><path d="M8 1a7 7 0 0 1 0 14z"/>',
    "error": '<path d="M5 0h6l5 5v6l-5 5H5l-5-5V5z"/><path d="M7 3h2v6H7zM7 11h2v2H7z" '
             'fill="#fff"/>',
    "blocked": '<circle cx="8" cy="8" r="8"/><path d="M3.5 7h9v2h-9z" fill="#fff"/>',
    "skip": '<circle cx="8" cy="8" r="7" fill="none" stroke="currentColor" stroke-width="2"/>'
            '<path d="M5 7h6v2H5z"/>',
    "warn": '<path d="M8 0.5L16 15.5H0z"/><path d="M7 5h2v5.5H7zM7 12h2v2H7z" fill="#fff"/>',
}
# fixtures/images/moby-counter/static/whale.svg (the stand-in's picture), behind a transparent
# 110x100 rect so that a whale's box is its picture's box, as on the app's page.
_WHALE = (
    '<g id="mg-whale"><rect width="110" height="100" fill="#fff" fill-opacity="0"/>'
    '<path d="M44 30 q-2 -12 -10 -18 M44 30 q0 -14 0 -22 M44 30 q2 -12 10 -18" fill="none" '
    'stroke="#5fb0f0" stroke-width="3" stroke-linecap="round"/>'
    '<path d="M88 58 q8 -6 18 -20 q-2 16 -8 22 q8 4 10 16 q-12 -8 -22 -8 z" fill="#1d63ed"/>'
    '<path d="M6 62 q0 -28 40 -28 q34 0 44 24 q-6 30 -44 30 q-40 0 -40 -26 z" fill="#1d63ed"/>'
    '<path d="M12 70 q14 14 36 14 q26 0 36 -14 q-28 8 -72 0 z" fill="#e8f4fb"/>'
    '<circle cx="26" cy="56" r="4" fill="#fff"/><circle cx="27" cy="56" r="2" fill="#0b214a"/>'
    '<path d="M46 68 q4 12 -6 16 q0 -10 6 -16 z" fill="#0b3fa8"/></g>'
)
SPRITE = (
    '<svg class="sprite" aria-hidden="true" focusable="false"><defs>' + _WHALE
    + "".join(f'<symbol id="mg-i-{name}" viewBox="0 0 16 16" fill="currentColor">{body}</symbol>'
              for name, body in _ICONS.items())
    + "</defs></svg>"
)


def icon(name: str) -> str:
    return (f'<svg class="icon" aria-hidden="true" focusable="false">'
            f'<use href="#mg-i-{name}"/></svg>')


def flag_badge(number: int) -> str:
    """The mark of failed check ``number``: the warning icon and the number (not colour alone)."""
    return f'<span class="flagno">{icon("warn")}{number}</span> '




def page_head(lang: str, title: str, css: str, skip_to: str, skip_text: str) -> list[str]:
    """The opening of a standalone page: its language, a policy that fetches nothing (inline
    styles and ``data:`` images only), its title and styles, and the skip link to ``#skip_to``."""
    return [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        ('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
         "style-src 'unsafe-inline'; img-src data:\">"),
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',
        f"<title>{esc(title)}</title><style>{css}</style></head><body>",
        f'<a class="skip" href="#{skip_to}">{esc(skip_text)}</a>',
    ]
