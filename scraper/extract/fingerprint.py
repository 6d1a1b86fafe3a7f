"""The fingerprints of an article's text, which say whether two texts are the same story.

- `content_hash` (title + body) says whether a refetch is an edit, and `body_hash` (body
  alone) finds the same text under another URL of the same source;
- a MinHash signature over word shingles, cut into LSH bands (`band_keys`), finds
  candidate syndicated copies; `shingles` are what the exact comparison of a pair reads.

They depend on the text alone, so the extraction workers compute them on their cores and the
store compares them with what the archive holds (pipelines.dedupe).
"""

from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass

import rensa


@dataclass(frozen=True)
class Signature:
    permutations: int
    bands: int
    rows: int
    seed: int


# Word 3-shingles: short enough that a typo or a changed boilerplate line spoils few of
# them, long enough that two stories on one event share few.
SHINGLE = 3
# Two LSH signatures find candidates: the whole body (MinHash of 64 permutations, tuned for
# Jaccard 0.3: 21 bands of 3 rows) and its lead paragraph (32 permutations, Jaccard 0.5:
# 8 bands of 4), which a copy cut down to a teaser still shares in full. The (bands, rows)
# pairs are the optimum datasketch's MinHashLSH picks for those thresholds; bands of 3+
# rows keep chance collisions rare at a million articles. The keys are stored: changing
# any of this (or rensa's hashing) needs a migration that recomputes `minhash_bands`.
SIGNATURES = {"body": Signature(64, 21, 3, seed=1), "lead": Signature(32, 8, 4, seed=2)}
BANDS = sum(s.bands for s in SIGNATURES.values())
LEAD_MIN_WORDS = 15  # the lead is the first paragraph this long (not "Photo: Reuters")

_WORD = re.compile(r"\w+")


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


def content_hash(title: str | None, body: str) -> str:
    """Hash of the text with whitespace and case folded, so re-wrapped HTML is no edit."""
    return hashlib.sha256(_fold(f"{title or ''}\n{body}").encode()).hexdigest()


def body_hash(body: str) -> str:
    """Hash of the body alone: the same story under another headline is the same text."""
    return hashlib.sha256(_fold(body).encode()).hexdigest()


def _words(text: str) -> list[str]:
    """The words (`\\w+` runs) of the text, casefolded.

    Split on whitespace first: most pieces are already whole words (`isalnum` is exactly
    `\\w` without the underscore), and the regex runs only on the rest, which is about twice
    as fast on news text as running it over everything.
    """
    words: list[str] = []
    for piece in text.casefold().split():
        if piece.isalnum():
            words.append(piece)
        else:
            words.extend(_WORD.findall(piece))
    return words


def _shingle_list(words: list[str]) -> list[str]:
    """The word SHINGLEs in order, repeats included (or the few words as one)."""
    if len(words) < SHINGLE:
        return [" ".join(words)] if words else []
    return list(map(" ".join, zip(*(words[i:] for i in range(SHINGLE)), strict=False)))


def shingles(body: str) -> set[str]:
    return set(_shingle_list(_words(body)))


def _lead(paragraphs: list[list[str]]) -> list[str]:
    for words in paragraphs:
        if len(words) >= LEAD_MIN_WORDS:
            return words
    return [word for words in paragraphs for word in words]


def band_keys(body: str) -> list[int]:
    """The body's LSH band keys as signed 64-bit integers (SQLite INTEGER), one per band.

    Signature and band index are hashed in, so one indexed column holds every band.
    """
    paragraphs = [_words(paragraph) for paragraph in body.split("\n\n")]
    texts = {"body": [word for words in paragraphs for word in words], "lead": _lead(paragraphs)}
    keys = []
    for tag, (name, signature) in enumerate(SIGNATURES.items()):
        minhash = rensa.RMinHash(num_perm=signature.permutations, seed=signature.seed)
        minhash.update(_shingle_list(texts[name]))  # repeats cannot change a minimum
        values, rows = minhash.digest(), signature.rows
        for band in range(signature.bands):
            digest = hashlib.blake2b(
                struct.pack(f"<{rows}I", *values[band * rows : (band + 1) * rows]),
                digest_size=8,
                person=bytes([tag, band]),
            ).digest()
            keys.append(int.from_bytes(digest, "little", signed=True))
    return keys
