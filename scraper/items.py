"""The article item: the one record that travels from spider to pipelines to the archive.

A plain dataclass (Scrapy accepts dataclass items through itemadapter), so that extraction,
which must not import Scrapy, can build it too.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass, field
from typing import ClassVar, NamedTuple


class PackedPage(NamedTuple):
    """A fetched page as the archive keeps it."""

    sha256: str  # of the page as fetched (`raw_hash`)
    size: int
    data: bytes  # zlib-compressed


def pack_page(raw: bytes) -> PackedPage:
    return PackedPage(hashlib.sha256(raw).hexdigest(), len(raw), zlib.compress(raw, 6))


def json_text(value: list[str]) -> str:
    """A list column (authors, tags...) as the archive stores it."""
    return json.dumps(value, ensure_ascii=False)


@dataclass
class Article:
    # What the extractor reads from the page.
    title: str | None = None
    authors: list[str] = field(default_factory=list)  # people only
    # Organisations the page credits as authors (agencies, desks), kept apart from people.
    organizations: list[str] = field(default_factory=list)
    published: str | None = None  # ISO 8601 with offset
    modified: str | None = None
    language: str | None = None  # ISO 639-1
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    description: str | None = None
    canonical_url: str | None = None
    site_name: str | None = None
    body: str = ""  # plain text, blank line between blocks
    body_html: str = ""  # minimal sanitized HTML of the body
    # Why the body is empty, when it is (not HTML, no content block, too large...).
    reason: str | None = None

    # What the crawler knows about the fetch; empty when extracting a file from the CLI.
    url: str | None = None
    source: str | None = None
    fetched_at: str | None = None  # ISO 8601, UTC
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    raw_html: bytes | None = field(default=None, repr=False)
    # Every URL the page was reached under (tracking links, redirects), for article_urls.
    urls_seen: list[str] = field(default_factory=list)

    # Set by the validate pipeline: why the page is kept as a page, not archived as an article.
    not_article: str | None = None

    # Set by the dedupe pipeline.
    content_hash: str | None = None
    # The hash of the body alone (scraper.extract.fingerprint.body_hash) and its words,
    # computed by the extraction worker too; None: computed when asked. Reset them with `body`.
    body_hash: str | None = field(default=None, repr=False)
    body_words: int | None = field(default=None, repr=False)
    # The body's MinHash LSH band keys (scraper.extract.fingerprint.band_keys), computed by the
    # extraction worker on its own core rather than by the single writer; None: the store
    # computes them. Whoever changes `body` afterwards must reset this.
    band_keys: list[int] | None = field(default=None, repr=False)
    # `raw_html` packed for the archive, by the extraction worker on its own core rather than
    # by the single writer (a cluster's nodes send it so); None: `packed_page` packs it when
    # first asked. Whoever changes `raw_html` afterwards must reset this.
    packed: PackedPage | None = field(default=None, repr=False)
    # The search index's terms of each of `indexed_texts()` (scraper.extract.terms), computed
    # there too; None: the index computes them. Reset it with any of those fields.
    search_terms: tuple[str, ...] | None = field(default=None, repr=False)

    # Set by the spider from the HTTP exchange; everything else comes from extraction.
    FETCH_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"url", "source", "fetched_at", "status", "headers", "raw_html", "urls_seen"}
    )

    @property
    def word_count(self) -> int:
        return len(self.body.split()) if self.body_words is None else self.body_words

    def indexed_texts(self) -> tuple[str | None, ...]:
        """The texts of the search index's columns, as the archive stores them
        (pipelines.textsearch.FTS_COLUMNS: headline, lead, body, bylines, tags)."""
        return (
            self.title,
            self.description,
            self.body,
            json_text(self.authors),
            json_text(self.tags),
        )

    def packed_page(self) -> PackedPage | None:
        """The raw page as the archive keeps it (None: no page), packed once."""
        if self.packed is None and self.raw_html:
            self.packed = pack_page(self.raw_html)
        return self.packed
