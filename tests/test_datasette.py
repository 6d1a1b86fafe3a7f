"""Datasette on the archive, configured by the package's metadata.yml."""

import asyncio
from pathlib import Path

from conftest import store

from scraper.serve import make_datasette


def get(db_path: Path, path: str):
    return asyncio.run(make_datasette(db_path).client.get(path))


def test_search_finds_the_seed_article_by_a_russian_word(tmp_path, seed_article):
    db_path = tmp_path / "news.db"
    store(db_path, [seed_article])
    response = get(db_path, "/news/articles.json?_search=Казахстана&_shape=objects")
    assert response.status_code == 200
    rows = response.json()["rows"]
    assert [r["canonical_url"] for r in rows] == [seed_article.canonical_url]
    # A word the article does not contain finds nothing.
    response = get(db_path, "/news/articles.json?_search=Бразилия&_shape=objects")
    assert response.json()["rows"] == []


def test_articles_table_is_faceted_and_newest_first(tmp_path, seed_article):
    db_path = tmp_path / "news.db"
    store(db_path, [seed_article])
    data = get(db_path, "/news/articles.json").json()
    assert set(data["facet_results"]) == {"source", "language"}
    assert "order by published_utc desc" in data["query"]["sql"]


def test_internal_tables_are_hidden(tmp_path, seed_article):
    db_path = tmp_path / "news.db"
    store(db_path, [seed_article])
    tables = get(db_path, "/news.json").json()["tables"]
    hidden = {t["name"] for t in tables if t["hidden"]}
    assert {"articles_fts", "articles_fts_data"} <= hidden
    assert "articles" not in hidden
