"""The host's topology as an SVG diagram: networks as areas, containers, volumes and mounts."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from grading.i18n import colon, semicolon
from grading.render.html.markup import (
    CHAR_W,
    COL_W,
    GAP,
    LINE,
    MARGIN,
    MAX_COLUMNS,
    MAX_LEGEND,
    MAX_PER_COLUMN,
    MAX_TEXT_ITEMS,
    MAX_VOLUMES,
    NAME,
    VOL_H,
    VOL_W,
    clean,
    esc,
    fenced,
    flag_badge,
    fmt_num,
)
from grading.render.html.text import state, text

_KINDS = ("network", "container", "volume", "bind")  # a node's kind with a word of its own

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
        shown = state(container.get("state"), lang) + (f" · ip {entry['ip']}" if entry.get("ip")
                                                       else "")
        lines = [_fit(name, NAME), _fit(container.get("image") or "?", LINE), _fit(shown, LINE)]
        aliases = [str(a) for a in fenced(entry.get("aliases")) if str(a) != name]
        if aliases:
            lines.append(_fit(f"{text('aliases', lang)}{colon(lang)}{', '.join(aliases)}", LINE))
        ports = [str(p) for p in fenced(container.get("ports"))]
        if ports:
            lines.append(_fit(f"{text('ports', lang)}{colon(lang)}{', '.join(ports)}", LINE))
        others = [n for n in nets if n != net]
        if net is not None and others:
            lines.append(_fit(text("also_on", lang, nets=", ".join(others)), LINE))
        dests = {str(m.get("destination")) for m in _mounts(container)}
        flags = self._flags("container", name)
        for key, numbers in self.flags.items():
            if key[0] == "mount" and key[1] == name and key[2] not in dests:
                lines.append(_fit(f"{text('mount', lang)} {key[2]}{colon(lang)}{text('absent', lang)}",
                                  LINE))
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
    return (f'<g class="flag"><use href="#mg-i-warn" x="{fmt_num(node_x)}" y="{fmt_num(node_y)}" '
            f'width="14" height="14"/><text x="{fmt_num(node_x + 17)}" y="{fmt_num(node_y + 12)}">'
            f'{esc(shown)}</text></g>')


def _node_svg(node: _Node, css: str, lang: str, titles: Mapping[int, str]) -> str:
    classes = css + (" ghost" if node.ghost else "") + (" flagged" if node.flags else "")
    kind = text(node.kind, lang) if node.kind in _KINDS else ""
    tip = f"{kind} {node.name}".strip()
    tip += "".join(f"\n⚠ {n} {titles.get(n, '')}" for n in node.flags)
    data = f' data-{node.kind}="{esc(node.name)}"' if node.kind != "none" else ""
    out = [(f"<g{data}><title>{esc(tip)}</title>"
           f'<rect class="{classes}" x="{fmt_num(node.x)}" y="{fmt_num(node.y)}" '
           f'width="{fmt_num(node.w)}" height="{fmt_num(node.h)}" rx="6"/>')]
    for index, line in enumerate(node.lines):
        weight = ' class="b"' if index == 0 else ' class="sub"' if index == 1 else ""
        out.append(f'<text x="{fmt_num(node.x + 8)}" y="{fmt_num(node.y + 18 + 16 * index)}"{weight}>'
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
            f'<text x="{fmt_num(MARGIN + 44)}" y="{fmt_num(y + 12 + 16 * i)}">{esc(line)}</text>'
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
            edges.append(f'<path class="{css}" d="M{fmt_num(sx)} {fmt_num(sy)} C{fmt_num(sx)} '
                         f'{fmt_num(sy + 60)} {fmt_num(ex)} {fmt_num(ey - 60)} {fmt_num(ex)} {fmt_num(ey)}" '
                         f'data-mount="{esc(container["name"])}:{esc(mount.get("destination"))}">'
                         f"<title>{esc(tip)}</title></path>")
            lx, ly = _bezier(curve, 0.72)
            word = text("ro" if ro else "rw", lang)
            labels.append(f'<rect class="lbl" x="{fmt_num(lx - 12)}" y="{fmt_num(ly - 9)}" width="24" '
                          f'height="16"/><text x="{fmt_num(lx - 8)}" y="{fmt_num(ly + 4)}" '
                          f'class="b">{esc(word)}</text>')
            if flags:
                labels.append(_badge(lx + 14, ly - 8, flags))
    legend, height = _legend(titles, width, height)
    alt = text("topology_alt", lang, nets=len(topo.networks), ctrs=len(topo.containers),
               vols=len(topo.volumes))
    out = [(f'<svg class="topology" role="img" aria-labelledby="topo-t" '
           f'viewBox="0 0 {fmt_num(width)} {fmt_num(height)}" width="{fmt_num(width)}" '
           f'height="{fmt_num(height)}"><title id="topo-t">{esc(alt)}</title>')]
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
        parts = [f"{container.get('image') or '?'}, {state(container.get('state'), lang)}"]
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
        items.append(f"{text('container', lang)} {container['name']}{sep}"
                     + semicolon(lang).join(parts))
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


