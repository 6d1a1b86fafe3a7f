"""Article body extraction: what a user of the archive sees in `body` and `body_html`."""

from __future__ import annotations

import gzip
import importlib
import json
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from scraper.extract import extract
from scraper.extract.body import extract_body
from scraper.extract.document import parse_html

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
LANGS = ("en", "ru", "uk", "de")
FAMILIES = (
    "share",
    "related",
    "ad",
    "caption",
    "subscribe",
    "report_error",
    "comments",
    "tags",
    "author_box",
    "cookie",
)


def _paragraphs(body: str) -> list[str]:
    return body.split("\n\n") if body else []


def test_reference_page_is_exactly_its_seven_paragraphs():
    page = FIXTURES / "seed-ru-news"
    expected = json.loads((page / "expected.json").read_text(encoding="utf-8"))
    article = extract((page / "page.html").read_bytes(), expected["url"])
    assert _paragraphs(article.body) == expected["body_paragraphs"]
    for phrase in expected["must_not_contain"]:
        assert phrase not in article.body
        assert phrase not in article.body_html


def _fixture(lang: str) -> tuple[str, dict]:
    html = (FIXTURES / "extract" / f"boilerplate-{lang}.html").read_text(encoding="utf-8")
    expected = json.loads((FIXTURES / "extract" / f"boilerplate-{lang}.json").read_text("utf-8"))
    return html, expected


@pytest.mark.parametrize("lang", LANGS)
def test_article_keeps_every_paragraph_and_nothing_else(lang):
    html, expected = _fixture(lang)
    assert _paragraphs(extract(html.encode()).body) == expected["body_paragraphs"]


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("lang", LANGS)
def test_boilerplate_family_is_dropped(lang, family):
    html, expected = _fixture(lang)
    phrase = expected["must_not_contain"][family]
    assert phrase in html  # the fixture really has the box
    assert phrase not in extract(html.encode()).body


ARTICLE = """<html><body><div id="side"><p>{side}</p></div>
<div class="story"><p>{p1}</p><p class="inline-note">{p2}</p><p>{p3}</p></div></body></html>"""
LONG = "This sentence is long enough, with commas, to count as a real paragraph of prose. "


def _page(**overrides: str) -> bytes:
    texts = {"side": "Sidebar text that is short.", "p1": LONG * 2, "p2": "Promo " + LONG}
    texts |= {"p3": "Last " + LONG * 2} | overrides
    return ARTICLE.format(**texts).encode()


def test_body_selector_overrides_the_heuristics():
    article = extract(_page(), body_selector="#side")
    assert article.body == "Sidebar text that is short."


def test_remove_selectors_drop_what_the_heuristics_keep():
    page = _page(p2="Kept by default " + LONG)
    assert "Kept by default" in extract(page).body
    assert "Kept by default" not in extract(page, remove_selectors=[".inline-note"]).body


def test_html_is_minimal_sanitized_and_links_absolute():
    html = (
        '<html><body><article><h2>Section</h2><p onclick="x()">' + LONG + '<a href="/more" '
        'style="color:red">more</a> <b>bold</b> <span>plain</span></p><script>alert(1)</script>'
        "<ul><li>" + LONG + "</li><li>Second item of the list.</li></ul><p>" + LONG * 2 + "</p>"
        "</article></body></html>"
    )
    soup = parse_html(html.encode())
    body = extract_body(soup, url="https://example.org/news/1")
    tags = {t.name for t in BeautifulSoup(body.html, "lxml").body.find_all(True)}
    assert tags <= {"p", "h2", "ul", "li", "a", "strong"}
    assert '<a href="https://example.org/more"' in body.html
    assert "onclick" not in body.html and "alert" not in body.html and "style" not in body.html
    assert "<ul><li>" in body.html
    assert _paragraphs(body.text)[0] == "Section"
    assert "Second item of the list." in _paragraphs(body.text)


@pytest.mark.parametrize(
    "page",
    [
        b"",
        b"   \n",
        bytes(range(256)) * 64,
        b"%PDF-1.4 binary",
        b"<html><body><p>caf\xe9 \xff\xfe broken utf-8</p></body></html>",
        b'<?xml version="1.0" encoding="utf-8"?><html><p>x</p></html>',
        "<p>\u043f\u0440\u0438\u0432\u0435\u0442</p>".encode("utf-16"),
        b"<p>nul\x00byte</p>",
        b"<<<>>><!--<p",
    ],
    ids=["empty", "blank", "binary", "pdf", "bad-utf8", "xml-decl", "utf16", "nul", "garbage"],
)
def test_never_raises_on_bad_input(page):
    article = extract(page)
    assert isinstance(article.body, str)
    assert article.body or article.reason


def test_deep_nesting_is_handled_in_bounded_time():
    page = b"<div>" * 10_000 + (b"<p>" + LONG.encode() * 3 + b"</p>") + b"</div>" * 10_000
    start = time.process_time()
    article = extract(page)
    assert time.process_time() - start < 5
    assert article.body or article.reason


def test_huge_page_is_refused_with_a_reason():
    article = extract(b"<html><body>" + b"<p>" + LONG.encode() * 600_000 + b"</p>")
    assert article.body == ""
    assert "larger than" in article.reason


def test_page_without_article_says_why():
    article = extract(b"<html><body><nav><a href='/'>Home</a></nav></body></html>")
    assert article.body == ""
    assert article.reason == "no article text found"


def _benchmark():
    return importlib.import_module("benchmarks.extraction")


def _score_ours(dataset: Path, tmp_path: Path) -> dict:
    """precision, recall, F1 and pages under 0.3 of ours on a shared set, by its scorer."""
    bench = _benchmark()
    data = bench.load(dataset)
    bodies = bench.run({"ours": bench.ours}, data.pages)[0]["ours"]
    return bench.score(data, bodies, set(data.pages), SHARED / "eval", tmp_path)


@pytest.mark.skipif(not (SHARED / "datasets" / "aeb").exists(), reason="needs ../shared")
def test_article_extraction_benchmark_quality(tmp_path):
    scores = _score_ours(SHARED / "datasets" / "aeb", tmp_path)
    assert scores["f1"] >= 0.965
    assert scores["precision"] >= 0.95
    assert scores["recall"] >= 0.95


@pytest.mark.skipif(not (SHARED / "datasets" / "cyrillic-dev").exists(), reason="needs ../shared")
def test_cyrillic_snippets_quality(tmp_path):
    dataset = SHARED / "datasets" / "cyrillic-dev"
    assert _score_ours(dataset, tmp_path)["f1"] >= 0.95
    gold = json.loads((dataset / "gold.json").read_text(encoding="utf-8"))
    for entry in gold:
        body = " ".join(
            extract(gzip.decompress((dataset / entry["file"]).read_bytes())).body.split()
        )
        missing = [w for w in entry["with"] if " ".join(w.split()) not in body]
        assert not missing, entry["id"]
