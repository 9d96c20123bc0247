"""The student's whale patterns as inline SVG, at their real coordinates."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from grading.render.html.markup import (
    MAX_COORD,
    MAX_DRAWN,
    MAX_LISTED,
    MAX_PATTERN_H,
    MAX_PATTERN_W,
    MAX_PATTERNS,
    PAD,
    WHALE_H,
    WHALE_W,
    esc,
    fenced,
    fmt_num,
    icon,
)
from grading.render.html.text import text

# --- the student's pattern ---------------------------------------------------------------

_WHALE_RE = re.compile(r"(-?[0-9]{1,6}(?:\.[0-9]{1,4})?):(-?[0-9]{1,6}(?:\.[0-9]{1,4})?)")


def parse_whale(raw: object) -> tuple[float, float] | None:
    """The top-left corner of one whale ``"x:y"``, or None for what the page could not have
    stored: not ``x:y``, a click off the page (x < -55, y < -50) or beyond ``MAX_COORD``."""
    if not isinstance(raw, str):
        return None
    found = _WHALE_RE.fullmatch(raw)
    if found is None:
        return None
    x, y = float(found[1]), float(found[2])
    if -WHALE_W / 2 <= x <= MAX_COORD and -WHALE_H / 2 <= y <= MAX_COORD:
        return x, y
    return None


@dataclass
class _Pattern:
    app: str
    source: str
    answered: bool
    error: str
    valid: list[tuple[str, float, float]] = field(default_factory=list)
    garbage: list[object] = field(default_factory=list)


def _pattern(entry: Mapping[str, Any]) -> _Pattern:
    whales = entry.get("whales")
    found = _Pattern(str(entry.get("app") or "?"), str(entry.get("source") or ""),
                     isinstance(whales, list), str(entry.get("error") or ""))
    for raw in whales if isinstance(whales, list) else ():
        xy = parse_whale(raw)
        if xy is None:
            found.garbage.append(raw)
        else:
            found.valid.append((raw, *xy))
    return found


def _listed(items: Sequence[object], lang: str) -> str:
    shown = [f"<li><code>{esc(json.dumps(item, ensure_ascii=False, default=str), 80)}</code></li>"
             for item in items[:MAX_LISTED]]
    if len(items) > MAX_LISTED:
        shown.append(f"<li>{esc(text('and_more', lang, n=len(items) - MAX_LISTED))}</li>")
    return f'<ul class="flat garbage">{"".join(shown)}</ul>'


def _box(points_: Sequence[tuple[float, float]]) -> tuple[float, float, float, float]:
    x0 = min(x for x, _ in points_) - PAD
    y0 = min(y for _, y in points_) - PAD
    x1 = max(x for x, _ in points_) + WHALE_W + PAD
    y1 = max(y for _, y in points_) + WHALE_H + PAD
    return x0, y0, x1 - x0, y1 - y0


def _pattern_svg(found: _Pattern, box: tuple[float, float, float, float], extra: Counter[str],
                 missing: Sequence[tuple[str, float, float]], other: str, lang: str,
                 ident: str) -> str:
    vx, vy, vw, vh = box
    scale = min(1.0, MAX_PATTERN_W / vw, MAX_PATTERN_H / vh)
    drawn = found.valid[:MAX_DRAWN]
    alt = text("pattern_alt", lang, app=found.app, n=len(found.valid))
    out = [(f'<svg class="pattern" role="img" aria-labelledby="{ident}" '
           f'viewBox="{fmt_num(vx)} {fmt_num(vy)} {fmt_num(vw)} {fmt_num(vh)}" '
           f'width="{round(vw * scale)}" height="{round(vh * scale)}" data-app="{esc(found.app)}">'
           f'<title id="{ident}">{esc(alt)}</title>'
           f'<rect class="page" x="{fmt_num(vx)}" y="{fmt_num(vy)}" width="{fmt_num(vw)}" '
           f'height="{fmt_num(vh)}"/>')]
    left = Counter(extra)
    frames = []
    for raw, x, y in drawn:
        out.append(f'<use href="#mg-whale" x="{fmt_num(x)}" y="{fmt_num(y)}" data-whale="{esc(raw)}"/>')
        if left[raw] > 0:
            left[raw] -= 1
            frames.append(f'<g><title>{esc(text("only_in", lang, app=found.app))}</title>'
                          f'<rect class="extra" x="{fmt_num(x)}" y="{fmt_num(y)}" width="{WHALE_W}" '
                          f'height="{WHALE_H}"/><text class="extra-t" x="{fmt_num(x + 6)}" '
                          f'y="{fmt_num(y + 34)}">+</text></g>')
    for raw, x, y in missing[:MAX_DRAWN]:
        frames.append(f'<g data-missing="{esc(raw)}"><title>'
                      f'{esc(text("missing_here", lang, app=other))}</title>'
                      f'<rect class="missing" x="{fmt_num(x)}" y="{fmt_num(y)}" width="{WHALE_W}" '
                      f'height="{WHALE_H}"/><text class="missing-t" x="{fmt_num(x + 6)}" '
                      f'y="{fmt_num(y + 34)}">?</text></g>')
    return "".join(out + frames) + "</svg>"


def _figure(found: _Pattern, box: tuple[float, float, float, float] | None, lang: str,
            ident: str, extra: Counter[str] | None = None,
            missing: Sequence[tuple[str, float, float]] = (), other: str = "") -> list[str]:
    out = [f'<figure><figcaption>{esc(found.app)}</figcaption>']
    if box is not None and (found.valid or missing):
        out.append(_pattern_svg(found, box, extra or Counter(), missing, other, lang, ident))
    lines = []
    if found.source:
        lines.append(f'{esc(text("source", lang))} <code>{esc(found.source, 200)}</code>')
    if not found.answered:
        lines.append(esc(text("no_answer", lang)) + (f" ({esc(found.error, 300)})"
                                                     if found.error else ""))
    elif not found.valid:
        lines.append(esc(text("no_whale", lang)))
    else:
        lines.append(esc(text("whale_count", lang, n=len(found.valid))))
    if len(found.valid) > MAX_DRAWN:
        lines.append(esc(text("not_drawn", lang, n=len(found.valid) - MAX_DRAWN, cap=MAX_DRAWN)))
    out += [f"<p>{line}</p>" for line in lines]
    if found.garbage:
        out.append(f'<p>{icon("warn")}{esc(text("garbage", lang, n=len(found.garbage)))}</p>')
        out.append(_listed(found.garbage, lang))
    out.append("</figure>")
    return out


def _differences(a: _Pattern, b: _Pattern, lang: str) -> tuple[list[str], Counter[str],
                                                                 Counter[str]]:
    count_a = Counter(raw for raw, _, _ in a.valid)
    count_b = Counter(raw for raw, _, _ in b.valid)
    only_a, only_b = count_a - count_b, count_b - count_a
    total = sum(only_a.values()) + sum(only_b.values())
    if not total:
        return [f"<p>{icon('ok')}{esc(text('same', lang))}</p>"], only_a, only_b
    out = [f"<p>{icon('warn')}{esc(text('differ', lang, n=total))}</p>"]
    for app, only in ((a.app, only_a), (b.app, only_b)):
        if only:
            out.append(f"<p>{esc(text('only_in', lang, app=app))}</p>")
            out.append(_listed(list(only.elements()), lang))
    out.append(f'<ul class="flat legend"><li>{esc(text("legend_extra", lang))}</li>'
               f'<li>{esc(text("legend_missing", lang))}</li></ul>')
    return out, only_a, only_b


def _ghosts(found: _Pattern, only: Counter[str]) -> list[tuple[str, float, float]]:
    left = Counter(only)
    ghosts = []
    for raw, x, y in found.valid:
        if left[raw] > 0:
            left[raw] -= 1
            ghosts.append((raw, x, y))
    return ghosts


def patterns_section(obs: Mapping[str, Any], lang: str) -> list[str]:
    found = [_pattern(p) for p in fenced(obs.get("patterns"))[:MAX_PATTERNS]
             if isinstance(p, Mapping)]
    if not found:
        return []
    left_out = len(fenced(obs.get("patterns"))) - MAX_PATTERNS
    out = [('<section id="pattern" aria-labelledby="h-pattern">'
           f'<h2 id="h-pattern">{esc(text("pattern", lang))}</h2>')]
    rest = found
    if obs.get("compare") is True and len(found) >= 2:
        a, b = found[0], found[1]
        rest = found[2:]
        notes, only_a, only_b = _differences(a, b, lang)
        ghosts_a, ghosts_b = _ghosts(b, only_b), _ghosts(a, only_a)
        corners = [(x, y) for p in (a, b) for _, x, y in p.valid[:MAX_DRAWN]]
        box = _box(corners) if corners else None
        out += notes
        out.append('<div class="apps">')
        out += _figure(a, box, lang, "pat-0", only_a, ghosts_a, b.app)
        out += _figure(b, box, lang, "pat-1", only_b, ghosts_b, a.app)
        out.append("</div>")
    out.append('<div class="apps">')
    for index, one in enumerate(rest, start=len(found) - len(rest)):
        corners = [(x, y) for _, x, y in one.valid[:MAX_DRAWN]]
        out += _figure(one, _box(corners) if corners else None, lang, f"pat-{index}")
    out.append("</div>")
    if left_out > 0:
        out.append(f"<p>{esc(text('and_more', lang, n=left_out))}</p>")
    out.append("</section>")
    return out


