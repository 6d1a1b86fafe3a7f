"""A reporter's session in a real headless Chromium against `newsarchive serve`.

Debian's chromium and chromedriver (.ci/run installs them); no browser is downloaded.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import REPO, store
from test_search import NEWS

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")

pytestmark = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(tmp_path, seed_article):
    """`newsarchive serve` on 127.0.0.1 over an archive with the seed and an XSS article."""
    db_path = tmp_path / "news.db"
    store(db_path, [seed_article, *NEWS])
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "scraper.cli", "serve", "--db", str(db_path), "--port", str(port)],
        cwd=REPO,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(base + "/-/versions.json", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def browser(tmp_path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", f"--user-data-dir={tmp_path / 'profile'}",
    ):  # fmt: skip
        options.add_argument(flag)
    prefs = {"download.default_directory": str(downloads), "download.prompt_for_download": False}
    options.add_experimental_option("prefs", prefs)
    options.add_argument("--window-size=1280,1400")
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    driver.downloads = downloads
    try:
        yield driver
    finally:
        driver.quit()


def wait_for(condition, timeout: float = 15):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


def test_reporter_searches_reads_and_downloads(server, browser, seed_article):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(server + "/news/articles")
    box = browser.find_element(By.ID, "_search")
    box.send_keys("Казахстану", Keys.ENTER)  # a form the article never uses
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, ".search-result"))
    # The search box's form carries the table's default date order; it must still rank.
    assert "Ranked by relevance" in browser.find_element(By.CSS_SELECTOR, ".search-summary").text
    results = browser.find_elements(By.CSS_SELECTOR, ".search-result h3 a")
    assert [r.text for r in results] == [seed_article.title]
    marks = browser.find_elements(By.CSS_SELECTOR, ".search-snippet mark")
    assert marks and all(m.text.lower().startswith("казахстан") for m in marks)
    if shots := os.environ.get("NEWSARCHIVE_SCREENSHOTS"):
        browser.save_screenshot(str(Path(shots) / "search.png"))

    browser.find_element(By.CSS_SELECTOR, "a.csv-link").click()
    csv_file = wait_for(lambda: list(browser.downloads.glob("*.csv")))[0]
    text = wait_for(lambda: csv_file.read_text(encoding="utf-8"))
    assert seed_article.title in text and text.startswith("id,")

    browser.find_element(By.CSS_SELECTOR, ".search-result h3 a").click()
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "article h1"))
    assert browser.find_element(By.CSS_SELECTOR, "article h1").text == seed_article.title
    paragraphs = [p.text for p in browser.find_elements(By.CSS_SELECTOR, ".article-body p")]
    assert paragraphs == seed_article.body.split("\n\n")


def test_stored_xss_runs_no_script(server, browser):
    from selenium.webdriver.common.by import By

    xss_article = f"/news/articles/{len(NEWS) + 1}"
    for path in ("/news/articles?_search=атакой", "/news/articles", xss_article):
        browser.get(server + path)
        wait_for(lambda: browser.find_elements(By.TAG_NAME, "footer"))
        for link in browser.find_elements(By.PARTIAL_LINK_TEXT, "ссылкой"):
            link.click()  # would run a javascript: URL if one were a link
        assert browser.execute_script("return window.xssRan === undefined")
        assert "Взлом" in browser.page_source
