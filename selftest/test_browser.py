"""A real browser against the stand-in app: headless Chromium clicks, the whale is stored.

Chromium is Debian's ``chromium`` package (``apt-get install -y chromium``; CI's
``.ci/run`` installs it), driven over its DevTools pipe by the stdlib client in
``selftest/test_browser_cdp.py``.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from fixtures.wait import wait_until
from selftest.test_browser_cdp import Browser, find_chromium
from selftest.test_images_support import (  # noqa: F401 - fixtures
    StandInLab,
    stand_in_images_fixture,
    stand_in_lab_fixture,
)

pytestmark = pytest.mark.selftest_docker

WHALE_W, WHALE_H = 110, 100
PAGE_TIMEOUT_S = 20.0


@pytest.fixture
def page(stand_in_lab: StandInLab) -> Iterator[tuple[StandInLab, Browser]]:
    """The stand-in lab (redis + app) and a headless Chromium attached to its page."""
    binary = find_chromium()
    if binary is None:
        pytest.skip("chromium is not installed: apt-get install -y chromium "
                    "(CI's .ci/run installs it)")
    lab = stand_in_lab
    lab.start_redis()
    lab.start_app()
    lab.wait_connected()
    with tempfile.TemporaryDirectory(prefix="mobygrade-chromium-") as profile:
        browser = Browser(binary, Path(profile), lab.base_url + "/")
        try:
            browser.attach_to_page()
            yield lab, browser
        finally:
            browser.close()


def page_state(browser: Browser) -> str:
    return str(browser.evaluate("document.body ? document.body.getAttribute('data-state') : ''"))


def wait_state(lab: StandInLab, browser: Browser, state: str) -> None:
    wait_until(lambda: page_state(browser) == state, timeout=PAGE_TIMEOUT_S,
               what=f"the page's state to be {state!r}",
               evidence=lambda: f"{browser.evidence()}\n{lab.evidence()}")


def whales(lab: StandInLab) -> list[str]:
    status, body = lab.get("/v1/whales")
    assert status == 200, body
    result: list[str] = json.loads(body)
    return result


def test_a_click_in_chromium_stores_a_whale_centred_on_it(
    page: tuple[StandInLab, Browser], tmp_path: Path
) -> None:
    lab, browser = page
    wait_state(lab, browser, "ready")
    assert browser.evaluate("getComputedStyle(document.getElementById('loader')).display") == "none"
    browser.click(300, 200)
    expected = f"{300 - WHALE_W // 2}:{200 - WHALE_H // 2}"
    wait_until(lambda: whales(lab) == [expected], timeout=PAGE_TIMEOUT_S,
               what=f"/v1/whales to hold the clicked whale {expected}", evidence=lab.evidence)
    # A fresh load draws the stored whale where it was placed.
    browser.call("Page.reload")
    wait_state(lab, browser, "ready")
    drawn = browser.evaluate("Array.from(document.querySelectorAll('img.whale'))"
                             ".map(w => w.style.left + ',' + w.style.top)")
    assert drawn == ["245px,150px"]
    shot = browser.screenshot(tmp_path / "moby-counter.png")
    print(f"screenshot: {shot}")


def test_while_redis_is_gone_the_page_shows_the_loader_and_refuses_clicks(
    page: tuple[StandInLab, Browser],
) -> None:
    lab, browser = page
    wait_state(lab, browser, "ready")
    lab.remove_redis()
    wait_state(lab, browser, "disconnected")
    assert browser.evaluate("getComputedStyle(document.getElementById('loader')).display") != "none"
    browser.click(500, 400)
    lab.start_redis()
    wait_state(lab, browser, "ready")
    assert whales(lab) == [], "a click while disconnected must not store a whale"
    browser.click(120, 110)
    wait_until(lambda: whales(lab) == ["65:60"], timeout=PAGE_TIMEOUT_S,
               what="the click after reconnection to be stored", evidence=lab.evidence)
