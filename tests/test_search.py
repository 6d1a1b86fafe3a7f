"""Language-aware search: the words reporters type find the forms articles use.

`news_articles` is the small multilingual archive the Datasette and browser tests share;
when the demo crawl lands, it can be swapped for the demo archive without touching tests.
"""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from conftest import store

from pipelines import store as store_module
from pipelines import textsearch
from pipelines.archive import MIGRATIONS, SCHEMA_VERSION, open_archive
from pipelines.extract import fill
from pipelines.textsearch import (
    SCHEMA_6_COLUMNS,
    create_search_index,
    fts_query,
    rebuild_search_index,
)
from scraper.extract.fingerprint import content_hash
from scraper.extract.worker import extract_fields
from scraper.items import Article
from scraper.serve.runner import make_datasette

XSS_TITLE = 'Взлом <script>window.xssRan=1</script><img src=x onerror="window.xssRan=2">'
XSS_BODY = (
    'Текст с атакой <script>window.xssRan=3</script> и <a href="javascript:window.xssRan=4">'
    'ссылкой</a>.\n\n<svg onload="window.xssRan=5"></svg> Ещё <img src=x onerror=alert(1)>.'
)


def article(n: int, title: str, body: str, *, source: str = "wire", language: str | None = "ru",
            **fields) -> Article:  # fmt: skip
    made = Article(
        title=title,
        body=body,
        language=language,
        source=source,
        canonical_url=f"https://{source}.example/{n}",
        url=f"https://{source}.example/{n}",
        published=f"2024-03-{n:02d}T10:00:00+00:00",
        **fields,
    )
    made.content_hash = content_hash(title, body)
    return made


NEWS = [
    article(1, "Беспилотники атаковали Белгород", "Ночью несколько беспилотников сбиты."),
    article(2, "Сбит беспилотник", "ПВО сбила беспилотник. Ёлки и береза целы.", source="tass"),
    article(3, "Награда беспилотнику", "Беспилотнику «Орион» вручили приз из-за рекорда."),
    article(4, "Визит Зеленского", "Зеленского встретили в Берлине.", source="meduza"),
    article(
        5,
        "Безпілотники над Києвом",
        "У Києві збили безпілотники.",
        language="uk",
        source="ukrpravda",
        authors=["Олена Петренко"],
        tags=["Київ", "ППО"],
    ),  # fmt: skip
    article(
        6,
        "Новини з Івано-Франківська",
        "В Івано-Франківську обʼєкт пошкоджено.",
        language=None,
        source="ukrpravda",
    ),  # fmt: skip
    article(7, "Drones over the Baltic", "Several drones were seen near the port.", language="en"),
    article(8, "Погода", "Солнечно и тепло, без осадков.", source="tass"),
    article(9, XSS_TITLE, XSS_BODY, source="tass"),
]


@pytest.fixture
def news_db(tmp_path, seed_article) -> Path:
    """An archive of the seed article and a handful of ru/uk/en articles, one with XSS."""
    db_path = tmp_path / "news.db"
    store(db_path, [seed_article, *NEWS])
    return db_path


def search(db_path: Path, query: str, **args: str) -> list[str]:
    """Titles the articles table's search box finds (JSON: every match)."""
    datasette = make_datasette(db_path)
    params = {"_search": query, "_shape": "objects", "_col": "title", **args}
    response = asyncio.run(datasette.client.get(f"/{db_path.stem}/articles.json", params=params))
    assert response.status_code == 200, response.text
    return [row["title"] for row in response.json()["rows"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("беспилотник", {NEWS[0].title, NEWS[1].title, NEWS[2].title, "seed"}),
        ("БЕСПИЛОТНИКАМИ", {NEWS[0].title, NEWS[1].title, NEWS[2].title, "seed"}),
        ("Зеленский", {NEWS[3].title}),
        ("безпілотник", {NEWS[4].title}),
        ("Київ", {NEWS[4].title}),
        ("drone", {NEWS[6].title}),
        ("елки", {NEWS[1].title}),  # ё and е are one letter to search
        ("берёза", {NEWS[1].title}),
        ("из-за", {NEWS[2].title}),
        ("Івано-Франківськ", {NEWS[5].title}),  # no language: detected per word
        ("об'єкт", {NEWS[5].title}),  # a different apostrophe from the text's ʼ
        ("обєкт", {NEWS[5].title}),
    ],
)
def test_a_word_finds_its_other_forms(news_db, seed_article, query, expected):
    found = {"seed" if t == seed_article.title else t for t in search(news_db, query)}
    assert found == expected


def test_query_syntax_phrase_or_not_prefix(news_db):
    assert search(news_db, '"беспилотник Берлин"') == []  # words in no article together
    assert search(news_db, '"несколько беспилотников"') == [NEWS[0].title]
    assert set(search(news_db, "Зеленский OR drones")) == {NEWS[3].title, NEWS[6].title}
    assert set(search(news_db, "беспилотник NOT Белгород NOT БПЛА")) == {
        NEWS[1].title,
        NEWS[2].title,
    }
    assert set(search(news_db, "беспилот* NOT Казахстан")) == {
        NEWS[0].title,
        NEWS[1].title,
        NEWS[2].title,
    }


@pytest.mark.parametrize(
    "query",
    ['"', "OR", "NOT беспилотник", "беспилотник AND", ")(*", "NEAR(a b", "'; drop", "-", "**"],
)
def test_punctuation_never_breaks_the_page(news_db, query):
    datasette = make_datasette(news_db)
    for path in ("articles", "articles.json"):
        response = asyncio.run(datasette.client.get(f"/news/{path}", params={"_search": query}))
        assert response.status_code == 200, (query, response.text[:300])


def test_query_terms_are_always_quoted():
    assert fts_query('a" OR "b NEAR(') == '"a" "or" "b" "near"'
    assert fts_query("!!! ???") is None


def test_changed_and_deleted_articles_leave_the_index(news_db):
    db = open_archive(news_db)
    with db.conn:
        changed = "UPDATE articles SET body = 'Теперь про погоду' WHERE title = ?"
        db.execute(changed, [NEWS[3].title])
        gone = db.execute("SELECT id FROM articles WHERE title = ?", [NEWS[6].title]).fetchone()
        db.execute("DELETE FROM article_urls WHERE article_id = ?", gone)
        db.execute("DELETE FROM articles WHERE id = ?", gone)
    db.close()
    assert search(news_db, "Берлин") == []  # the old body's word
    assert search(news_db, "Зеленский") == [NEWS[3].title]  # the title is unchanged
    assert search(news_db, "погода") and NEWS[3].title in search(news_db, "погода")
    assert search(news_db, "drone") == []
    # The contentless index agrees with the table: its integrity check passes.
    with sqlite3.connect(news_db) as conn:
        conn.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 0)")


def test_bylines_and_tags_are_searched(tmp_path):
    byline = article(12, "Колонка", "Текст колонки.", authors=["Ганна Шевчук"], tags=["Энергетика"])
    db_path = tmp_path / "news.db"
    store(db_path, [article(11, "Дороги", "Совет обсудил бюджет."), byline])
    assert search(db_path, "Шевчук") == [byline.title]
    assert search(db_path, "энергетике") == [byline.title]  # a tag, in another form


def test_a_schema_6_archive_is_upgraded_to_search_bylines_tags_and_leads(news_db):
    db = open_archive(news_db)
    with db.conn:  # the index as schema 6 made it
        create_search_index(db.conn, SCHEMA_6_COLUMNS)
        rebuild_search_index(db.conn, SCHEMA_6_COLUMNS)
        db.execute("PRAGMA user_version = 6")
    db.close()
    assert search(news_db, "Петренко") == []  # the byline of NEWS[4], not indexed yet
    db = open_archive(news_db)  # upgrades
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    with db.conn:
        MIGRATIONS[6](db)  # safe to run twice
    db.close()
    assert search(news_db, "Петренко") == [NEWS[4].title]
    assert search(news_db, "ППО") == [NEWS[4].title]  # a tag
    assert len(search(news_db, "беспилотник")) == 4  # headlines and bodies, as before
    db = open_archive(news_db)
    with db.conn:  # and the triggers follow a changed byline
        db.execute("UPDATE articles SET authors = '[\"Ірина Коваль\"]' WHERE id = 6")
        db.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 0)")
    db.close()
    assert search(news_db, "Коваль") == [NEWS[4].title]
    assert search(news_db, "Петренко") == []


NODE_PAGE = b"""<html><head><title>Bridge repairs</title>
<link rel="canonical" href="https://wire.example/1">
<meta name="description" content="Tunnel closures announced.">
<meta name="author" content="Ganna Shevchuk">
<meta property="article:tag" content="Infrastructure">
</head><body><article><h1>Bridge repairs</h1>
<p>The council approved the repair budget for the old bridge this week after a debate.</p>
<p>Works start in spring and will last two months, the mayor said.</p></article></body></html>"""


def test_a_cluster_writer_indexes_every_column_with_the_nodes_terms(tmp_path, monkeypatch):
    """A cluster node's extraction worker computes the terms of every indexed column (the
    headline, lead, body, bylines, tags) and the body's hash, so the one writer computes
    none: its CPU per article sets how many nodes it serves (benchmarks/distributed.py)."""
    page = Article(url="https://wire.example/1", source="wire", raw_html=NODE_PAGE)
    fields = extract_fields(NODE_PAGE, page.url, "text/html", None, None, search_terms=True)
    node_article = fill(page, fields)
    node_article.content_hash = content_hash(node_article.title, node_article.body)
    db_path = tmp_path / "news.db"
    with monkeypatch.context() as writer:
        writer.setattr(textsearch, "terms", lambda text: pytest.fail(f"writer computed {text!r}"))
        writer.setattr(store_module, "body_hash", lambda body: pytest.fail("writer hashed"))
        store(db_path, [node_article])
    for query in ("bridges", "closures", "approving", "Shevchuk", "infrastructure"):
        assert search(db_path, query) == ["Bridge repairs"], query
