"""Pure extraction: HTML bytes (+ URL) in, an Article out. No Scrapy here.

Metadata is read first because body extraction prunes the tree it works on.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from datetime import UTC, datetime

from scraper.extract import dates
from scraper.extract.authors import byline_at_end
from scraper.extract.body import extract_body
from scraper.extract.document import NotHTML, decode_html, parse_tree, soup_of
from scraper.extract.language import detect_language
from scraper.extract.metadata import extract_metadata
from scraper.items import Article

__all__ = ["extract", "warm_up"]

# A page with a headline, a date in words and enough Russian to identify.
_SAMPLE = (
    "<html><head><title>Проверка</title></head><body><h1>Проверка</h1>"
    "<time>5 декабря 2023, 14:37</time><p>"
    + "Это короткая проверочная статья, в которой достаточно слов для определения языка. " * 3
    + "</p></body></html>"
).encode()


def extract(
    html: bytes,
    url: str | None = None,
    *,
    encoding: str | None = None,
    fetched_at: datetime | None = None,
    timezone: str | None = None,
    body_selector: str | None = None,
    remove_selectors: Sequence[str] = (),
) -> Article:
    """Extract the article in `html`. Never raises on bad input: an empty body and a
    `reason` say what went wrong.

    `encoding` is the charset from the HTTP header, `fetched_at` anchors relative dates
    ("2 hours ago"), `timezone` is the source's zone for dates given without one, and the
    selectors are a source's overrides from sources.toml.
    """
    # A page's tree is tens of thousands of objects in reference cycles, all alive until
    # the page is done: the collector, left on, would scan them again and again as they
    # age through its generations (a tenth of the CPU or more) and free nothing. It is paused for
    # the page, and the page's garbage, all still in the youngest generation, is then
    # freed in one pass.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _extract(html, url, encoding, fetched_at, timezone, body_selector, remove_selectors)
    finally:
        if collecting:
            gc.enable()
            gc.collect(0)


def _extract(
    html: bytes,
    url: str | None,
    encoding: str | None,
    fetched_at: datetime | None,
    timezone: str | None,
    body_selector: str | None,
    remove_selectors: Sequence[str],
) -> Article:
    fetched_at = fetched_at or datetime.now(UTC)
    try:
        text = decode_html(html, encoding)
    except NotHTML as exc:
        return Article(url=url, reason=str(exc))
    # The lxml tree is kept for htmldate; the soup is built from it, and body extraction
    # prunes the soup only.
    tree = parse_tree(text)
    soup = soup_of(text, tree)
    article = extract_metadata(soup, url, fetched_at=fetched_at, timezone=timezone)
    body = extract_body(
        soup,
        body_selector=body_selector,
        remove_selectors=remove_selectors,
        url=url,
        title=article.title,
    )
    article.body, article.body_html, article.reason = body.text, body.html, body.reason
    # The body is the best evidence of the language; the metadata's guess is the hint.
    if body.text:
        article.language = detect_language(body.text, article.language)
    if body.text and not article.published:  # the markup has none: a dateline in the text
        found = dates.date_in_text(
            body.text, fetched_at=fetched_at, timezone=timezone, language=article.language
        )
        article.published = dates.isoformat(found) if found else None
    if body.text and article.authors == article.organizations:  # no person named yet
        article.authors = byline_at_end(body.text) or article.authors
    if not article.published:  # last resort: htmldate's reading of the whole page
        page = text if tree is None else tree
        found = dates.htmldate_day(page, url or article.canonical_url, fetched_at=fetched_at)
        article.published = found.isoformat() if found else None
    article.url = url
    return article


def warm_up() -> None:
    """Load what the first extraction would (language model, dateparser's data) now."""
    extract(_SAMPLE, "https://example.com/2023/12/05/warm-up")
