"""Give each article its identity and its fingerprints.

- the canonical URL it is archived under (`canonical_key`);
- `content_hash` (title + body) which says whether a refetch is an edit, and `body_hash`
  (body alone) which finds the same text under another URL of the same source;
- a MinHash signature over word shingles, cut into LSH bands (`band_keys`), which finds
  syndicated copies; `near_duplicate` then decides on the exact shingles of the pair.

The store compares all of these against what the archive already holds.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from datasketch import MinHash, MinHashLSH

from scraper.config import Config
from scraper.items import Article
from scraper.urls import allowed, normalize_url

# Word 3-shingles: short enough that a typo or a changed boilerplate line spoils few of
# them, long enough that two stories on one event share few.
SHINGLE = 3
# Two LSH signatures find candidates: the whole body (MinHash of 64 permutations, LSH
# tuned for Jaccard 0.3: 21 bands of 3 rows) and its lead paragraph (32 permutations,
# Jaccard 0.5: 8 bands of 4), which a copy cut down to a teaser still shares in full.
# Bands of 3+ rows keep chance collisions rare at a million articles.
SIGNATURES = {"body": (64, 0.3), "lead": (32, 0.5)}
LEAD_MIN_WORDS = 15  # the lead is the first paragraph this long (not "Photo: Reuters")
# The decision, on exact shingles: share of the shorter text's shingles found in the other.
CONTAINMENT = 0.5
# Templated reports (rates, weather) share their wording and differ in figures: a copy
# repeats the figures of its original. Checked when both texts give at least 3 figures.
MIN_FIGURES = 3
FIGURES_AGREE = 0.6

_WORD = re.compile(r"\w+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


@dataclass(frozen=True)
class _Signature:
    permutations: Any
    bands: int
    rows: int


def _signature(num_perm: int, threshold: float) -> _Signature:
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)  # its optimal (bands, rows)
    template = MinHash(num_perm=num_perm, scheme="affine32")
    return _Signature(template.permutations, lsh.b, lsh.r)


_SIGNATURES = {name: _signature(*params) for name, params in SIGNATURES.items()}
BANDS = sum(s.bands for s in _SIGNATURES.values())


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def content_hash(title: str | None, body: str) -> str:
    """Hash of the text with whitespace and case folded, so re-wrapped HTML is no edit."""
    return hashlib.sha256(_fold(f"{title or ''}\n{body}").encode()).hexdigest()


def body_hash(body: str) -> str:
    """Hash of the body alone: the same story under another headline is the same text."""
    return hashlib.sha256(_fold(body).encode()).hexdigest()


def canonical_key(article: Article, allowed_domains: list[str], extra_tracking=()) -> str:
    """rel=canonical/og:url when it points into the source's own site, else the fetched URL."""
    declared = article.canonical_url
    if declared and allowed(declared, allowed_domains):
        return normalize_url(declared, extra_tracking)
    return normalize_url(article.url or "", extra_tracking)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def _shingles(words: list[str]) -> set[str]:
    if len(words) < SHINGLE:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def shingles(body: str) -> set[str]:
    return _shingles(_words(body))


def _lead(body: str) -> list[str]:
    for paragraph in body.split("\n\n"):
        if len(words := _words(paragraph)) >= LEAD_MIN_WORDS:
            return words
    return _words(body)


def band_keys(body: str) -> list[int]:
    """The body's LSH band keys as signed 64-bit integers (SQLite INTEGER), one per band.

    Signature and band index are hashed in, so one indexed column holds every band.
    """
    keys = []
    for tag, (name, signature) in enumerate(_SIGNATURES.items()):
        words = _lead(body) if name == "lead" else _words(body)
        minhash = MinHash(
            num_perm=len(signature.permutations[0]),
            permutations=signature.permutations,
            scheme="affine32",
        )
        minhash.update_batch([s.encode() for s in _shingles(words)])
        values = minhash.hashvalues  # uint32 under the affine32 scheme
        rows = signature.rows
        for band in range(signature.bands):
            digest = hashlib.blake2b(
                values[band * rows : (band + 1) * rows].tobytes(),
                digest_size=8,
                person=bytes([tag, band]),
            ).digest()
            keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def near_duplicate(body: str, other: str) -> bool:
    """Is one text a (possibly trimmed, retitled, lightly edited) copy of the other?"""
    mine, theirs = shingles(body), shingles(other)
    if not mine or not theirs:
        return False
    if len(mine & theirs) / min(len(mine), len(theirs)) < CONTAINMENT:
        return False
    figures, their_figures = set(_NUMBER.findall(body)), set(_NUMBER.findall(other))
    fewer = min(len(figures), len(their_figures))
    return fewer < MIN_FIGURES or len(figures & their_figures) / fewer >= FIGURES_AGREE


class DedupePipeline:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> DedupePipeline:
        return cls(crawler)

    def process_item(self, item: Article) -> Article:
        config: Config = self.crawler.spider.config
        source = config.source(item.source or "")
        extra = config.crawl.tracking_params
        item.canonical_url = canonical_key(item, source.allowed_domains, extra)
        # As reached (tracking links included, for the record) and as normalised (for lookups).
        item.urls_seen = sorted(
            {*item.urls_seen, *(normalize_url(url, extra) for url in item.urls_seen)}
        )
        item.content_hash = content_hash(item.title, item.body)
        return item
