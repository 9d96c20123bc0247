"""``index.html``: the class at a glance. A pure renderer: rows and reports in, a page out.

One self-contained page under the single-run report's rules (``grading.render.html``):
no script, a Content-Security-Policy that forbids every fetch, inline SVG with
``role="img"`` and a ``<title>``, tables with a caption and ``th scope``, statuses
as a word and an icon, colours of at least 4.5:1 on their background. It shows a
row per student (grade, status, a thumbnail of their whale pattern, their
topology's verdict, links to their reports), the grade distribution (a bar chart
and the same numbers as a table), the checks the class failed most, and the hosts
that could not be graded and why.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from grading import messages
from grading.classrun.gradebook import Row, counts, max_score, num
from grading.render.html.markup import (
    MAX_DRAWN,
    PAD,
    SPRITE,
    WHALE_H,
    WHALE_W,
    esc,
    fenced,
    fmt_num,
    icon,
    page_head,
)
from grading.render.html.page import CSS
from grading.render.html.pattern import parse_whale
from grading.render.html.text import lang_of

THUMB_W, THUMB_H = 120, 72
BINS = 10
MAX_FAILED_SHOWN = 30
NOT_PASSED = ("failed", "error", "blocked", "notrun")

# A host's status (grading.classrun.outcome) -> its word (class.<key>), icon and row colour.
_STATUS_KEY = {"graded": "graded", "incomplete": "incomplete", "not graded": "not_graded"}
_STATUS_ICON = {"graded": "ok", "incomplete": "warn", "not graded": "no"}
_STATUS_CSS = {"graded": "passed", "incomplete": "partial", "not graded": "failed"}

EXTRA_CSS = """
svg.thumb{display:block;width:120px;height:72px;background:#fff;border:1px solid var(--line)}
.thumb .page{fill:#fff}
svg.bars{display:block;max-width:100%;height:auto}
.bars rect{fill:#1f4f99}.bars text{font:12px system-ui,sans-serif;fill:var(--ink)}
.bars .axis{stroke:var(--ink)}
td.num{text-align:right;white-space:nowrap}
.topo-bad{color:var(--bad)}.topo-ok{color:var(--ok)}
"""


@dataclass(frozen=True)
class Entry:
    """One student on the page: their gradebook row, their JSON report (or None) and
    whether their reports exist beside the page (``students/<id>.html``/``.json``)."""

    row: Row
    report: Mapping[str, Any] | None
    has_html: bool = False
    has_json: bool = False


def t(key: str, lang: str, **values: object) -> str:
    """The page's word ``key`` (``class.<key>`` in ``grading/catalog/messages.toml``)."""
    return messages.text(f"class.{key}", lang, **values)


def _grade(entry: Entry, lang: str) -> str:
    o = entry.row.outcome
    if not o.counted:
        return "—"
    shown = f"{num(o.score)}/{num(o.max_score)}"
    return shown.replace(".", ",") if lang == "fr" else shown


def thumbnail(report: Mapping[str, Any] | None, who: str, ident: str, lang: str) -> str:
    """The first app's whales at their coordinates, scaled into a small picture."""
    obs = report.get("observations") if report else None
    patterns = fenced(obs.get("patterns")) if isinstance(obs, Mapping) else []
    first = next((p for p in patterns if isinstance(p, Mapping)), None)
    if first is None or not isinstance(first.get("whales"), list):
        return f'<span class="legend">{esc(t("no_pattern", lang))}</span>'
    corners = [xy for xy in (parse_whale(w) for w in first["whales"]) if xy is not None]
    if not corners:
        return f'<span class="legend">{esc(t("no_whale", lang))}</span>'
    drawn = corners[:MAX_DRAWN]
    x0 = min(x for x, _ in drawn) - PAD
    y0 = min(y for _, y in drawn) - PAD
    w = max(x for x, _ in drawn) + WHALE_W + PAD - x0
    h = max(y for _, y in drawn) + WHALE_H + PAD - y0
    alt = t("pattern_alt", lang, who=who, n=len(corners))
    whales = "".join(f'<use href="#mg-whale" x="{fmt_num(x)}" y="{fmt_num(y)}"/>'
                     for x, y in drawn)
    return (f'<svg class="thumb" role="img" aria-labelledby="{ident}" '
            f'viewBox="{fmt_num(x0)} {fmt_num(y0)} {fmt_num(w)} {fmt_num(h)}" '
            f'preserveAspectRatio="xMidYMid meet" data-whales="{len(corners)}">'
            f'<title id="{ident}">{esc(alt)}</title>'
            f'<rect class="page" x="{fmt_num(x0)}" y="{fmt_num(y0)}" width="{fmt_num(w)}" '
            f'height="{fmt_num(h)}"/>{whales}</svg>')


def topology_verdict(report: Mapping[str, Any] | None, lang: str) -> str:
    """What the topology holds, and the objects failed checks are about (word + icon)."""
    obs = report.get("observations") if report else None
    topo = obs.get("topology") if isinstance(obs, Mapping) else None
    if not isinstance(topo, Mapping):
        return f'<span class="legend">{esc(t("topo_none", lang))}</span>'
    sizes = t("topo_counts", lang, n=len(fenced(topo.get("networks"))),
              c=len(fenced(topo.get("containers"))), v=len(fenced(topo.get("volumes"))))
    wrong: dict[str, None] = {}
    missed = 0
    for check in fenced(report.get("checks") if report else None):
        if not isinstance(check, Mapping) or check.get("informational"):
            continue
        missed += check.get("status") in NOT_PASSED
        if check.get("status") in ("failed", "error"):
            for ref in fenced(check.get("objects")):
                wrong.setdefault(str(ref), None)
    if not missed:
        verdict = f'<span class="topo-ok">{icon("ok")}{esc(t("topo_ok", lang))}</span>'
    elif not wrong:
        verdict = (f'<span class="topo-bad">{icon("warn")}'
                   f'{esc(t("topo_missed", lang, n=missed))}</span>')
    else:
        # in words (« le réseau moby-counter2 »), never the reports' kind:name ids
        objs = messages.objects_said(list(wrong)[:6]).text(lang) + (" …" if len(wrong) > 6 else "")
        verdict = (f'<span class="topo-bad">{icon("warn")}'
                   f'{esc(t("topo_bad", lang, n=len(wrong), objs=objs))}</span>')
    return f"{verdict}<br><span class=\"legend\">{esc(sizes)}</span>"


def _links(entry: Entry, lang: str) -> str:
    sid = entry.row.student.student
    out = []
    for kind, present in (("html", entry.has_html), ("json", entry.has_json)):
        if present:
            label = t("report_of", lang, kind=kind.upper(), who=sid)  # « rapport HTML d'alice »
            out.append(f'<a href="students/{quote(sid)}.{kind}" aria-label="{esc(label)}">'
                       f'{esc(t(kind, lang))}</a>')
    return " · ".join(out) or esc(t("none", lang))


def _students(entries: Sequence[Entry], lang: str) -> list[str]:
    head = "".join(f'<th scope="col">{esc(t(k, lang))}</th>' for k in
                   ("col_student", "col_grade", "col_status", "col_pattern", "col_topology",
                    "col_reports"))
    out = [(f'<section id="students" aria-labelledby="h-students"><h2 id="h-students">'
           f'{esc(t("students", lang))}</h2><table><caption>{esc(t("students", lang))}'
           f"</caption><thead><tr>{head}</tr></thead><tbody>")]
    for number, entry in enumerate(entries):
        s, o = entry.row.student, entry.row.outcome
        who = f"{s.name} ({s.student})" if s.name else s.student
        status = (f'{icon(_STATUS_ICON[o.status])}{esc(t(_STATUS_KEY[o.status], lang))}'
                  if o.status in _STATUS_KEY else esc(o.status))
        reason = f'<p class="msg">{esc(o.reason, 300)}</p>' if o.reason else ""
        out.append(f'<tr class="{_STATUS_CSS.get(o.status, "failed")}" data-student="{esc(s.student)}">'
                   f'<th scope="row">{esc(who)}</th><td class="num">{esc(_grade(entry, lang))}</td>'
                   f'<td><span class="status">{status}</span>{reason}</td>'
                   f"<td>{thumbnail(entry.report, who, f'th-{number}', lang)}</td>"
                   f"<td>{topology_verdict(entry.report, lang)}</td><td>{_links(entry, lang)}</td></tr>")
    out.append("</tbody></table></section>")
    return out


def bins(scores: Sequence[float], top: float) -> list[int]:
    """How many scores fall in each tenth of ``top`` (the last bin includes ``top``)."""
    found = [0] * BINS
    for score in scores:
        index = int(BINS * max(0.0, min(score, top)) / top) if top > 0 else 0
        found[min(index, BINS - 1)] += 1
    return found


def _distribution(entries: Sequence[Entry], lang: str) -> list[str]:
    rows = [e.row for e in entries]
    top = max_score(rows)
    out = [(f'<section id="distribution" aria-labelledby="h-dist"><h2 id="h-dist">'
           f'{esc(t("distribution", lang))}</h2>')]
    scores = [r.outcome.score for r in rows if r.outcome.counted and r.outcome.score is not None]
    if not scores or not top:
        out.append(f"<p>{esc(t('no_grades', lang))}</p></section>")
        return out
    found = bins(scores, top)
    labels = [f"{num(top * i / BINS)}–{num(top * (i + 1) / BINS)}" for i in range(BINS)]
    if lang == "fr":
        labels = [label.replace(".", ",") for label in labels]
    peak = max(found) or 1
    bar_w, height, base = 56, 160, 190
    alt = t("distribution_alt", lang, max=num(top))
    svg = [(f'<svg class="bars" role="img" aria-labelledby="dist-t" viewBox="0 0 {BINS * bar_w + 20} 230" '
           f'width="{BINS * bar_w + 20}" height="230"><title id="dist-t">{esc(alt)}</title>')]
    for i, count in enumerate(found):
        h = round(height * count / peak)
        x = 10 + i * bar_w
        svg.append(f'<rect x="{x + 6}" y="{base - h}" width="{bar_w - 12}" height="{h}"/>'
                   f'<text x="{x + bar_w // 2}" y="{base - h - 4}" text-anchor="middle">{count}</text>'
                   f'<text x="{x + bar_w // 2}" y="{base + 16}" text-anchor="middle">'
                   f"{esc(labels[i])}</text>")
    svg.append(f'<line class="axis" x1="10" y1="{base}" x2="{10 + BINS * bar_w}" y2="{base}"/></svg>')
    out.append("<figure>" + "".join(svg) + f"<figcaption>{esc(alt)}</figcaption></figure>")
    out.append(f'<table><caption>{esc(t("distribution", lang))}</caption><thead><tr>'
               f'<th scope="col">{esc(t("col_range", lang))}</th>'
               f'<th scope="col">{esc(t("col_count", lang))}</th></tr></thead><tbody>')
    out += [f'<tr><th scope="row">{esc(label)}</th><td class="num">{count}</td></tr>'
            for label, count in zip(labels, found, strict=True)]
    out.append("</tbody></table></section>")
    return out


def failed_most(entries: Sequence[Entry]) -> list[tuple[str, str, int]]:
    """(check id, title, students who did not pass it), most first, among counted hosts."""
    missed: Counter[str] = Counter()
    titles: dict[str, str] = {}
    for entry in entries:
        if not entry.row.outcome.counted:
            continue
        for check_id, check in entry.row.outcome.checks.items():
            if check.status in NOT_PASSED:
                missed[check_id] += 1
        for check in fenced(entry.report.get("checks") if entry.report else None):
            if isinstance(check, Mapping) and isinstance(check.get("id"), str):
                titles.setdefault(check["id"], str(check.get("title") or ""))
    return [(cid, titles.get(cid, ""), n)
            for cid, n in sorted(missed.items(), key=lambda kv: (-kv[1], kv[0]))]


def _failed(entries: Sequence[Entry], lang: str) -> list[str]:
    out = [(f'<section id="failed" aria-labelledby="h-failed"><h2 id="h-failed">'
           f'{esc(t("failed_most", lang))}</h2>')]
    found = failed_most(entries)
    if not found:
        out.append(f"<p>{icon('ok')}{esc(t('all_passed', lang))}</p></section>")
        return out
    out.append(f'<table><caption>{esc(t("failed_caption", lang))}</caption><thead><tr>'
               f'<th scope="col">{esc(t("col_check", lang))}</th>'
               f'<th scope="col">{esc(t("col_count", lang))}</th></tr></thead><tbody>')
    for cid, title, n in found[:MAX_FAILED_SHOWN]:
        name = f'{esc(title)} <span class="id mono">{esc(cid)}</span>' if title else esc(cid)
        out.append(f'<tr data-check="{esc(cid)}"><th scope="row">{name}</th>'
                   f'<td class="num">{n}</td></tr>')
    out.append("</tbody></table></section>")
    return out


def _not_graded(entries: Sequence[Entry], lang: str) -> list[str]:
    out = [(f'<section id="not-graded" aria-labelledby="h-ng"><h2 id="h-ng">'
           f'{esc(t("not_graded_h", lang))}</h2>')]
    missing = [e for e in entries if e.row.outcome.status == "not graded"]
    if not missing:
        out.append(f"<p>{icon('ok')}{esc(t('not_graded_none', lang))}</p></section>")
        return out
    out.append(f'<table><caption>{esc(t("not_graded_h", lang))}</caption><thead><tr>'
               f'<th scope="col">{esc(t("col_student", lang))}</th>'
               f'<th scope="col">{esc(t("col_reason", lang))}</th></tr></thead><tbody>')
    for e in missing:
        s = e.row.student
        out.append(f'<tr data-student="{esc(s.student)}"><th scope="row">{esc(s.student)}</th>'
                   f'<td><p class="msg">{esc(e.row.outcome.reason, 1000)}</p></td></tr>')
    out.append("</tbody></table></section>")
    return out


def render_index(entries: Sequence[Entry], *, lab: str, checkpoint: str, lang: str) -> str:
    lang = lang_of(lang)
    rows = [e.row for e in entries]
    found = counts(rows)
    title = f"{t('title', lang)} — {lab} · {t('checkpoint', lang, c=checkpoint)}"
    out = [
        *page_head(lang, title, CSS + EXTRA_CSS, "students", t("skip", lang)),
        SPRITE,
        f"<header><h1>{esc(title)}</h1>",
        f'<p class="summary">{esc(t("summary", lang, n=len(rows), g=found["graded"], i=found["incomplete"], x=found["not graded"]))}</p></header>',
        "<main>",
    ]
    out += _students(entries, lang)
    out += _distribution(entries, lang)
    out += _failed(entries, lang)
    out += _not_graded(entries, lang)
    out.append(f'</main><footer><p>{esc(t("footer", lang))}</p></footer></body></html>')
    return "\n".join(out) + "\n"
