"""Dedupe rules: tracking parameters from the config, near-duplicate decisions on the
evaluation set, an LSH index that outlives the process and its hash seed, older archives
brought up."""

from __future__ import annotations

import dataclasses
import json
import os
import sqlite3
import subprocess
import sys

import pytest
import sqlite_utils
from conftest import REPO, TESTS, store

from pipelines.archive import MIGRATIONS, SCHEMA_VERSION, open_archive
from pipelines.dedupe import near_duplicate
from pipelines.textsearch import register_functions
from scraper.config import ConfigError, parse_config
from scraper.extract.fingerprint import band_keys, content_hash
from scraper.urls import normalize_url

PAIRS = [
    json.loads(line)
    for line in (TESTS / "fixtures" / "dedupe" / "pairs.jsonl").read_text("utf-8").splitlines()
]


def test_config_extends_the_tracking_parameters():
    config = parse_config(
        '[crawl]\ntracking_params = ["ref_*", "from"]\n'
        '[[source]]\nname = "a"\nstart_urls = ["https://a.example/"]\n'
    )
    extra = config.crawl.tracking_params
    url = "https://a.example/n?id=7&REF_feed=tg&from=main&utm_medium=x&fbclid=1"
    assert normalize_url(url, extra) == "https://a.example/n?id=7"
    assert normalize_url(url) == "https://a.example/n?REF_feed=tg&from=main&id=7"
    with pytest.raises(ConfigError, match="tracking_params"):
        parse_config(
            '[crawl]\ntracking_params = "ref"\n[[source]]\nname = "a"\nstart_urls = ["https://a.example/"]'
        )


@pytest.mark.parametrize("kind", ["same-event", "same-event-copy", "template", "unrelated"])
def test_hard_non_pairs_are_not_copies(kind):
    pairs = [p for p in PAIRS if p["kind"].startswith(kind)]
    assert pairs and not any(p["duplicate"] for p in pairs)
    judged = [p["kind"] for p in pairs if near_duplicate(p["a"]["body"], p["b"]["body"])]
    assert len(judged) <= 0.05 * len(pairs), judged


def test_copies_are_found_by_lsh_and_confirmed():
    copies = [p for p in PAIRS if p["duplicate"]]
    found = [
        p
        for p in copies
        if set(band_keys(p["a"]["body"])) & set(band_keys(p["b"]["body"]))
        and near_duplicate(p["a"]["body"], p["b"]["body"])
    ]
    assert len(copies) >= 100
    assert len(found) >= 0.95 * len(copies)


def syndicated_copy(seed_article):
    """The seed article as an aggregator republishes it: retitled, trimmed, credited."""
    paragraphs = seed_article.body.split("\n\n")
    copy = dataclasses.replace(
        seed_article,
        source="aggregator",
        canonical_url="https://aggregator.example/news/1",
        title="Перепечатка: " + (seed_article.title or ""),
        body="\n\n".join(["Фото: архив", *paragraphs[:-1], "Читайте также: другие новости."]),
    )
    copy.content_hash = content_hash(copy.title, copy.body)
    return copy


def assert_copy_points_at_original(db_path):
    db = open_archive(db_path)
    rows = {r["source"]: r for r in db["articles"].rows}
    assert rows["aggregator"]["duplicate_of"] == rows["novosti"]["id"]
    assert rows["novosti"]["duplicate_of"] is None
    db.close()


def test_lsh_index_outlives_the_process(tmp_path, seed_article):
    db_path = tmp_path / "archive.db"
    store(db_path, [seed_article])  # first crawl, archive closed after
    store(db_path, [syndicated_copy(seed_article)])  # a later crawl, a fresh Archive
    assert_copy_points_at_original(db_path)


def test_band_keys_are_the_same_in_every_process(seed_article):
    """They are stored: a later run (another hash seed, another machine) must find them."""
    script = (
        "import json, sys; from scraper.extract.fingerprint import band_keys; "
        "print(json.dumps(band_keys(sys.stdin.read())))"
    )
    for seed in ("0", "12345"):
        out = subprocess.run(
            [sys.executable, "-c", script],
            input=seed_article.body,
            capture_output=True,
            text=True,
            check=True,
            cwd=REPO,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        assert json.loads(out) == band_keys(seed_article.body)


def test_band_keys_are_those_the_archives_hold():
    """Archived keys are only found again while the same text gives the same keys: if a
    rensa upgrade (or a change to the signatures) fails this, add a migration that
    recomputes `minhash_bands`, as schema 3 did, and update these values."""
    text = (
        "Мэрия объявила о ремонте моста через реку.\n\n"
        "The council said the bridge will reopen in May after repairs costing 4 million."
    )
    assert band_keys(text)[:3] == [2261389714661398366, 4351549423880281780, -8995360221496654201]


def test_schema_2_bands_are_recomputed(tmp_path, seed_article):
    """Archives made before the band keys changed hash function are re-indexed on open."""
    db_path = tmp_path / "old.db"
    conn = sqlite3.connect(db_path)
    register_functions(conn)
    old = sqlite_utils.Database(conn)
    with conn:
        MIGRATIONS[0](old)
        MIGRATIONS[1](old)
        conn.execute("PRAGMA user_version = 2")
    conn.close()
    store(db_path, [seed_article])  # today's keys; make them look like the old ones
    with sqlite3.connect(db_path) as conn:
        conn.execute("UPDATE minhash_bands SET key = key + 1")
        conn.execute("PRAGMA user_version = 2")
    store(db_path, [syndicated_copy(seed_article)])
    assert_copy_points_at_original(db_path)


def test_schema_1_archive_is_upgraded_with_its_rows_indexed(tmp_path, seed_article):
    db_path = tmp_path / "old.db"
    conn = sqlite3.connect(db_path)
    register_functions(conn)  # as open_archive does: the search triggers call them
    old = sqlite_utils.Database(conn)
    with conn:
        MIGRATIONS[0](old)
        conn.execute("PRAGMA user_version = 1")
        conn.execute(
            "INSERT INTO articles (canonical_url, source, title, body, content_hash, "
            "first_seen, last_seen) VALUES (?, 'novosti', ?, ?, ?, '2024', '2024')",
            [seed_article.canonical_url, seed_article.title, seed_article.body, "h"],
        )
    conn.close()
    db = open_archive(db_path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    (row,) = db["articles"].rows
    assert row["version"] == 1 and row["body_hash"]
    assert db["minhash_bands"].count == len(set(band_keys(seed_article.body)))
    db.close()
    # Refetched, edited, under its own URL: found (the upgrade listed it in article_urls).
    edited = dataclasses.replace(seed_article, body=seed_article.body + "\n\nОбновлено.")
    edited.content_hash = content_hash(edited.title, edited.body)
    store(db_path, [edited])
    (row,) = open_archive(db_path)["articles"].rows
    assert row["version"] == 2
    store(db_path, [seed_article])  # back to the first text, for what follows
    # Same body under another URL of the source: an alias of the old row, found by the
    # body hash the upgrade filled in; and the full-text triggers survived the upgrade.
    store(db_path, [dataclasses.replace(seed_article, canonical_url="https://x.example/a")])
    db = open_archive(db_path)
    assert db["articles"].count == 1
    fts = "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH 'Jamestown'"
    assert db.execute(fts).fetchone()[0] == 1
