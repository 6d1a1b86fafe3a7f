"""Pure extraction: HTML bytes (+ URL) in, an Article out. No Scrapy here.

Metadata is read first because body extraction prunes the tree it works on.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from scraper.extract.body import extract_body
from scraper.extract.document import NotHTML, parse_html
from scraper.extract.language import detect_language
from scraper.extract.metadata import extract_metadata
from scraper.items import Article

__all__ = ["extract"]


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
    fetched_at = fetched_at or datetime.now(UTC)
    try:
        soup = parse_html(html, encoding)
    except NotHTML as exc:
        return Article(url=url, reason=str(exc))
    article = extract_metadata(soup, url, fetched_at=fetched_at, timezone=timezone)
    body = extract_body(
        soup, body_selector=body_selector, remove_selectors=remove_selectors, url=url
    )
    article.body, article.body_html, article.reason = body.text, body.html, body.reason
    # The body is the best evidence of the language; the metadata's guess is the hint.
    if body.text:
        article.language = detect_language(body.text, article.language)
    article.url = url
    return article
