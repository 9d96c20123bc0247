"""The HTML report: one self-contained page (no request of any kind), printable, bilingual.

A pure function of the JSON report dict (schema_version 1, as ``grading.reporter``
builds it) plus the optional ``observations`` key (the student's whale patterns and
the host's topology, see :func:`render_html`). Every string that comes from the
report is escaped, with control characters shown as ``\\xNN``. Pictures are inline
SVG with a ``<title>`` and ``role="img"``; statuses are a word and an icon, never a
colour alone. The page has no script, and a Content-Security-Policy that forbids any fetch.

Sizes are bounded whatever the input: whales drawn per app (``MAX_DRAWN``), garbage
entries listed, patterns, diagram objects and the length of each text are capped, and
what was left out is counted on the page.
"""

from __future__ import annotations

import html
import json
import re
import textwrap
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from grading.html_text import TEXT, lang_of, mark, points, text

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


def _num(value: float) -> str:
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
           f'viewBox="{_num(vx)} {_num(vy)} {_num(vw)} {_num(vh)}" '
           f'width="{round(vw * scale)}" height="{round(vh * scale)}" data-app="{esc(found.app)}">'
           f'<title id="{ident}">{esc(alt)}</title>'
           f'<rect class="page" x="{_num(vx)}" y="{_num(vy)}" width="{_num(vw)}" '
           f'height="{_num(vh)}"/>')]
    left = Counter(extra)
    frames = []
    for raw, x, y in drawn:
        out.append(f'<use href="#mg-whale" x="{_num(x)}" y="{_num(y)}" data-whale="{esc(raw)}"/>')
        if left[raw] > 0:
            left[raw] -= 1
            frames.append(f'<g><title>{esc(text("only_in", lang, app=found.app))}</title>'
                          f'<rect class="extra" x="{_num(x)}" y="{_num(y)}" width="{WHALE_W}" '
                          f'height="{WHALE_H}"/><text class="extra-t" x="{_num(x + 6)}" '
                          f'y="{_num(y + 34)}">+</text></g>')
    for raw, x, y in missing[:MAX_DRAWN]:
        frames.append(f'<g data-missing="{esc(raw)}"><title>'
                      f'{esc(text("missing_here", lang, app=other))}</title>'
                      f'<rect class="missing" x="{_num(x)}" y="{_num(y)}" width="{WHALE_W}" '
                      f'height="{WHALE_H}"/><text class="missing-t" x="{_num(x + 6)}" '
                      f'y="{_num(y + 34)}">?</text></g>')
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


# --- the host's topology -----------------------------------------------------------------


@dataclass
class _Node:
    """A network area, a container box or a volume box, where the diagram draws it."""

    kind: str
    name: str
    lines: list[str]
    ghost: bool = False
    flags: list[int] = field(default_factory=list)
    x: float = 0
    y: float = 0
    w: float = 0
    h: float = 0


def object_key(ref: object) -> tuple[str, ...] | None:
    """``container:x`` -> ("container", "x"); ``mount:redis2:/data`` -> ("mount", "redis2",
    "/data"); None for anything else."""
    if not isinstance(ref, str) or ":" not in ref:
        return None
    kind, _, rest = ref.partition(":")
    if kind == "mount" and ":" in rest:
        container, _, dest = rest.partition(":")
        return ("mount", container, dest)
    return (kind, rest) if kind in ("container", "network", "volume") and rest else None


def object_words(ref: object, lang: str) -> str:
    key = object_key(ref)
    if key is None:
        return clean(ref, 200)
    if key[0] == "mount":
        return f"{text('mount', lang)} {key[1]}:{key[2]}"
    return f"{text(key[0], lang)} {key[1]}"


def _fit(value: object, room: int) -> str:
    shown = clean(value)
    return shown if len(shown) <= room else shown[: room - 1] + "…"


def _networks_of(container: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    nets = container.get("networks")
    if isinstance(nets, Mapping):
        return {str(k): v if isinstance(v, Mapping) else {} for k, v in nets.items()}
    return {str(n): {} for n in fenced(nets)}


def _mounts(container: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [m for m in fenced(container.get("mounts")) if isinstance(m, Mapping)]


def _read_only(mount: Mapping[str, Any]) -> bool:
    return mount.get("rw") is False or "ro" in str(mount.get("mode") or "").split(",")


def _mount_target(mount: Mapping[str, Any]) -> tuple[str, str] | None:
    if mount.get("type", "volume") == "volume" and mount.get("name"):
        return ("volume", str(mount["name"]))
    if mount.get("type") == "bind" and mount.get("source"):
        return ("bind", str(mount["source"]))
    return None


class _Topology:
    """The nodes and edges of the diagram, built from ``observations.topology``."""

    def __init__(self, topo: Mapping[str, Any], failed: Sequence[Mapping[str, Any]],
                 lang: str) -> None:
        self.lang = lang
        self.flags: dict[tuple[str, ...], list[int]] = {}
        for number, check in enumerate(failed, start=1):
            for ref in fenced(check.get("objects")):
                key = object_key(ref)
                if key is not None and number not in self.flags.get(key, []):
                    self.flags.setdefault(key, []).append(number)
        self.containers = [c for c in fenced(topo.get("containers")) if isinstance(c, Mapping)
                           and c.get("name")]
        self.networks: dict[str, Mapping[str, Any]] = {}
        for net in fenced(topo.get("networks")):
            if isinstance(net, Mapping) and net.get("name"):
                self.networks.setdefault(str(net["name"]), net)
        for container in self.containers:
            for name in _networks_of(container):
                self.networks.setdefault(name, {"name": name})
        self.volumes: dict[tuple[str, str], Mapping[str, Any]] = {}
        for vol in fenced(topo.get("volumes")):
            if isinstance(vol, Mapping) and vol.get("name"):
                self.volumes.setdefault(("volume", str(vol["name"])), vol)
        for container in self.containers:
            for mount in _mounts(container):
                target = _mount_target(mount)
                if target is not None:
                    self.volumes.setdefault(target, {"name": target[1]})
        names = {str(c["name"]) for c in self.containers}
        self.absent_nets = [k[1] for k in self.flags if k[0] == "network"
                            and k[1] not in self.networks]
        self.absent_ctrs = list(dict.fromkeys(
            k[1] for k in self.flags if k[0] in ("container", "mount") and k[1] not in names))
        self.absent_vols = [k[1] for k in self.flags if k[0] == "volume"
                            and ("volume", k[1]) not in self.volumes]
        self.hidden = 0

    def _flags(self, *key: str) -> list[int]:
        return list(self.flags.get(key, []))

    def _container_node(self, container: Mapping[str, Any], net: str | None) -> _Node:
        lang, name = self.lang, str(container["name"])
        nets = _networks_of(container)
        entry = nets.get(net or "", {})
        state = str(container.get("state") or "?") + (f" · ip {entry['ip']}" if entry.get("ip")
                                                       else "")
        lines = [_fit(name, NAME), _fit(container.get("image") or "?", LINE), _fit(state, LINE)]
        aliases = [str(a) for a in fenced(entry.get("aliases")) if str(a) != name]
        if aliases:
            lines.append(_fit(f"{text('aliases', lang)}: {', '.join(aliases)}", LINE))
        ports = [str(p) for p in fenced(container.get("ports"))]
        if ports:
            lines.append(_fit(f"{text('ports', lang)}: {', '.join(ports)}", LINE))
        others = [n for n in nets if n != net]
        if net is not None and others:
            lines.append(_fit(text("also_on", lang, nets=", ".join(others)), LINE))
        dests = {str(m.get("destination")) for m in _mounts(container)}
        flags = self._flags("container", name)
        for key, numbers in self.flags.items():
            if key[0] == "mount" and key[1] == name and key[2] not in dests:
                lines.append(_fit(f"{text('mount', lang)} {key[2]}: {text('absent', lang)}", LINE))
                flags += [n for n in numbers if n not in flags]
        return _Node("container", name, lines, flags=flags)

    def columns(self) -> list[tuple[_Node, list[_Node]]]:
        lang, cols = self.lang, []
        for name, net in self.networks.items():
            sub = " · ".join(str(net[k]) for k in ("driver", "subnet") if net.get(k))
            area = _Node("network", name, [_fit(name, NAME), _fit(sub, LINE)],
                         flags=self._flags("network", name))
            # Containers with mounts last: their edges leave the area without crossing a box.
            members = [self._container_node(c, name) for c in sorted(
                self.containers, key=lambda c: bool(_mounts(c))) if name in _networks_of(c)]
            cols.append((area, members))
        for name in self.absent_nets:
            cols.append((_Node("network", name, [_fit(name, NAME), text("absent", lang)],
                               ghost=True, flags=self._flags("network", name)), []))
        lonely = [self._container_node(c, None) for c in self.containers
                  if not _networks_of(c)]
        if lonely:
            cols.append((_Node("none", "", [text("no_network", lang)]), lonely))
        if self.absent_ctrs:
            ghosts = []
            for name in self.absent_ctrs:
                node = self._container_node({"name": name, "image": "?",
                                             "state": text("absent", lang)}, None)
                node.ghost = True
                ghosts.append(node)
            cols.append((_Node("none", "", [_fit(text("absent_area", lang), LINE)], ghost=True),
                         ghosts))
        if len(cols) > MAX_COLUMNS:
            self.hidden += sum(1 + len(m) for _, m in cols[MAX_COLUMNS:])
            cols = cols[:MAX_COLUMNS]
        for index, (area, members) in enumerate(cols):
            if len(members) > MAX_PER_COLUMN:
                self.hidden += len(members) - MAX_PER_COLUMN
                cols[index] = (area, members[:MAX_PER_COLUMN])
        return cols

    def volume_nodes(self) -> list[_Node]:
        lang, nodes = self.lang, []
        for (kind, name), vol in self.volumes.items():
            if kind == "bind":
                sub = text("bind", lang)
            else:
                sub = text("volume", lang) + (f" · {text('anonymous', lang)}"
                                              if vol.get("anonymous") else "")
            nodes.append(_Node(kind, name, [_fit(name, NAME - 4), sub],
                               flags=self._flags("volume", name) if kind == "volume" else []))
        for name in self.absent_vols:
            nodes.append(_Node("volume", name, [_fit(name, NAME - 4), text("absent", lang)],
                               ghost=True, flags=self._flags("volume", name)))
        if len(nodes) > MAX_VOLUMES:
            self.hidden += len(nodes) - MAX_VOLUMES
            nodes = nodes[:MAX_VOLUMES]
        return nodes


def _badge(node_x: float, node_y: float, numbers: Sequence[int]) -> str:
    shown = ",".join(str(n) for n in numbers)
    return (f'<g class="flag"><use href="#mg-i-warn" x="{_num(node_x)}" y="{_num(node_y)}" '
            f'width="14" height="14"/><text x="{_num(node_x + 17)}" y="{_num(node_y + 12)}">'
            f'{esc(shown)}</text></g>')


def _node_svg(node: _Node, css: str, lang: str, titles: Mapping[int, str]) -> str:
    classes = css + (" ghost" if node.ghost else "") + (" flagged" if node.flags else "")
    tip = f"{text(node.kind, lang) if node.kind in TEXT else ''} {node.name}".strip()
    tip += "".join(f"\n⚠ {n} {titles.get(n, '')}" for n in node.flags)
    data = f' data-{node.kind}="{esc(node.name)}"' if node.kind != "none" else ""
    out = [(f"<g{data}><title>{esc(tip)}</title>"
           f'<rect class="{classes}" x="{_num(node.x)}" y="{_num(node.y)}" '
           f'width="{_num(node.w)}" height="{_num(node.h)}" rx="6"/>')]
    for index, line in enumerate(node.lines):
        weight = ' class="b"' if index == 0 else ' class="sub"' if index == 1 else ""
        out.append(f'<text x="{_num(node.x + 8)}" y="{_num(node.y + 18 + 16 * index)}"{weight}>'
                   f"{esc(line)}</text>")
    if node.flags:
        out.append(_badge(node.x + node.w - 42, node.y + 5, node.flags))
    return "".join(out) + "</g>"


def _bezier(p: Sequence[tuple[float, float]], t: float) -> tuple[float, float]:
    u = 1 - t
    x = u**3 * p[0][0] + 3 * u * u * t * p[1][0] + 3 * u * t * t * p[2][0] + t**3 * p[3][0]
    y = u**3 * p[0][1] + 3 * u * u * t * p[1][1] + 3 * u * t * t * p[2][1] + t**3 * p[3][1]
    return x, y


def _legend(titles: Mapping[int, str], width: float, top: float) -> tuple[list[str], float]:
    """The failed checks' titles under the drawing, each after its badge: the marks on the
    objects are numbers, their meaning is on the diagram too (and in each object's tooltip)."""
    room = max(20, int((width - MARGIN * 2 - 44) / CHAR_W))
    out, y = [], top
    for number, title in list(titles.items())[:MAX_LEGEND]:
        lines = textwrap.wrap(clean(title, 400), room) or [""]
        out.append(f'<g data-flag="{number}">' + _badge(MARGIN, y, [number]) + "".join(
            f'<text x="{_num(MARGIN + 44)}" y="{_num(y + 12 + 16 * i)}">{esc(line)}</text>'
            for i, line in enumerate(lines)) + "</g>")
        y += 16 * len(lines) + 6
    return out, y + (MARGIN if out else 0)


def _diagram(topo: _Topology, lang: str, titles: Mapping[int, str]) -> tuple[str, int]:
    cols = topo.columns()
    vols = topo.volume_nodes()
    width = max(600.0, MARGIN * 2 + len(cols) * COL_W + max(0, len(cols) - 1) * GAP)
    area_h = 90.0
    for index, (area, members) in enumerate(cols):
        area.x, area.y, area.w = MARGIN + index * (COL_W + GAP), MARGIN, COL_W
        y = area.y + 52
        for node in members:
            node.x, node.y, node.w, node.h = area.x + 10, y, COL_W - 20, 12 + 16 * len(node.lines)
            y += node.h + 10
        area_h = max(area_h, y - area.y)
    per_row = max(1, int((width - MARGIN) // (VOL_W + GAP)))
    top = MARGIN + area_h + (90 if vols else 0)
    for index, node in enumerate(vols):
        node.x = MARGIN + (index % per_row) * (VOL_W + GAP)
        node.y = top + (index // per_row) * (VOL_H + GAP)
        node.w, node.h = VOL_W, VOL_H
    height = (vols[-1].y + VOL_H + MARGIN) if vols else MARGIN * 2 + area_h
    first: dict[str, _Node] = {}
    for area, members in cols:
        area.h = area_h
        for node in members:
            first.setdefault(node.name, node)
    where = {(n.kind, n.name): n for n in vols}
    edges, labels = [], []
    for container in topo.containers:
        box = first.get(str(container["name"]))
        mounts = [(m, where.get(_mount_target(m) or ("", ""))) for m in _mounts(container)]
        mounts = [(m, v) for m, v in mounts if v is not None]
        for k, (mount, vol) in enumerate(mounts):
            if box is None or vol is None:
                continue
            ro = _read_only(mount)
            flags = topo._flags("mount", str(container["name"]), str(mount.get("destination")))
            sx = box.x + box.w / 2 + (k - (len(mounts) - 1) / 2) * 16
            sy, ex, ey = box.y + box.h, vol.x + vol.w / 2, vol.y
            curve = ((sx, sy), (sx, sy + 60), (ex, ey - 60), (ex, ey))
            css = "edge" + (" ro" if ro else "") + (" flagged-edge" if flags else "")
            tip = f"{container['name']} → {vol.name}:{mount.get('destination')} " + \
                ("ro" if ro else "rw") + "".join(f"\n⚠ {n} {titles.get(n, '')}" for n in flags)
            edges.append(f'<path class="{css}" d="M{_num(sx)} {_num(sy)} C{_num(sx)} '
                         f'{_num(sy + 60)} {_num(ex)} {_num(ey - 60)} {_num(ex)} {_num(ey)}" '
                         f'data-mount="{esc(container["name"])}:{esc(mount.get("destination"))}">'
                         f"<title>{esc(tip)}</title></path>")
            lx, ly = _bezier(curve, 0.72)
            word = text("ro" if ro else "rw", lang)
            labels.append(f'<rect class="lbl" x="{_num(lx - 12)}" y="{_num(ly - 9)}" width="24" '
                          f'height="16"/><text x="{_num(lx - 8)}" y="{_num(ly + 4)}" '
                          f'class="b">{esc(word)}</text>')
            if flags:
                labels.append(_badge(lx + 14, ly - 8, flags))
    legend, height = _legend(titles, width, height)
    alt = text("topology_alt", lang, nets=len(topo.networks), ctrs=len(topo.containers),
               vols=len(topo.volumes))
    out = [(f'<svg class="topology" role="img" aria-labelledby="topo-t" '
           f'viewBox="0 0 {_num(width)} {_num(height)}" width="{_num(width)}" '
           f'height="{_num(height)}"><title id="topo-t">{esc(alt)}</title>')]
    out += [_node_svg(area, "net", lang, titles) for area, _ in cols]
    out += edges
    out += [_node_svg(node, "ctr", lang, titles) for _, members in cols for node in members]
    out += [_node_svg(node, "vol", lang, titles) for node in vols]
    out += labels
    return "".join(out + legend) + "</svg>", topo.hidden


def _as_text(topo: _Topology, lang: str) -> list[str]:
    sep = " : " if lang == "fr" else ": "
    items = []
    for name, net in topo.networks.items():
        detail = ", ".join(str(net[k]) for k in ("driver", "subnet") if net.get(k))
        members = [str(c["name"]) for c in topo.containers if name in _networks_of(c)]
        items.append(f"{text('network', lang)} {name}" + (f" ({detail})" if detail else "")
                     + (sep + ", ".join(members) if members else ""))
    for container in topo.containers:
        parts = [f"{container.get('image') or '?'}, {container.get('state') or '?'}"]
        for net_name, entry in _networks_of(container).items():
            aliases = ", ".join(str(a) for a in fenced(entry.get("aliases")))
            parts.append(f"{text('network', lang)} {net_name}"
                         + (f" ({text('aliases', lang)} {aliases})" if aliases else "")
                         + (f" ip {entry['ip']}" if entry.get("ip") else ""))
        ports = ", ".join(str(p) for p in fenced(container.get("ports")))
        if ports:
            parts.append(f"{text('ports', lang)} {ports}")
        for mount in _mounts(container):
            source = mount.get("name") or mount.get("source") or mount.get("type") or "?"
            parts.append(f"{text('mount', lang)} {source} → {mount.get('destination')} "
                         + ("ro" if _read_only(mount) else "rw"))
        items.append(f"{text('container', lang)} {container['name']}{sep}" + "; ".join(parts))
    for (kind, name), vol in topo.volumes.items():
        items.append(f"{text('bind' if kind == 'bind' else 'volume', lang)} {name}"
                     + (f" ({text('anonymous', lang)})" if vol.get("anonymous") else ""))
    for kind, names in (("network", topo.absent_nets), ("container", topo.absent_ctrs),
                        ("volume", topo.absent_vols)):
        items += [f"{text(kind, lang)} {name}{sep}{text('absent', lang)}" for name in names]
    shown = [f"<li>{esc(item, 600)}</li>" for item in items[:MAX_TEXT_ITEMS]]
    if len(items) > MAX_TEXT_ITEMS:
        shown.append(f"<li>{esc(text('and_more', lang, n=len(items) - MAX_TEXT_ITEMS))}</li>")
    return [f'<h3>{esc(text("topology_list", lang))}</h3><ul class="flat">', *shown, "</ul>"]


def topology_section(topology: object, failed: Sequence[Mapping[str, Any]],
                     lang: str) -> list[str]:
    out = [('<section id="topology" aria-labelledby="h-topo">'
           f'<h2 id="h-topo">{esc(text("topology", lang))}</h2>')]
    topo = _Topology(topology if isinstance(topology, Mapping) else {}, failed, lang)
    if not isinstance(topology, Mapping) and not topo.flags:
        return out + [f"<p>{esc(text('no_topology', lang))}</p></section>"]
    titles = {n: str(c.get("title") or c.get("id") or "") for n, c in enumerate(failed, 1)}
    diagram, hidden = _diagram(topo, lang, titles)
    out.append(f"<figure>{diagram}</figure>")
    if hidden:
        out.append(f"<p>{esc(text('not_shown', lang, n=hidden))}</p>")
    if failed:
        sep = " : " if lang == "fr" else ": "
        out.append(f'<h3>{esc(text("flagged", lang))}</h3><ul class="flat">')
        for number, check in enumerate(failed, start=1):
            objects = ", ".join(object_words(o, lang) for o in fenced(check.get("objects")))
            out.append(f"<li>{flag_badge(number)}{esc(titles[number])}{sep}{esc(objects)}</li>")
        out.append("</ul>")
    out += _as_text(topo, lang)
    out.append("</section>")
    return out


# --- the page ---------------------------------------------------------------------------

CSS = """
:root{--ink:#1b1f24;--muted:#4a5360;--line:#8c959f;--bg:#fff;--soft:#f3f5f8;
--ok:#0b6b2e;--bad:#b0231b;--warn:#7a4a00;--info:#1f4f99;--focus:#1d4ed8}
*{box-sizing:border-box}
html{color:var(--ink);background:var(--bg)}
body{margin:0 auto;max-width:1080px;padding:0 16px 32px;font:15px/1.45 system-ui,-apple-system,
"Segoe UI",Roboto,"DejaVu Sans",sans-serif}
h1{font-size:1.5rem;margin:16px 0 4px}h2{font-size:1.2rem;margin:28px 0 8px;
border-bottom:2px solid var(--line);padding-bottom:2px}h3{font-size:1rem;margin:12px 0 4px}
a{color:var(--info)}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-9999px}.skip:focus{position:static;display:inline-block;margin:8px 0}
.grade{font-size:1.8rem;font-weight:700;margin:4px 0}
.min{font-weight:600}.min.ok{color:var(--ok)}.min.bad{color:var(--bad)}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:8px 0}
dl.meta dt{font-weight:600;color:var(--muted)}dl.meta dd{margin:0;overflow-wrap:anywhere}
code,.mono{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.92em}
.banner{border:2px solid var(--bad);background:#fdf1f0;padding:8px 12px;margin:12px 0;
font-weight:600}.banner.warn{border-color:var(--warn);background:#fdf6e8}
.sprite{position:absolute;width:0;height:0;overflow:hidden}
.flagno{color:var(--bad);font-weight:700;white-space:nowrap}.topology .flag{color:var(--bad)}
.icon{width:1.1em;height:1.1em;vertical-align:-.2em;margin-right:.25em}
.apps{display:flex;flex-wrap:wrap;gap:16px}
figure{margin:0;padding:8px;border:1px solid var(--line);background:var(--soft);max-width:100%}
figcaption{font-weight:600;margin-bottom:4px;overflow-wrap:anywhere}
svg.pattern,svg.topology{display:block;max-width:100%;height:auto;background:#fff}
.pattern .page{fill:#fff;stroke:var(--line)}
.pattern .extra{fill:none;stroke:#0b3fa8;stroke-width:4}
.pattern .missing{fill:none;stroke:var(--bad);stroke-width:4;stroke-dasharray:10 6}
.pattern text{font:700 36px sans-serif}
.pattern .extra-t{fill:#0b3fa8}.pattern .missing-t{fill:var(--bad)}
.topology text{font:12px ui-monospace,"DejaVu Sans Mono",monospace;fill:var(--ink)}
.topology .net{fill:#eef4fc;stroke:#3a6db5;stroke-width:1.5}
.topology .net.ghost,.topology .ctr.ghost,.topology .vol.ghost{fill:#fff;stroke-dasharray:6 4}
.topology .ctr{fill:#fff;stroke:#4a5360;stroke-width:1.2}
.topology .vol{fill:#f6f1e7;stroke:#7a5a1e;stroke-width:1.2}
.topology .flagged{stroke:var(--bad);stroke-width:3;stroke-dasharray:8 4}
.topology .edge{stroke:#5b4a2e;stroke-width:1.6;fill:none}
.topology .edge.ro{stroke-dasharray:7 5}
.topology .edge.flagged-edge{stroke:var(--bad);stroke-width:3}
.topology .lbl{fill:#fff;stroke:none}
.topology .b{font-weight:700}.topology .sub{fill:var(--muted)}
.topology .flag text{fill:var(--bad);font-weight:700}.topology .flag path{fill:var(--bad)}
ul.flat{margin:4px 0;padding-left:20px}
.legend{font-size:.92em;color:var(--muted)}
table{border-collapse:collapse;width:100%;margin:8px 0 16px}
caption{text-align:left;font-weight:700;padding:4px 0}
th,td{border:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
thead th{background:var(--soft)}
td.status{white-space:nowrap;font-weight:700}
tr.passed td.status{color:var(--ok)}tr.failed td.status,tr.error td.status{color:var(--bad)}
tr.partial td.status,tr.blocked td.status,tr.skipped td.status{color:var(--warn)}
th[scope=row]{font-weight:600}.id{color:var(--muted);font-weight:400}
.msg{white-space:pre-wrap;overflow-wrap:anywhere;margin:0 0 4px}
.lab{margin:2px 0;overflow-wrap:anywhere}.lab b{color:var(--muted)}
.garbage{white-space:pre-wrap;overflow-wrap:anywhere}
footer{margin-top:24px;color:var(--muted);font-size:.9em}
@media print{body{max-width:none;padding:0;font-size:10.5pt}.skip{display:none}
figure,tr,.banner{break-inside:avoid}h2{break-after:avoid}
.apps{display:block}figure{background:#fff;margin-bottom:8px}}
"""

_STATUS_ICON = {"passed": "ok", "partial": "partial", "failed": "no", "error": "error",
                "blocked": "blocked", "skipped": "skip"}
_SHOWN_FAILED = ("failed", "error")


def _mark(check: Mapping[str, Any]) -> str:
    status = check.get("status")
    if status == "failed" and isinstance(check.get("score"), (int, float)) and check["score"] > 0:
        return "partial"
    return status if isinstance(status, str) and status in _STATUS_ICON else "error"


def _reason(value: object) -> str | None:
    """The reason of an ``incomplete``/``not_graded`` entry, or None when the key is absent."""
    if value is None or value is False:
        return None
    if isinstance(value, Mapping):
        return str(value.get("reason") or "")
    return str(value) if value is not True else ""


def _header(report: Mapping[str, Any], lang: str) -> list[str]:
    lab = report.get("lab") or ""
    out = [f'<header><h1>{esc(text("title", lang))} — {esc(lab)}</h1>']
    not_graded = _reason(report.get("not_graded"))
    if not_graded is None:
        grade = text("score_line", lang, score=points(report.get("score"), lang),
                     max=points(report.get("max_score"), lang))
        out.append(f'<p class="grade">{esc(grade)}</p>')
        reached = bool(report.get("min_reached"))
        key = "min_reached" if reached else "min_missed"
        line = text(key, lang, min=points(report.get("min_score"), lang),
                    max=points(report.get("max_score"), lang))
        out.append(f'<p class="min {"ok" if reached else "bad"}">'
                   f'{icon("ok" if reached else "no")}{esc(line)}</p>')
    rows: list[tuple[str, str]] = []
    mode = report.get("mode")
    mode_key = f"mode_{mode}"
    rows.append((text("mode", lang), esc(text(mode_key, lang) if mode in ("provision", "inspect")
                                         else mode)))
    if report.get("checkpoint"):
        value = f"<code>{esc(report['checkpoint'])}</code>"
        if report.get("checkpoint_sentence"):
            value += f" — {esc(text('stops_at', lang))} « {esc(report['checkpoint_sentence'])} »"
        rows.append((text("checkpoint", lang), value))
    engine = [f"<code>{esc(report.get('docker_host') or '')}</code>",
              (f"{esc(text('engine_version', lang))} "
              f"{esc(report.get('engine_version') or text('unknown', lang))}")]
    if report.get("endpoint"):
        engine.append(f"{esc(text('endpoint', lang))} <code>{esc(report['endpoint'])}</code>")
    rows.append((text("engine", lang), " · ".join(engine)))
    images = report.get("images")
    if isinstance(images, Mapping) and images:
        rows.append((text("images", lang), " · ".join(
            f"{esc(k)} <code>{esc(v)}</code>" for k, v in images.items())))
    rows.append((text("fingerprint", lang),
                 f"<code>{esc(report.get('suite_fingerprint') or '')}</code>"))
    if report.get("started_at"):
        duration = report.get("duration_s")
        shown = esc(report["started_at"])
        if isinstance(duration, (int, float)):
            shown += f" ({esc(text('duration', lang, s=points(duration, lang)))})"
        rows.append((text("started", lang), shown))
    out.append('<dl class="meta">')
    out += [f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in rows]
    out.append("</dl></header>")
    return out


def _banners(report: Mapping[str, Any], lang: str) -> list[str]:
    out = []
    for key, css in (("not_graded", "banner"), ("incomplete", "banner warn")):
        reason = _reason(report.get(key))
        if reason is not None:
            tail = f" : {esc(reason)}" if lang == "fr" and reason else \
                f": {esc(reason)}" if reason else ""
            out.append(f'<p class="{css}" role="alert">{icon("warn")}'
                       f'{esc(text(key, lang))}{tail}</p>')
    selection = report.get("selection")
    if isinstance(selection, Mapping) and selection.get("partial"):
        line = text("selection", lang, selected=selection.get("selected"),
                    available=selection.get("available"))
        out.append(f'<p class="banner warn">{icon("warn")}{esc(line)}</p>')
    return out


def _details(check: Mapping[str, Any], lang: str, flag: int | None) -> str:
    sep = " : " if lang == "fr" else ": "
    parts: list[str] = []
    status = check.get("status")
    if status == "blocked" and check.get("blocked_by") and not check.get("message"):
        parts.append(f'<p class="msg">{esc(text("blocked_by", lang, id=check["blocked_by"]))}</p>')
    if check.get("message") and status != "passed":
        parts.append(f'<p class="msg">{esc(check["message"], MAX_TEXT)}</p>')
    if flag is not None:
        objects = ", ".join(object_words(o, lang) for o in fenced(check.get("objects")))
        parts.append(f'<p class="lab">{flag_badge(flag)}'
                     f'<b>{esc(text("about", lang))}</b>{sep}{esc(objects)}</p>')
    if status != "passed":
        for key in ("hint", "lab_step"):
            if check.get(key):
                parts.append(f'<p class="lab"><b>{esc(text(key, lang))}</b>{sep}'
                             f'{esc(check[key], MAX_TEXT)}</p>')
    for key, label in (("notes", "drift"), ("facts", "fact")):
        for item in fenced(check.get(key)):
            parts.append(f'<p class="lab"><b>{esc(text(label, lang))}</b>{sep}{esc(item, MAX_TEXT)}</p>')
    return "".join(parts)


def _check_row(check: Mapping[str, Any], lang: str, flags: Mapping[int, int]) -> str:
    kind = _mark(check)
    if check.get("informational"):
        pts = "-"
    else:
        pts = f"{points(check.get('score'), lang)}/{points(check.get('max_score'), lang)}"
    title = esc(check.get("title") or check.get("id") or "")
    if check.get("title") and check.get("title") != check.get("id"):
        title += f' <span class="id mono">{esc(check.get("id"))}</span>'
    if check.get("informational"):
        title += f" ({esc(text('informational', lang))})"
    return (f'<tr class="{kind}"><td class="status">{icon(_STATUS_ICON[kind])}'
            f'{esc(mark(kind, lang))}</td><td>{esc(pts)}</td><th scope="row">{title}</th>'
            f"<td>{_details(check, lang, flags.get(id(check)))}</td></tr>")


def _checks(report: Mapping[str, Any], lang: str, flags: Mapping[int, int]) -> list[str]:
    checks = [c for c in fenced(report.get("checks")) if isinstance(c, Mapping)]
    categories = [c for c in fenced(report.get("categories")) if isinstance(c, Mapping)]
    out = [(f'<section id="checks" aria-labelledby="h-checks">'
           f'<h2 id="h-checks">{esc(text("checks", lang))}</h2>')]
    head = "".join(f'<th scope="col">{esc(text(k, lang))}</th>'
                   for k in ("col_status", "col_points", "col_check", "col_details"))
    known = {c.get("id") for c in categories}
    groups: list[tuple[str, list[Mapping[str, Any]]]] = [
        (text("category", lang, name=c.get("name") or c.get("id"),
              score=points(c.get("score"), lang), max=points(c.get("max_score"), lang)),
         [k for k in checks if k.get("part") == c.get("id")])
        for c in categories
    ]
    rest = [k for k in checks if k.get("part") not in known]
    if rest:
        groups.append((text("other", lang), rest))
    for caption, rows in groups:
        if not rows:
            continue
        out.append(f"<table><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>"
                   "<tbody>")
        out += [_check_row(check, lang, flags) for check in rows]
        out.append("</tbody></table>")
    out.append("</section>")
    return out


def render_html(report: Mapping[str, Any]) -> str:
    """The page for one JSON report dict (schema_version 1) with optional ``observations``:

    ``{"patterns": [{"app", "source"?, "whales": [str, ...] | None, "error"?}],
    "compare": bool, "topology": {"networks": [...], "containers": [...], "volumes": [...]}}``
    (fields as in the README); each check may carry ``objects`` (``kind:name``, or
    ``mount:<container>:<destination>``) that the diagram marks when the check failed.
    """
    lang = lang_of(report.get("lang"))
    observations = report.get("observations")
    obs: Mapping[str, Any] = observations if isinstance(observations, Mapping) else {}
    checks = [c for c in fenced(report.get("checks")) if isinstance(c, Mapping)]
    failed = [c for c in checks if c.get("status") in _SHOWN_FAILED and fenced(c.get("objects"))]
    flags = {id(check): number for number, check in enumerate(failed, start=1)}
    page_title = f"{text('title', lang)} — {report.get('lab') or ''}"
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}"><head><meta charset="utf-8">',
        ('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"),
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<link rel="icon" href="data:,">',
        f"<title>{esc(page_title)}</title><style>{CSS}</style></head><body>",
        f'<a class="skip" href="#checks">{esc(text("skip", lang))}</a>',
        SPRITE,
    ]
    out += _header(report, lang)
    out.append("<main>")
    out += _banners(report, lang)
    out += patterns_section(obs, lang)
    out += topology_section(obs.get("topology"), failed, lang)
    out += _checks(report, lang, flags)
    out.append(f'</main><footer><p>{esc(text("generated", lang))}</p></footer></body></html>')
    return "\n".join(out) + "\n"

