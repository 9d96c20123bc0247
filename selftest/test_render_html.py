"""The HTML report as a pure function: whales at their strings, garbage listed, a bounded page,
nothing fetched, everything escaped, every object of the host named, one language per page.

Plain asserts over the output parsed with ``html.parser``; no browser, no Docker
(the page in Chromium: ``selftest/test_render_html_browser.py``).
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from html.parser import HTMLParser
from typing import Any

import pytest

from grading.messages import default_messages
from grading.render.html import render_html
from grading.render.html.markup import MAX_DRAWN
from grading.render.html.page import CSS
from grading.render.html.pattern import parse_whale
from selftest.html_samples import HEART, broken_report, correct_report, not_graded_report

URL_ATTRS = ("src", "href", "xlink:href", "action", "formaction", "poster", "data", "srcset",
             "background", "cite", "ping")


class Page(HTMLParser):
    """The parsed page: every start tag with its attributes, the text a person reads (including
    SVG titles and aria labels, excluding the style sheet), and each element's ancestry."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str], tuple[str, ...]]] = []
        self.text: list[str] = []
        self.style: list[str] = []
        self.stack: list[str] = []
        self.feed(source)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.tags.append((tag, values, tuple(self.stack)))
        self.text += [values[k] for k in ("aria-label", "alt") if k in values]
        if tag not in ("meta", "link", "use", "rect", "path", "circle", "br", "input"):
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.tags.append((tag, values, tuple(self.stack)))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.stack:
            while self.stack and self.stack.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        (self.style if self.stack and self.stack[-1] == "style" else self.text).append(data)

    def all(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [a for t, a, _ in self.tags if t == tag
                and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())]

    def readable(self) -> str:
        return "".join(self.text)


def whales_drawn(page: Page) -> dict[str, list[str]]:
    """data-whale values per app, in the order drawn."""
    drawn: dict[str, list[str]] = {}
    current = ""
    for tag, attrs, _ in page.tags:
        if tag == "svg" and "data-app" in attrs:
            current = attrs["data-app"]
            drawn.setdefault(current, [])
        if "data-whale" in attrs:
            drawn[current].append(attrs["data-whale"])
    return drawn


def with_whales(*lists: list[Any], compare: bool = True) -> dict[str, Any]:
    report = correct_report("en")
    report["observations"]["compare"] = compare
    report["observations"]["patterns"] = [
        {"app": f"app{index}", "source": f"http://127.0.0.1:{8080 + index}/v1/whales",
         "whales": whales} for index, whales in enumerate(lists)]
    return report


GARBAGE: list[Any] = ["abc", "-900:20", "20:-700", "99999999:1", "1:2:3", "", " 10:10", "10:10 ",
                      "1e3:5", "0x10:0", 42, None, {"x": 1}, ["1:1"], "12:34\x00",
                      "<b>5:5</b>", "١٢:٣٤"]


def test_every_valid_whale_carries_its_exact_string_and_garbage_none() -> None:
    first = [*HEART, "-55:-50", "0:0", "12.5:7.25", "100:100", *GARBAGE]
    second = ["100:100", "1024:768", *GARBAGE[:3]]
    page = Page(render_html(with_whales(first, second)))
    valid = [w for w in first if parse_whale(w) is not None]
    assert valid == [*HEART, "-55:-50", "0:0", "12.5:7.25", "100:100"]
    assert whales_drawn(page) == {"app0": valid, "app1": ["100:100", "1024:768"]}
    assert all(parse_whale(g) is None for g in GARBAGE)


def test_garbage_is_listed_as_such_in_text_never_drawn() -> None:
    page = Page(render_html(with_whales(["10:10", *GARBAGE], [], compare=False)))
    readable = page.readable()
    assert f"{len(GARBAGE)} invalid entry(ies), not drawn" in readable
    for shown in ('"abc"', '"-900:20"', '"99999999:1"', "42", "null", '"<b>5:5</b>"',
                  '"12:34\\u0000"'):
        assert shown in readable, shown
    assert "no answer from the app" not in readable


def test_an_app_that_did_not_answer_says_so() -> None:
    report = with_whales([], compare=False)
    report["observations"]["patterns"][0].update(whales=None, error="HTTP 502\x07")
    readable = Page(render_html(report)).readable()
    assert "no answer from the app (HTTP 502\\x07)" in readable


def test_thousands_of_whales_keep_the_page_small_and_say_how_many_were_not_drawn() -> None:
    many = [f"{(i * 37) % 1900}:{(i * 53) % 1000}" for i in range(5000)]
    junk = [f"junk-{i}-" + "x" * 500 for i in range(5000)]
    report = with_whales(many + junk, list(reversed(many)))
    source = render_html(report)
    assert len(source.encode()) < 600_000, len(source.encode())
    page = Page(source)
    drawn = whales_drawn(page)
    assert len(drawn["app0"]) == len(drawn["app1"]) == MAX_DRAWN
    assert drawn["app0"] == many[:MAX_DRAWN]
    readable = page.readable()
    assert f"{5000 - MAX_DRAWN} whale(s) not drawn (beyond {MAX_DRAWN})" in readable
    assert "5000 invalid entry(ies), not drawn" in readable
    assert "… and 4950 more" in readable
    assert "The patterns differ" not in readable  # same multiset, different order


def test_huge_texts_and_many_apps_are_cut_and_counted() -> None:
    report = with_whales(*[[f"{i}:{i}" for i in range(1000)] for _ in range(30)])
    report["checks"][0].update(status="failed", message="m" * 1_000_000,
                               notes=["n" * 1_000_000] * 3)
    source = render_html(report)
    assert len(source.encode()) < 400_000, len(source.encode())
    page = Page(source)
    assert len(whales_drawn(page)) == 6 and "… and 24 more" in page.readable()


def test_compared_patterns_mark_each_difference_on_both_sides() -> None:
    page = Page(render_html(broken_report("en")))
    drawn = whales_drawn(page)
    assert drawn == {"moby-counter": [*HEART[:6], "400:100"], "moby-counter2": HEART[:5]}
    missing = [a["data-missing"] for _, a, _ in page.tags if "data-missing" in a]
    assert Counter(missing) == Counter([HEART[5], "400:100"])  # drawn as ghosts on app2
    readable = page.readable()
    assert "The patterns differ: 2 whale(s)." in readable
    assert "only in moby-counter" in readable and "missing here (present in moby-counter)" \
        in readable
    same = Page(render_html(correct_report("en"))).readable()
    assert "Both apps show the same pattern." in same


def test_nothing_is_fetched_no_url_anywhere() -> None:
    for report in (correct_report("fr"), broken_report("en")):
        report["observations"]["patterns"][0]["app"] = "http://evil.example/x.png"
        source = render_html(report)
        page = Page(source)
        for tag, attrs, _ in page.tags:
            assert tag not in ("script", "img", "iframe", "object", "embed", "image", "audio",
                               "video", "base", "form", "foreignobject"), tag
            for name in URL_ATTRS:
                if name in attrs:
                    value = attrs[name].strip()
                    assert value.startswith("#") or value in ("data:,",), (tag, name, value)
                    assert not re.match(r"(?i)(https?:)?//", value)
        style = " ".join(page.style)
        assert "url(" not in style and "@import" not in style and "@font-face" not in style
        assert page.all("link") == [{"rel": "icon", "href": "data:,"}]
        csp = page.all("meta", http_equiv="Content-Security-Policy")
        assert csp and "default-src 'none'" in csp[0]["content"]


def test_every_string_from_the_report_is_escaped() -> None:
    report = broken_report("en")
    evil = '"><script>alert(1)</script><img src=x onerror=alert(2)>\x1b[31m\u202e\ud800'
    report["lab"] = evil
    report["checks"][0]["title"] = evil
    report["checks"][6]["message"] = evil + "\nsecond line"
    report["checks"][6]["objects"].append(f"container:{evil}")
    report["observations"]["patterns"][0]["app"] = evil
    report["observations"]["topology"]["networks"][0]["subnet"] = evil
    report["images"]["redis"] = evil
    source = render_html(report)
    source.encode("utf-8")  # no lone surrogate left
    page = Page(source)
    assert not page.all("script") and not page.all("img")
    assert not [a for _, a, _ in page.tags if any(k.startswith("on") for k in a)]
    assert "\x1b" not in source and "\u202e" not in source
    readable = page.readable()
    assert "<script>alert(1)</script>" in readable and "\\x1b[31m\\u202e\\ud800" in readable
    assert "second line" in readable


def test_the_topology_names_every_object_and_draws_it() -> None:
    report = broken_report("en")
    topo = report["observations"]["topology"]
    page = Page(render_html(report))
    readable = page.readable()
    attrs = [a for _, a, _ in page.tags]
    for net in topo["networks"]:
        assert f"network {net['name']} ({net['driver']}, {net['subnet']})" in readable
        assert {"data-network": net["name"]} in [{"data-network": a.get("data-network")}
                                                for a in attrs]
    for ctr in topo["containers"]:
        assert f"container {ctr['name']}: {ctr['image']}, running" in readable
        assert any(a.get("data-container") == ctr["name"] for a in attrs)
        for port in ctr["ports"]:
            assert port in readable
    for vol in topo["volumes"]:
        assert f"volume {vol['name']}" in readable
        assert any(a.get("data-volume") == vol["name"] for a in attrs)
    assert "aliases: redis" in readable  # redis2's alias, inside its box
    assert "mount redis_data → /data rw" in readable


def test_ro_mounts_are_dashed_and_labelled_and_failed_objects_are_marked() -> None:
    good = Page(render_html(correct_report("en")))
    edges = {a["data-mount"]: a["class"].split() for _, a, _ in good.tags if "data-mount" in a}
    assert edges == {"redis:/data": ["edge"], "redis2:/data": ["edge", "ro"]}
    assert "ro" in good.text and "rw" in good.text  # the edges' labels, as words
    assert "flagged" not in " ".join(a.get("class", "") for _, a, _ in good.tags)

    page = Page(render_html(broken_report("en")))
    edges = {a["data-mount"]: a["class"].split() for _, a, _ in page.tags if "data-mount" in a}
    assert edges["redis2:/data"] == ["edge", "flagged-edge"]
    flagged = [stack for tag, a, stack in page.tags if tag == "rect"
               and "flagged" in a.get("class", "").split()]
    assert len(flagged) == 2  # network moby-counter2 and container moby-counter2
    readable = page.readable()
    assert "Objects a failed check is about" in readable
    assert "1 The second redis mounts redis_data read-only: a write into its /data fails: " \
        "mount redis2:/data" in readable
    assert "2 An app container on moby-counter2 answers and says connected: " \
        "container moby-counter2, network moby-counter2" in readable
    assert "⚠ 2 " in readable  # the SVG title of the flagged objects names the check
    on_diagram = [a["data-flag"] for tag, a, stack in page.tags if tag == "g"
                  and "data-flag" in a and "svg" in stack]
    assert on_diagram == ["1", "2"]  # each check's badge and title, inside the diagram


def test_objects_absent_from_the_host_are_drawn_as_absent() -> None:
    report = broken_report("en")
    report["checks"][0].update(status="failed", score=0, objects=[
        "network:nope", "container:ghost", "volume:gone", "mount:redis:/backup", "weird"])
    page = Page(render_html(report))
    readable = page.readable()
    for line in ("network nope: absent", "container ghost: absent", "volume gone: absent",
                 "mount /backup: absent", "expected, absent from the host"):
        assert line in readable, line
    ghosts = [a for tag, a, _ in page.tags if tag == "rect" and "ghost" in a.get("class", "")]
    assert len(ghosts) == 4  # the network, the absent area, the container, the volume


def test_checks_table_words_icons_points_and_details() -> None:
    page = Page(render_html(broken_report("en")))
    rows = {a["class"] for a in page.all("tr") if "class" in a}
    assert rows == {"passed", "partial", "failed", "blocked"}
    readable = page.readable()
    for words in ("passed", "partial", "failed", "blocked", "1.5/3", "0/3", "Hint:",
                  "Lab step:", "Lab drift: Docker ≥ 23", "Fact: dump.rdb: 231 B"):
        assert words in readable, words
    icons = [a["href"] for tag, a, stack in page.tags if tag == "use" and "td" in stack
             and a["href"] != "#mg-i-warn"]
    assert len(icons) == 9 and set(icons) >= {"#mg-i-ok", "#mg-i-partial", "#mg-i-no",
                                              "#mg-i-blocked"}
    french = Page(render_html(broken_report("fr"))).readable()
    assert "1,5/3" in french and "Note : 13,5/20" in french


def test_header_and_banners() -> None:
    report = broken_report("en")
    report["checkpoint_sentence"] = "Arrêtons nos conteneurs"
    page = Page(render_html(report))
    readable = page.readable()
    for words in ("Score: 13.5/20", "minimum 20/20 not reached", "inspect (the student's host)",
                  "volumes", "stops at « Arrêtons nos conteneurs »", "ssh://student@vm-12",
                  "version 20.10.24+dfsg1", "endpoint", "russmckendrick/moby-counter",
                  report["suite_fingerprint"],
                  "Incomplete report: the engine stopped answering after 40 s"):
        assert words in readable, words
    assert len(page.all("p", role="alert")) == 1
    report["not_graded"] = {"reason": "no engine"}
    page = Page(render_html(report))
    assert "Not graded: no engine" in page.readable() and "Score:" not in page.readable()
    assert len(page.all("p", role="alert")) == 2


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("scores", [0, None])
def test_a_host_not_graded_shows_no_score_and_every_check_not_run(
        lang: str, scores: float | None) -> None:
    """Never « Volumes : 0/20 » nor « erreur 0/3 » under a « Non noté » banner: no total, no
    category score, each check « non exécuté » without points, hint or lab step."""
    page = Page(render_html(not_graded_report(lang, scores)))
    readable = page.readable()
    banner = "Non noté : le moteur refuse" if lang == "fr" else "Not graded: the engine refuses"
    assert banner in readable
    assert not re.search(r"\d/\d|\?/\d", readable), readable  # no 0/20, 0/3 or ?/3
    rows = [a for a in page.all("tr") if a.get("class")]
    assert [a["class"] for a in rows] == ["notrun"] * 9
    marks = re.findall(r"non exécuté|not run|erreur|error\b", readable)
    assert marks == ["non exécuté" if lang == "fr" else "not run"] * 9, marks
    for words in (("Indice", "Étape du sujet") if lang == "fr" else ("Hint", "Lab step")):
        assert words not in readable, words
    assert len(page.all("caption")) == 1 and "Volumes" in readable


def test_a_report_without_observations_still_renders() -> None:
    report = correct_report("fr")
    del report["observations"]
    for key in ("images", "engine_version", "checkpoint"):
        report[key] = None
    readable = Page(render_html(report)).readable()
    assert "Pas d'observation de la machine dans ce rapport." in readable
    assert "Le motif de baleines" not in readable and "version inconnue" in readable


def _strings(lang: str) -> list[str]:
    """The page's own words: the catalog's ``html.``, ``mark.`` and ``state.`` entries."""
    return [texts[lang] for key, texts in default_messages().items()
            if key.startswith(("html.", "mark.", "state."))]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_page_holds_none_of_the_other_languages_ui_strings(lang: str) -> None:
    other = "en" if lang == "fr" else "fr"
    own = " ".join(_strings(lang))
    pieces = {piece.strip(" :·()…,.") for value in _strings(other)
              for piece in re.split(r"\{[^}]*\}", value)}
    foreign = sorted(p for p in pieces if len(p) >= 4 and p not in own)
    assert len(foreign) > 40
    for report in (correct_report(lang), broken_report(lang)):
        for index, check in enumerate(report["checks"]):  # the catalog's texts are not UI
            check.update(id=f"volumes.c{index}", lab_step="x", message="x", notes=["x"],
                         hint="x")
        report["checks"][0]["status"] = "error"
        report["selection"]["partial"] = True
        report["not_graded"] = {"reason": ""}
        report["observations"]["topology"]["containers"].append(
            {"name": "lonely", "image": "alpine", "state": "exited", "networks": {},
             "mounts": [{"type": "bind", "source": "/srv", "destination": "/srv",
                         "mode": "ro"}]})
        page = Page(render_html(report))
        assert page.all("html") == [{"lang": lang}]
        readable = page.readable()
        found = [p for p in foreign if p in readable]
        assert not found, f"{other} strings in a {lang} page: {found}"


@pytest.mark.parametrize(("lang", "shown", "not_shown"), [
    ("fr", ["arrêté", "en marche", "créé"], ["exited", "running", "created"]),
    ("en", ["exited", "running", "created"], ["arrêté", "en marche", "créé"]),
])
def test_a_containers_state_is_shown_in_the_pages_language(
        lang: str, shown: list[str], not_shown: list[str]) -> None:
    report = correct_report(lang)
    containers = report["observations"]["topology"]["containers"]
    containers[0]["state"], containers[1]["state"] = "exited", "created"  # the rest run
    containers.append({"name": "odd", "image": "alpine", "state": "hibernating",
                       "networks": {}, "mounts": []})
    page = Page(render_html(report))
    readable = page.readable()
    for word in shown:
        assert word in readable, word
    for word in not_shown:
        assert not re.search(rf"\b{word}\b", readable), word
    assert "hibernating" in readable  # a state the catalog does not know: as the engine wrote it


def test_no_page_shows_a_catalog_key_in_place_of_its_words() -> None:
    for lang in ("fr", "en"):
        for report in (correct_report(lang), broken_report(lang)):
            report["selection"]["partial"] = True
            report["not_graded"] = {"reason": "x"}
            readable = Page(render_html(report)).readable()
            assert not re.search(r"\b(?:html|mark|state)\.[a-z_]+\(", readable), readable


def test_accessibility_structure_and_contrast() -> None:
    page = Page(render_html(broken_report("fr")))
    for tag, attrs, stack in page.tags:
        if tag == "svg" and attrs.get("aria-hidden") != "true":
            assert attrs.get("role") == "img" and attrs.get("aria-labelledby"), attrs
        if tag == "th":
            assert attrs.get("scope") in ("col", "row"), attrs
    titled = {a["id"] for a in page.all("title") if "id" in a}
    assert {a["aria-labelledby"] for a in page.all("svg", role="img")} <= titled
    assert len(page.all("table")) == len(page.all("caption")) >= 1
    assert ":focus-visible{outline:3px solid" in CSS and "@media print" in CSS
    colours = dict(re.findall(r"--([a-z]+):(#[0-9a-f]{6})", CSS))

    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    for fg in ("ink", "muted", "ok", "bad", "warn", "info", "focus"):
        for bg in ("#ffffff", colours["soft"], "#fdf1f0", "#fdf6e8", "#eef4fc"):
            light, dark = sorted((luminance(colours[fg]), luminance(bg)), reverse=True)
            assert (light + 0.05) / (dark + 0.05) >= 4.5, (fg, bg)


def test_unknown_language_falls_back_to_french_and_input_is_not_modified() -> None:
    report = broken_report("fr")
    report["lang"] = "de"
    before = copy.deepcopy(report)
    page = Page(render_html(report))
    assert report == before
    assert page.all("html") == [{"lang": "fr"}]
