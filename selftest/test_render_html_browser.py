"""The HTML report in headless Chromium with the network cut: nothing but the file is requested,
no console error, and the whales are laid out at their coordinates.

Chromium is Debian's ``chromium`` package, driven over its DevTools pipe by the
stdlib client in ``selftest/test_browser_cdp.py``; no Docker. Also a script that
writes the README's picture: ``python -m selftest.test_render_html_browser docs/report-html.png``.
"""

from __future__ import annotations

import base64
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from grading.render.html import render_html
from grading.render.html.markup import WHALE_H, WHALE_W
from selftest.html_samples import HEART, broken_report, correct_report
from selftest.test_browser_cdp import Browser, CdpError, find_chromium

# Every request that leaves the renderer goes to a dead proxy, and no name resolves.
NO_NETWORK = ("--proxy-server=socks5://127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
              "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost",
              "--disable-features=NetworkPrediction,OptimizationHints,Translate",
              "--no-pings", "--dns-prefetch-disable")
LOAD_TIMEOUT_S = 15.0
WIDTH = 1024

# Each drawn whale's box, relative to its <svg>, next to where its viewBox says it must be.
LAYOUT_JS = """
Array.from(document.querySelectorAll('svg.pattern')).map(svg => {
  const box = svg.getBoundingClientRect(), vb = svg.viewBox.baseVal, s = box.width / vb.width;
  return Array.from(svg.querySelectorAll('[data-whale]')).slice(0, 8).map(w => {
    const r = w.getBoundingClientRect();
    return {whale: w.getAttribute('data-whale'), scale: s, vbx: vb.x, vby: vb.y,
            left: r.left - box.left, top: r.top - box.top, width: r.width, height: r.height};
  });
}).flat()
"""


@pytest.fixture
def chromium() -> Iterator[Browser]:
    """A headless Chromium on about:blank with the network cut, recording Network, Runtime and
    Log events; skipped where Chromium is not installed."""
    binary = find_chromium()
    if binary is None:
        pytest.skip("chromium is not installed: apt-get install -y chromium "
                    "(CI's .ci/run installs it)")
    with tempfile.TemporaryDirectory(prefix="mobygrade-chromium-") as profile:
        browser = Browser(binary, Path(profile), "about:blank", extra_flags=NO_NETWORK)
        try:
            browser.attach_to_page()
            for domain in ("Network", "Runtime", "Log", "Page"):
                browser.call(f"{domain}.enable")
            yield browser
        finally:
            browser.close()


def open_page(browser: Browser, path: Path) -> str:
    """Navigate to ``path`` and wait for its load; returns its file:// URL."""
    url = path.resolve().as_uri()
    browser.events.clear()
    browser.call("Page.navigate", {"url": url})
    deadline = time.monotonic() + LOAD_TIMEOUT_S
    while not any(e.get("method") == "Page.loadEventFired" for e in list(browser.events)):
        if time.monotonic() > deadline:
            raise CdpError(f"{url} did not load within {LOAD_TIMEOUT_S:.0f} s; "
                           f"{browser.evidence()}")
        time.sleep(0.05)
    time.sleep(0.3)  # a late request or console message would show up here
    assert browser.evaluate("location.href") == url
    return url


def requests(browser: Browser) -> list[str]:
    return [e["params"]["request"]["url"] for e in list(browser.events)
            if e.get("method") == "Network.requestWillBeSent"]


def console_errors(browser: Browser) -> list[Any]:
    errors = []
    for event in list(browser.events):
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown" or (
                method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert")
        ) or (method == "Log.entryAdded" and params["entry"].get("level") == "error"):
            errors.append(params)
    return errors


def full_page_png(browser: Browser, path: Path, height: int | None = None,
                  scale: float = 1.0) -> Path:
    """The whole page (or its top ``height`` CSS pixels), ``WIDTH`` CSS pixels wide, scaled."""
    page_height = int(browser.evaluate("document.documentElement.scrollHeight"))
    shown = min(page_height, height or page_height)
    browser.call("Emulation.setDeviceMetricsOverride",
                 {"width": WIDTH, "height": page_height, "deviceScaleFactor": 1,
                  "mobile": False})
    clip = {"x": 0, "y": 0, "width": WIDTH, "height": shown, "scale": scale}
    data = browser.call("Page.captureScreenshot", {"format": "png", "clip": clip})["data"]
    path.write_bytes(base64.b64decode(data))
    return path


@pytest.mark.parametrize("sample", ["correct", "broken"])
def test_the_report_loads_offline_alone_and_draws_whales_where_they_are(
    chromium: Browser, tmp_path: Path, sample: str
) -> None:
    report = correct_report("fr") if sample == "correct" else broken_report("en")
    page = tmp_path / f"report-{sample}.html"
    page.write_text(render_html(report), encoding="utf-8")
    url = open_page(chromium, page)

    assert requests(chromium) == [url], "the page must fetch nothing but itself"
    assert console_errors(chromium) == []
    assert chromium.evaluate("document.documentElement.lang") == report["lang"]

    laid_out = chromium.evaluate(LAYOUT_JS)
    expected = {w for p in report["observations"]["patterns"] for w in p["whales"][:8]
                if w in HEART or w == "400:100"}
    assert {w["whale"] for w in laid_out} == expected
    for whale in laid_out:
        x, y = (float(v) for v in whale["whale"].split(":"))
        scale = whale["scale"]
        assert 0.3 < scale <= 1.0, whale
        assert abs(whale["left"] - (x - whale["vbx"]) * scale) < 1.0, whale
        assert abs(whale["top"] - (y - whale["vby"]) * scale) < 1.0, whale
        assert abs(whale["width"] - WHALE_W * scale) < 1.0, whale
        assert abs(whale["height"] - WHALE_H * scale) < 1.0, whale

    topology = chromium.evaluate(
        "(() => { const r = document.querySelector('svg.topology').getBoundingClientRect();"
        " return [r.width, r.height,"
        " document.querySelectorAll('svg.topology [data-container]').length]; })()")
    assert topology[0] > 500 and topology[1] > 200 and topology[2] >= 4
    pdf = chromium.call("Page.printToPDF", {"printBackground": False})["data"]
    assert base64.b64decode(pdf).startswith(b"%PDF")
    shot = full_page_png(chromium, tmp_path / f"report-{sample}.png")
    print(f"screenshot ({sample} host): {shot}")


def main(target: str) -> None:
    """Write the README's picture: the top of the correct host's French report."""
    binary = find_chromium()
    if binary is None:
        raise SystemExit("chromium is not installed: apt-get install -y chromium")
    with tempfile.TemporaryDirectory(prefix="mobygrade-chromium-") as tmp:
        page = Path(tmp) / "report.html"
        page.write_text(render_html(correct_report("fr")), encoding="utf-8")
        profile = Path(tmp) / "profile"
        profile.mkdir()
        browser = Browser(binary, profile, "about:blank",
                          extra_flags=(*NO_NETWORK, "--hide-scrollbars"))
        try:
            browser.attach_to_page()
            browser.call("Page.enable")
            open_page(browser, page)
            shot = full_page_png(browser, Path(target), height=1420, scale=0.75)
        finally:
            browser.close()
    print(f"{shot}: {shot.stat().st_size} bytes")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "docs/report-html.png")
