"""Shared fixtures: paths, the user's reference page, archives built through the real store."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipelines.archive import open_archive
from pipelines.store import Archive
from scraper.extract import extract
from scraper.extract.fingerprint import content_hash
from scraper.items import Article

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
SHARED = REPO / ".." / "shared"
SEED = TESTS / "fixtures" / "seed-ru-news"


def run_cli(*args: str, timeout: float = 300, **kwargs) -> subprocess.CompletedProcess:
    """Run `newsarchive ARGS` as a user would, in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "scraper.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=kwargs.pop("cwd", REPO),
        **kwargs,
    )


def seed_paragraphs(body: str) -> list[str]:
    """The body's paragraphs (blocks are separated by a blank line)."""
    return [p.strip() for p in body.split("\n\n") if p.strip()]


@pytest.fixture(scope="session")
def seed_expected() -> dict:
    return json.loads((SEED / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seed_article(seed_expected) -> Article:
    article = extract((SEED / "page.html").read_bytes(), seed_expected["url"])
    article.source = "novosti"
    article.canonical_url = seed_expected["canonical_url"]
    article.content_hash = content_hash(article.title, article.body)
    return article


def store(db_path: Path, articles: list[Article]) -> None:
    """Write articles through the store pipeline's archive writer."""
    db = open_archive(db_path)
    try:
        Archive(db).write(articles)
    finally:
        db.close()
