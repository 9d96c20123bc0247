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

from collections.abc import Mapping
from typing import Any

from grading import messages
from grading.render.html.markup import (
    MAX_TEXT,
    SPRITE,
    esc,
    fenced,
    flag_badge,
    icon,
    page_head,
)
from grading.render.html.pattern import patterns_section
from grading.render.html.text import lang_of, mark, points, text
from grading.render.html.topology import object_words, topology_section

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
tr.partial td.status,tr.blocked td.status,tr.skipped td.status,
tr.notrun td.status{color:var(--warn)}
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
                "blocked": "blocked", "skipped": "skip", "notrun": "skip"}
NO_POINTS = "—"  # a check of a host that could not be graded: no points, not 0
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


def endpoint_words(value: object) -> str:
    """``tcp://h:2376 (tls, context lab)`` from the JSON report's ``endpoint`` (or a string)."""
    if not isinstance(value, Mapping):
        return str(value)
    extra = [str(value.get("transport") or "")]
    if value.get("context"):
        extra.append(f"context {value['context']}")
    shown = ", ".join(e for e in extra if e)
    return f"{value.get('url', '?')} ({shown})" if shown else str(value.get("url", "?"))


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
        engine.append(f"{esc(text('endpoint', lang))} <code>{esc(endpoint_words(report['endpoint']))}</code>")
    rows.append((text("engine", lang), " · ".join(engine)))
    images = report.get("images")
    if isinstance(images, Mapping) and images:
        rows.append((text("images", lang), " · ".join(
            _image_words(str(k), v, lang) for k, v in images.items())))
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


def _details(check: Mapping[str, Any], lang: str, flag: int | None, graded: bool) -> str:
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
    # a check not run shows neither hint nor lab step; a host not graded shows no hint
    shown = () if status in ("passed", "notrun") else ("hint", "lab_step") if graded \
        else ("lab_step",)
    for key in shown:
        if check.get(key):
            parts.append(f'<p class="lab"><b>{esc(text(key, lang))}</b>{sep}'
                         f'{esc(check[key], MAX_TEXT)}</p>')
    for key, label in (("notes", "drift"), ("facts", "fact")):
        for item in fenced(check.get(key)):
            parts.append(f'<p class="lab"><b>{esc(text(label, lang))}</b>{sep}{esc(item, MAX_TEXT)}</p>')
    return "".join(parts)


def _image_words(role: str, value: object, lang: str) -> str:
    """One image of the header in words: « application <code>russmckendrick/moby-counter</code> »,
    « provenance celles des conteneurs de l'étudiant » (not the JSON's ``source student``)."""
    label = text(f"image_{role}", lang) if messages.known(f"html.image_{role}") else role
    if role == "source":
        word = f"images_{value}"
        return f"{esc(label)} {esc(text(word, lang) if messages.known('html.' + word) else value)}"
    return f"{esc(label)} <code>{esc(value)}</code>"


def _check_row(check: Mapping[str, Any], lang: str, flags: Mapping[int, int],
               graded: bool = True) -> str:
    kind = _mark(check)
    if not graded:
        pts = NO_POINTS
    elif check.get("informational"):
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
            f"<td>{_details(check, lang, flags.get(id(check)), graded)}</td></tr>")


def _checks(report: Mapping[str, Any], lang: str, flags: Mapping[int, int]) -> list[str]:
    """The checks, a table per category; a host that could not be graded shows no score:
    the captions are the categories' names alone and no check has points."""
    graded = _reason(report.get("not_graded")) is None
    checks = [c for c in fenced(report.get("checks")) if isinstance(c, Mapping)]
    categories = [c for c in fenced(report.get("categories")) if isinstance(c, Mapping)]
    out = [(f'<section id="checks" aria-labelledby="h-checks">'
           f'<h2 id="h-checks">{esc(text("checks", lang))}</h2>')]
    head = "".join(f'<th scope="col">{esc(text(k, lang))}</th>'
                   for k in ("col_status", "col_points", "col_check", "col_details"))
    known = {c.get("id") for c in categories}
    groups: list[tuple[str, list[Mapping[str, Any]]]] = [
        (text("category", lang, name=c.get("name") or c.get("id"),
              score=points(c.get("score"), lang), max=points(c.get("max_score"), lang))
         if graded else str(c.get("name") or c.get("id") or ""),
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
        out += [_check_row(check, lang, flags, graded) for check in rows]
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
        *page_head(lang, page_title, CSS, "checks", text("skip", lang)),
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

