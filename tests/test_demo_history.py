"""Edit history and copies on a real crawl of the demo sites, across two editions."""

from __future__ import annotations

import sqlite3

import pytest
from conftest import run_cli
from test_crawl_demo import EXPECTED, write_config

import demo


def query(db_path, sql, params=()):
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def two_editions(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("editions")
    with demo.DemoServer() as site:
        config = write_config(tmp / "sources.toml", site.origins)
        db_path = tmp / "archive.db"
        first = run_cli("crawl", "--config", str(config), "--db", str(db_path))
        assert first.returncode == 0, first.stderr
        site.edition = 2
        second = run_cli("crawl", "--config", str(config), "--db", str(db_path))
        assert second.returncode == 0, second.stderr
        yield site.origins, db_path, first.stdout


def test_silent_edit_becomes_a_version(two_editions):
    origins, db_path, _ = two_editions
    (changed,) = EXPECTED["sources"]["novosti"]["edition2"]["changed"]
    (article,) = query(
        db_path,
        "SELECT * FROM articles WHERE canonical_url = ?",
        [origins["novosti"] + changed["path"]],
    )
    assert article["version"] == 2
    assert article["title"] == changed["title"]
    assert changed["changed_paragraph"] in article["body"]
    (old,) = query(db_path, "SELECT * FROM article_versions WHERE article_id = ?", [article["id"]])
    assert old["version"] == 1
    assert old["title"] == changed["before"]["title"]
    assert changed["before"]["paragraph"] in old["body"]
    edited = query(db_path, "SELECT * FROM edited_articles WHERE article_id = ?", [article["id"]])
    assert len(edited) == 1 and edited[0]["edited_at"]


def test_only_the_real_edit_is_a_version(two_editions):
    # Edition 2 also changes sidebars of other pages: that is not an edit of their text.
    _, db_path, _ = two_editions
    assert query(db_path, "SELECT count(*) FROM article_versions")[0][0] == 1


def test_new_article_of_edition_two_is_added(two_editions):
    origins, db_path, _ = two_editions
    (added,) = EXPECTED["sources"]["novosti"]["edition2"]["added"]
    rows = query(
        db_path,
        "SELECT title FROM articles WHERE canonical_url = ?",
        [origins["novosti"] + added["path"]],
    )
    assert [r["title"] for r in rows] == [added["title"]]


def test_syndicated_copy_points_at_the_original(two_editions):
    origins, db_path, _ = two_editions
    (pair,) = EXPECTED["syndicated"]
    original = origins[pair["original"]["source"]] + pair["original"]["path"]
    copy = origins[pair["copy"]["source"]] + pair["copy"]["path"]
    ids = {
        r["canonical_url"]: (r["id"], r["duplicate_of"])
        for r in query(db_path, "SELECT id, canonical_url, duplicate_of FROM articles")
    }
    assert ids[copy][1] == ids[original][0]
    assert ids[original][1] is None
    # No other demo article is taken for a copy.
    assert sum(1 for _, dup in ids.values() if dup is not None) == 1


def test_datasette_lists_the_edit_with_its_old_headline(two_editions):
    import asyncio

    from scraper.serve.runner import make_datasette

    origins, db_path, _ = two_editions
    (changed,) = EXPECTED["sources"]["novosti"]["edition2"]["changed"]
    response = asyncio.run(
        make_datasette(db_path).client.get(f"/{db_path.stem}/edit_history.json?_shape=objects")
    )
    rows = response.json()["rows"]
    assert [(r["title"], r["old_title"]) for r in rows] == [
        (changed["title"], changed["before"]["title"])
    ]


def test_the_copy_is_counted_where_the_crawl_is_reported(two_editions):
    _, db_path, summary = two_editions
    (pair,) = EXPECTED["syndicated"]
    assert ", 1 duplicates," in summary.splitlines()[0]
    # Counted for whichever side of the pair the crawl stored second (fetch order varies).
    counted = [line for line in summary.splitlines()[1:] if "1 duplicates" in line]
    assert len(counted) == 1
    source = counted[0].split(":")[0].strip()
    assert source in (pair["copy"]["source"], pair["original"]["source"])
    first = query(db_path, "SELECT * FROM crawls ORDER BY id LIMIT 1")[0]
    assert first["duplicates"] == 1
    per_source = query(
        db_path, "SELECT source, duplicates FROM crawl_sources WHERE crawl_id = ?", [first["id"]]
    )
    assert {r["source"]: r["duplicates"] for r in per_source if r["duplicates"]} == {source: 1}


def test_syndicated_copies_query_finds_either_side_of_the_pair(two_editions):
    import asyncio

    from scraper.serve.runner import make_datasette

    origins, db_path, _ = two_editions
    (pair,) = EXPECTED["syndicated"]
    ids = {
        side: query(
            db_path,
            "SELECT id FROM articles WHERE canonical_url = ?",
            [origins[pair[side]["source"]] + pair[side]["path"]],
        )[0]["id"]
        for side in ("original", "copy")
    }
    client = make_datasette(db_path).client
    for side, other, match in (("original", "copy", "copy"), ("copy", "original", "original")):
        path = f"/{db_path.stem}/syndicated_copies.json?_shape=objects&id={ids[side]}"
        rows = asyncio.run(client.get(path)).json()["rows"]
        assert [(r["id"], r["source"], r["match"]) for r in rows] == [
            (ids[other], pair[other]["source"], match)
        ]
