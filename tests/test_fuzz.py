"""The extractor and the metadata parser never raise and never stall, whatever the page.

Property-based (hypothesis): 10,000 pages in all, mutated from real pages (the fixtures,
the fault server's pages, the shared datasets when present) and generated from scratch
with hostile metadata. Each run checks the same inputs (derandomized), so a failure
reproduces; `FUZZ_EXAMPLES` scales every test up for a longer hunt.
"""

from __future__ import annotations

import gzip
import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

from bs4 import BeautifulSoup
from faultserver import RU_PARAGRAPHS, RU_TITLE, article_page, good_article
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scraper.extract import extract
from scraper.extract.document import NotHTML, parse_html
from scraper.extract.metadata import extract_metadata
from scraper.items import Article

TESTS = Path(__file__).resolve().parent
SHARED = TESTS.parent / ".." / "shared" / "datasets"
SCALE = int(os.environ.get("FUZZ_EXAMPLES", "1"))
PAGE_SECONDS = 5.0  # generous: a real page takes milliseconds

BASE = settings(
    derandomize=True,
    database=None,
    deadline=None,  # timed by hand below, with a clearer message
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def fuzz(examples: int) -> settings:
    return settings(BASE, max_examples=examples * SCALE)


def seed_pages() -> list[bytes]:
    pages = [p.read_bytes() for p in sorted((TESTS / "fixtures").rglob("*.html"))]
    pages += [
        good_article(3).encode(),
        article_page(RU_TITLE, RU_PARAGRAPHS, lang="ru").encode("cp1251"),
        article_page(RU_TITLE, RU_PARAGRAPHS, lang="ru").encode("koi8-r"),
    ]
    for folder in ("aeb/html", "cyrillic-dev/html"):  # a few real pages, when present
        for path in sorted((SHARED / folder).glob("*"), key=lambda p: p.stat().st_size)[:3]:
            data = path.read_bytes()
            pages.append(gzip.decompress(data) if path.suffix == ".gz" else data)
    return pages


SEEDS = seed_pages()


def timed_extract(html: bytes, **options) -> Article:
    started = time.perf_counter()
    article = extract(html, "https://news.example.org/2024/05/01/story.html", **options)
    seconds = time.perf_counter() - started
    assert seconds < PAGE_SECONDS, f"{len(html)} bytes took {seconds:.1f} s"
    return article


def check_article(article: Article) -> None:
    """What any page must give: an Article whose text fields are text."""
    assert isinstance(article, Article)
    assert isinstance(article.body, str) and isinstance(article.body_html, str)
    assert article.body or article.reason or article.body == ""
    for name in ("title", "published", "modified", "language", "canonical_url"):
        assert getattr(article, name) is None or isinstance(getattr(article, name), str)
    assert all(isinstance(a, str) for a in article.authors)
    json.dumps(article.authors + article.tags)  # storable as the archive's JSON columns


# -- mutated real pages -----------------------------------------------------------------

mutation = st.one_of(
    st.tuples(st.just("replace"), st.integers(0, 2**20), st.binary(min_size=1, max_size=64)),
    st.tuples(st.just("insert"), st.integers(0, 2**20), st.binary(min_size=1, max_size=64)),
    st.tuples(st.just("delete"), st.integers(0, 2**20), st.integers(1, 4096)),
    st.tuples(st.just("truncate"), st.integers(0, 2**20), st.just(0)),
    st.tuples(st.just("duplicate"), st.integers(0, 2**20), st.integers(1, 4096)),
    st.tuples(
        st.just("markup"),
        st.integers(0, 2**20),
        st.sampled_from(
            [
                b"<div>" * 300,
                b"</div></p></body></html>",
                b"<script>",
                b"<!--",
                b"<![CDATA[",
                b"<meta charset='koi8-u'>",
                b"<meta charset='utf-32'>",
                b"<meta charset='x-bogus'>",
                b"\xef\xbb\xbf",
                b"\xff\xfe",
                b"\x00\x00\x00",
                b"<time datetime='99999-99-99T99:99'>",
                b"<meta property='article:published_time' content='2024-02-30T25:61:00+99:00'>",
                b'<script type=\'application/ld+json\'>{"@graph": [[[{"author": {}}]]]}',
                b"<link rel=canonical href='javascript:alert(1)'>",
                b"<base href='::::'>",
                b"&#xFFFFFFFF;&#0;&#xD800;",
                b"<svg><foreignObject><math><mi><table><tr><td>",
            ]
        ),
    ),
)


def mutate(page: bytes, steps: list[tuple[str, int, object]]) -> bytes:
    for op, where, what in steps:
        at = where % (len(page) + 1)
        if op == "replace":
            page = page[:at] + what + page[at + len(what) :]
        elif op in ("insert", "markup"):
            page = page[:at] + what + page[at:]
        elif op == "delete":
            page = page[:at] + page[at + what :]
        elif op == "truncate":
            page = page[:at]
        else:  # duplicate a slice in place
            page = page[:at] + page[at : at + what] * 2 + page[at + what :]
    return page


@fuzz(4000)
@given(
    seed=st.sampled_from(SEEDS),
    steps=st.lists(mutation, min_size=1, max_size=8),
    encoding=st.sampled_from([None, "utf-8", "cp1251", "koi8-r", "latin-1", "x-nonsense", ""]),
)
def test_mutated_real_pages_never_raise(seed, steps, encoding):
    check_article(timed_extract(mutate(seed, steps), encoding=encoding))


# -- generated pages with hostile metadata ----------------------------------------------

text = st.text(max_size=40)
dates = st.one_of(
    text,
    st.datetimes().map(datetime.isoformat),
    st.sampled_from(["", "now", "2 hours ago", "вчера", "0000-00-00", "1e309", "NaN"]),
)
meta_names = st.sampled_from(
    [
        "og:title",
        "og:url",
        "og:locale",
        "article:published_time",
        "article:modified_time",
        "article:author",
        "article:section",
        "article:tag",
        "author",
        "description",
        "keywords",
        "date",
        "pubdate",
        "dc.date",
        "dc.language",
    ]
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=20,
)
json_ld = st.fixed_dictionaries(
    {"@type": st.sampled_from(["NewsArticle", "Article", ["NewsArticle"], 7, None])},
    optional={
        "headline": json_values,
        "author": json_values,
        "datePublished": dates,
        "dateModified": json_values,
        "articleBody": json_values,
        "inLanguage": json_values,
        "@graph": json_values,
    },
)


@st.composite
def hostile_page(draw) -> bytes:
    head = [f"<title>{draw(text)}</title>"]
    for _ in range(draw(st.integers(0, 8))):
        attr = draw(st.sampled_from(["property", "name", "itemprop"]))
        head.append(f"<meta {attr}='{draw(meta_names)}' content='{draw(dates)}'>")
    for _ in range(draw(st.integers(0, 3))):
        blob = json.dumps(draw(json_ld)) if draw(st.booleans()) else draw(text)
        head.append(f"<script type='application/ld+json'>{blob}</script>")
    if draw(st.booleans()):
        head.append(f"<link rel='canonical' href='{draw(text)}'>")
    body = [f"<h1>{draw(text)}</h1>"]
    for _ in range(draw(st.integers(0, 12))):
        tag = draw(st.sampled_from(["p", "div", "article", "time", "span", "a", "li", "table"]))
        attrs = draw(st.sampled_from(["", "class='content'", "hidden", "datetime='x'"]))
        body.append(f"<{tag} {attrs}>{draw(st.text(max_size=200))}</{tag}>")
    lang = draw(st.sampled_from(["en", "ru", "uk", "", "x-klingon", "ru-RU"]))
    page = f"<html lang='{lang}'><head>{''.join(head)}</head><body>{''.join(body)}</body></html>"
    return page.encode(draw(st.sampled_from(["utf-8", "utf-16", "cp1251"])), errors="replace")


@fuzz(4000)
@given(
    page=hostile_page(),
    timezone=st.sampled_from([None, "Europe/Kyiv", "Europe/Moscow", "UTC", "America/New_York"]),
)
def test_generated_pages_with_hostile_metadata_never_raise(page, timezone):
    check_article(timed_extract(page, timezone=timezone))


@fuzz(500)
@given(page=hostile_page())
def test_dates_that_get_through_are_iso_8601(page):
    article = timed_extract(page)
    for value in (article.published, article.modified):
        if value:
            datetime.fromisoformat(value)


@fuzz(1000)
@given(page=hostile_page(), fetched_at=st.datetimes(timezones=st.just(UTC)))
def test_the_metadata_parser_alone_never_raises(page, fetched_at):
    """extract_metadata on its own, on trees parse_html built or BeautifulSoup's own."""
    try:
        trees = [parse_html(page), BeautifulSoup(page, "lxml")]
    except NotHTML:  # NUL bytes: extract() reports these; the parser sees BeautifulSoup's tree
        trees = [BeautifulSoup(page, "lxml")]
    for soup in trees:
        started = time.perf_counter()
        article = extract_metadata(soup, None, fetched_at=fetched_at, timezone="Europe/Kyiv")
        assert time.perf_counter() - started < PAGE_SECONDS
        check_article(article)


@fuzz(1000)
@given(data=st.binary(max_size=4096))
def test_arbitrary_bytes_never_raise(data):
    check_article(timed_extract(data))


def test_malformed_ipv6_urls_in_links_and_metadata_do_not_raise():
    html = (
        b'<html><head><link rel="canonical" href="http://[broken/x">'
        b'<meta property="og:image" content="http://[::1/img.jpg"></head><body><h1>T</h1>'
        + b'<p>Text <a href="http://[oops/">link</a> and more words here. </p>' * 20
        + b"</body></html>"
    )
    article = extract(html, "https://example.org/a")
    assert article.canonical_url is None and article.image is None
    assert "link" in article.body and "[oops" not in article.body_html
