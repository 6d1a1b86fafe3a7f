"""A reporter's session in a real headless Chromium against `newsarchive serve`.

Debian's chromium and chromedriver (.ci/run installs them); no browser is downloaded.
"""

from __future__ import annotations

import contextlib
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import REPO, store
from test_demo_history import EXPECTED, two_editions  # noqa: F401  (a fixture)
from test_search import NEWS, article

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


@contextlib.contextmanager
def serving(db_path: Path) -> Iterator[str]:
    """`newsarchive serve` on 127.0.0.1 over `db_path`; yields its base URL."""
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
def server(tmp_path, seed_article):
    """`newsarchive serve` over an archive with the seed and an XSS article."""
    db_path = tmp_path / "news.db"
    store(db_path, [seed_article, *NEWS])
    with serving(db_path) as base:
        yield base


@pytest.fixture(scope="module")
def demo_server(two_editions):  # noqa: F811  (the fixture imported above)
    """`newsarchive serve` over the demo sites crawled twice: an edit and a copy."""
    origins, db_path, _ = two_editions
    with serving(db_path) as base:
        yield base, origins, db_path


def screenshot(browser, name: str) -> None:
    """Saved under $NEWSARCHIVE_SCREENSHOTS when set, for people to look at."""
    if shots := os.environ.get("NEWSARCHIVE_SCREENSHOTS"):
        Path(shots).mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(Path(shots) / name))


def article_id(db_path: Path, url: str) -> int:
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        return conn.execute("SELECT id FROM articles WHERE canonical_url = ?", [url]).fetchone()[0]


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
    box = browser.find_element(By.ID, "article-search")
    box.send_keys("Казахстану", Keys.ENTER)  # a form the article never uses
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, ".search-result"))
    # The search box's form carries the table's default date order; it must still rank.
    assert "Ranked by relevance" in browser.find_element(By.CSS_SELECTOR, ".search-summary").text
    results = browser.find_elements(By.CSS_SELECTOR, ".search-result h3 a")
    assert [r.text for r in results] == [seed_article.title]
    marks = browser.find_elements(By.CSS_SELECTOR, ".search-snippet mark")
    assert marks and all(m.text.lower().startswith("казахстан") for m in marks)
    screenshot(browser, "search.png")

    browser.find_element(By.CSS_SELECTOR, "a.csv-link").click()
    csv_file = wait_for(lambda: list(browser.downloads.glob("*.csv")))[0]
    text = wait_for(lambda: csv_file.read_text(encoding="utf-8"))
    assert seed_article.title in text and text.startswith("id,")

    browser.find_element(By.CSS_SELECTOR, ".search-result h3 a").click()
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "article h1"))
    assert browser.find_element(By.CSS_SELECTOR, "article h1").text == seed_article.title
    paragraphs = [p.text for p in browser.find_elements(By.CSS_SELECTOR, ".article-body p")]
    # The seed page's lead is also its description: shown once, above the text.
    lead, *rest = seed_article.body.split("\n\n")
    assert lead == seed_article.description
    assert browser.find_element(By.CSS_SELECTOR, ".article-description").text == lead
    assert paragraphs == rest
    assert browser.find_element(By.TAG_NAME, "article").text.count(lead) == 1


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


def test_article_page_shows_its_edits_word_by_word_and_the_captured_page(demo_server, browser):
    from selenium.webdriver.common.by import By

    base, origins, db_path = demo_server
    (changed,) = EXPECTED["sources"]["novosti"]["edition2"]["changed"]
    edited = article_id(db_path, origins["novosti"] + changed["path"])
    browser.get(f"{base}/{db_path.stem}/articles/{edited}")
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "article h1"))
    history = browser.find_element(By.CSS_SELECTOR, "section.versions")
    assert history.find_element(By.TAG_NAME, "h2").text == "Edit history: 2 versions"
    versions = history.find_elements(By.CSS_SELECTOR, "li.version")
    assert [v.text.split(",")[0] for v in versions] == ["Version 1", "Version 2"]
    assert all("fetched" in v.text and "(UTC)" in v.text for v in versions)
    summary = versions[1].find_element(By.CSS_SELECTOR, ".change-summary").text
    assert summary == "headline changed, 1 paragraph changed"
    title_diff = versions[1].find_element(By.CSS_SELECTOR, ".diff-title")
    deleted = " ".join(d.text for d in title_diff.find_elements(By.TAG_NAME, "del"))
    inserted = " ".join(i.text for i in title_diff.find_elements(By.TAG_NAME, "ins"))
    old_words, new_words = set(changed["before"]["title"].split()), set(changed["title"].split())
    assert deleted and set(deleted.split()) <= old_words
    assert inserted and set(inserted.split()) <= new_words
    # Struck-out and inserted words are told apart by colour, not only by the markup.
    colours = {
        browser.execute_script("return getComputedStyle(arguments[0]).backgroundColor", e)
        for e in title_diff.find_elements(By.CSS_SELECTOR, "del, ins")
    }
    assert len(colours) == 2
    screenshot(browser, "article-diff.png")

    versions[0].find_element(By.CSS_SELECTOR, "a.raw-page").click()
    page = wait_for(lambda: list(browser.downloads.glob("*.html")))[0]
    raw = wait_for(lambda: page.read_bytes())
    assert changed["before"]["title"] in raw.decode("utf-8")  # what the site served first


def test_a_copy_and_its_original_point_at_each_other(demo_server, browser):
    from selenium.webdriver.common.by import By

    base, origins, db_path = demo_server
    (pair,) = EXPECTED["syndicated"]
    copy_url = origins[pair["copy"]["source"]] + pair["copy"]["path"]
    browser.get(f"{base}/{db_path.stem}/articles/{article_id(db_path, copy_url)}")
    notice = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, ".copy-of"))[0]
    original_title = notice.find_element(By.TAG_NAME, "a").text
    assert notice.text.startswith(f"Copy of {original_title} ({pair['original']['source']}")
    screenshot(browser, "copy.png")
    notice.find_element(By.TAG_NAME, "a").click()
    also = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, ".also-published"))[0]
    assert browser.find_element(By.CSS_SELECTOR, "article h1").text == original_title
    assert also.text.startswith(f"Also published by {pair['copy']['source']}")
    assert not browser.find_elements(By.CSS_SELECTOR, ".copy-of")
    screenshot(browser, "original.png")


def test_edited_after_publication_says_what_changed(demo_server, browser):
    from selenium.webdriver.common.by import By

    base, origins, db_path = demo_server
    (changed,) = EXPECTED["sources"]["novosti"]["edition2"]["changed"]
    browser.get(f"{base}/{db_path.stem}/edited_after_publication")
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns"))
    row = next(
        r
        for r in browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
        if changed["title"] in r.text
    )
    assert "headline changed, 1 paragraph changed" in row.text
    row.find_element(By.CSS_SELECTOR, "td.col-id a").click()  # ids are links
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "article h1"))
    assert browser.find_element(By.CSS_SELECTOR, "article h1").text == changed["title"]


def test_table_page_shows_what_a_reader_needs(server, browser):
    from selenium.webdriver.common.by import By

    browser.get(server + "/news/articles")
    heads = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns th"))
    columns = [th.get_attribute("data-column") for th in heads]
    assert columns == ["id", "title", "source", "published", "authors", "section"]
    rows = browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
    assert max(row.size["height"] for row in rows) < 80  # no body text swelling a row
    screenshot(browser, "table.png")
    kyiv = next(r for r in rows if NEWS[4].title in r.text)
    assert kyiv.find_element(By.CSS_SELECTOR, "td.col-authors").text == "Олена Петренко"
    assert kyiv.find_element(By.CSS_SELECTOR, "td.col-published").text == "5 Mar 2024, 10:00 (UTC)"
    kyiv.find_element(By.CSS_SELECTOR, "td.col-title a").click()  # the headline opens it
    assert wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "article h1"))[0].text == (
        NEWS[4].title
    )
    browser.back()
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "a.every-column"))[0].click()
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "th[data-column=body_html]"))


def set_date(browser, element, day: str) -> None:
    """A date input's value, as the picker would set it (typing depends on the locale)."""
    browser.execute_script("arguments[0].value = arguments[1]", element, day)


def test_search_within_dates_and_a_source_results_before_facets(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.select import Select

    browser.get(server + "/news/articles")
    box = browser.find_element(By.ID, "article-search")
    box.send_keys("беспилотник")
    set_date(browser, browser.find_element(By.CSS_SELECTOR, ".search-from"), "2024-03-02")
    set_date(browser, browser.find_element(By.CSS_SELECTOR, ".search-to"), "2024-03-03")
    box.submit()
    titles = lambda: [a.text for a in browser.find_elements(By.CSS_SELECTOR, ".search-result h3 a")]  # noqa: E731
    assert wait_for(titles) == [NEWS[1].title, NEWS[2].title]  # both ends of the range
    summary = lambda: browser.find_element(By.CSS_SELECTOR, ".search-summary").text  # noqa: E731
    assert "Ranked by relevance" in summary()  # within dates, still ranked
    # Headline matches are marked as in the snippet.
    assert [m.text for m in browser.find_elements(By.CSS_SELECTOR, ".search-result h3 mark")] == [
        "беспилотник",
        "беспилотнику",
    ]
    Select(browser.find_element(By.CSS_SELECTOR, ".search-source")).select_by_visible_text("tass")
    browser.find_element(By.ID, "article-search").submit()
    wait_for(lambda: titles() == [NEWS[1].title])
    assert "not one narrowed to a source" in summary()  # newest first, and says why
    assert browser.find_element(By.CSS_SELECTOR, ".search-from").get_attribute("value") == (
        "2024-03-02"
    )
    # One day is a range too; and the byline and the date read as people write them.
    browser.get(server + "/news/articles?_search=Київ&_from=2024-03-05&_to=2024-03-05")
    meta = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, ".search-meta"))
    assert [m.text for m in meta] == ["ukrpravda · 5 Mar 2024, 10:00 (UTC) · Олена Петренко · uk"]
    browser.get(server + "/news/articles?_search=Петренко")  # bylines are searched
    assert wait_for(titles) == [NEWS[4].title]

    browser.get(server + "/news/articles?_search=беспилотник")
    results = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, ".search-result"))
    facets = browser.find_elements(By.CSS_SELECTOR, ".facet-info")
    assert facets[0].location["y"] > results[-1].location["y"]  # the results come first
    assert [f.get_attribute("data-column") for f in facets] == [
        "source", "language", "section", "authors", "tags", "published_utc",
    ]  # fmt: skip
    days = [li.text.split()[0] for li in facets[-1].find_elements(By.TAG_NAME, "li")]
    assert days == sorted(days, reverse=True) and len(days) == 4
    screenshot(browser, "search-page.png")


def test_canned_query_picks_a_source_and_marks_matches_as_the_search_does(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.select import Select

    browser.get(server + "/news/articles?_search=беспилотник")
    mark = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, ".search-snippet mark"))[0]
    colour = "return getComputedStyle(arguments[0]).backgroundColor"
    search_colour = browser.execute_script(colour, mark)
    browser.get(server + "/news/search_by_date_and_source?q=беспилотник")
    picker = Select(
        wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "select[name=source]"))[0]
    )
    assert [o.text for o in picker.options] == [
        "every source",
        "meduza",
        "novosti",
        "tass",
        "ukrpravda",
        "wire",
    ]
    picker.select_by_visible_text("tass")
    for name in ("date_from", "date_to"):  # date pickers; one day is a range
        day = browser.find_element(By.CSS_SELECTOR, f"form.sql input[name={name}]")
        assert day.get_attribute("type") == "date"
        set_date(browser, day, "2024-03-02")
    browser.find_element(By.CSS_SELECTOR, "form.sql input[type=submit]").click()
    wait_for(lambda: "source=tass" in browser.current_url)
    rows = browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns tbody tr")
    assert [r.find_element(By.CSS_SELECTOR, "td.col-title").text for r in rows] == [NEWS[1].title]
    marks = rows[0].find_elements(By.CSS_SELECTOR, "td.col-snippet mark")
    assert [m.text for m in marks] == ["беспилотник"]
    assert browser.execute_script(colour, marks[0]) == search_colour != "rgba(0, 0, 0, 0)"
    screenshot(browser, "canned-query.png")
    assert (
        Select(
            browser.find_element(By.CSS_SELECTOR, "select[name=source]")
        ).first_selected_option.text
        == "tass"
    )
    rows[0].find_element(By.CSS_SELECTOR, "td.col-id a").click()  # ids are links
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "article h1"))
    assert browser.find_element(By.CSS_SELECTOR, "article h1").text == NEWS[1].title


def test_article_page_keeps_list_bullets_and_subheadings_and_says_its_lead_once(tmp_path, browser):
    from selenium.webdriver.common.by import By

    intro = "Совет утвердил план ремонта на весну: работы начнутся в марте и займут два месяца."
    listed = article(
        1,
        "План ремонта",
        f"{intro}\n\nМост на Садовой\n\nТоннель у вокзала\n\nДеньги\n\nРаботы оплатит город.",
        description="Совет утвердил план ремонта на весну",  # the first paragraph, cut short
        body_html=f"<p>{intro}</p><ul><li>Мост на Садовой</li><li>Тоннель у вокзала</li></ul>"
        "<h2>Деньги</h2><p>Работы оплатит город.</p>",
    )
    db_path = tmp_path / "news.db"
    store(db_path, [listed])
    with serving(db_path) as base:
        browser.get(f"{base}/news/articles/1")
        body = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, ".article-body"))[0]
        items = body.find_elements(By.CSS_SELECTOR, "ul li")
        assert [i.text for i in items] == ["Мост на Садовой", "Тоннель у вокзала"]
        style = "return getComputedStyle(arguments[0]).listStyleType"
        assert browser.execute_script(style, items[0]) == "disc"
        screenshot(browser, "article-list.png")
        assert [h.text for h in body.find_elements(By.TAG_NAME, "h3")] == ["Деньги"]
        assert [p.text for p in body.find_elements(By.TAG_NAME, "p")] == [
            intro,
            "Работы оплатит город.",
        ]
        assert (
            "Совет утвердил план" not in browser.find_element(By.CSS_SELECTOR, ".article-meta").text
        )
        assert browser.find_element(By.TAG_NAME, "article").text.count("Совет утвердил") == 1


@pytest.fixture(scope="module")
def many_server(tmp_path_factory):
    """`newsarchive serve` over 1,500 articles, 1,200 of them about drones."""
    from test_downloads import fill

    db_path = tmp_path_factory.mktemp("many") / "many.db"
    fill(db_path)
    with serving(db_path) as base:
        yield base


def test_every_page_of_rows_offers_csv_and_excel_of_every_row(many_server, browser):
    from selenium.webdriver.common.by import By

    def downloads() -> list[str]:
        spans = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, ".downloads"))
        return [a.text for a in spans[0].find_elements(By.TAG_NAME, "a")]

    browser.get(many_server + "/many/articles?_search=беспилотник")
    heading = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, ".search-total"))[0]
    assert heading.text == "1,200 matches"
    assert downloads()[:2] == ["CSV", "CSV for Excel"]
    source_facet = browser.find_element(By.CSS_SELECTOR, '.facet-info[data-column="source"]')
    assert sorted(li.text for li in source_facet.find_elements(By.TAG_NAME, "li")) == [
        "ria 400", "tass 400", "wire 400"
    ]  # fmt: skip
    screenshot(browser, "many-matches.png")
    # A facet selection within the search: its own total, its own downloads.
    source_facet.find_element(By.LINK_TEXT, "tass").click()
    wait_for(lambda: "source=tass" in browser.current_url)
    heading = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, ".search-total"))[0]
    assert heading.text == "400 matches"
    assert downloads()[:2] == ["CSV", "CSV for Excel"]
    browser.find_element(By.CSS_SELECTOR, "a.excel-link").click()
    csv_file = wait_for(lambda: list(browser.downloads.glob("*.csv")))[0]
    data = wait_for(lambda: csv_file.read_bytes())
    assert data.startswith(b"\xef\xbb\xbfid,canonical_url,")
    assert len(data.decode("utf-8-sig").strip().splitlines()) == 1 + 400

    def footer() -> list[str]:
        """The links under the rows: "This data as json, CSV, CSV for Excel (advanced)"."""
        line = wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "p.export-links"))[0]
        return [a.text for a in line.find_elements(By.TAG_NAME, "a")]

    for page in ("/many/articles", "/many/articles?language=ru", "/many/article_urls",
                 "/many/search_by_date_and_source?q=беспилотник"):  # fmt: skip
        browser.get(many_server + page)
        assert downloads()[:2] == ["CSV", "CSV for Excel"], page
        links = footer()
        assert links[links.index("CSV") + 1] == "CSV for Excel", page
    # Datasette's own line offers it too, and it gives every row, with the BOM.
    browser.find_element(By.CSS_SELECTOR, "p.export-links a.export-excel-link").click()
    csv_file = wait_for(lambda: list(browser.downloads.glob("search_by_date_and_source*.csv")))[0]
    data = wait_for(lambda: csv_file.read_bytes())
    assert data.startswith(b"\xef\xbb\xbfid,")
    assert len(data.decode("utf-8-sig").strip().splitlines()) == 1 + 1200
