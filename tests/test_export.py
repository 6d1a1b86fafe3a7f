"""`newsarchive export`: filters, Excel-friendly CSV, copies left out, constant memory."""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import json
import sys
import time

import psutil
import pytest
from conftest import REPO, run_cli, store

from pipelines.archive import open_archive
from scraper.extract.fingerprint import content_hash

STORIES = {
    1: "Storm Ciarán closed schools across the south coast on Thursday. "
    "Forecasters expect gusts of up to 90 mph overnight, and rail operators cancelled "
    "dozens of evening services as a precaution.",
    2: "У Львові відкрився різдвяний ярмарок на площі Ринок. Організатори обіцяють "
    "понад сто будиночків із сувенірами, концерти щовечора та благодійний аукціон.",
}


def variant(seed, n: int, **changes):
    article = dataclasses.replace(
        seed,
        canonical_url=f"https://news.example.ua/{n}.html",
        body=STORIES[n],
        **changes,
    )
    article.content_hash = content_hash(article.title, article.body)
    return article


@pytest.fixture
def archive(tmp_path, seed_article):
    db_path = tmp_path / "archive.db"
    store(
        db_path,
        [
            seed_article,
            variant(
                seed_article,
                1,
                source="dailywire",
                language="en",
                published="2023-11-01T10:00:00+00:00",
            ),
            variant(
                seed_article,
                2,
                source="vesti-ua",
                language="uk",
                published="2023-12-20T10:00:00+02:00",
            ),
        ],
    )
    return db_path


def export(db_path, *args) -> list[dict]:
    result = run_cli("export", "--db", str(db_path), "--format", "jsonl", *args)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_filters_by_source_language_and_date(archive):
    assert len(export(archive)) == 3
    assert {
        r["source"] for r in export(archive, "--source", "novosti", "--source", "vesti-ua")
    } == {
        "novosti",
        "vesti-ua",
    }
    assert [r["language"] for r in export(archive, "--language", "en")] == ["en"]
    since = export(archive, "--since", "2023-12-01", "--until", "2023-12-10")
    assert [r["published"] for r in since] == ["2023-12-05T14:37:00+02:00"]


def test_since_and_until_include_both_ends(archive):
    # Published 2023-11-01T10:00 UTC: that day is its own range, with a date or to the second.
    day = export(archive, "--since", "2023-11-01", "--until", "2023-11-01")
    assert [r["source"] for r in day] == ["dailywire"]
    exact = ["--since", "2023-11-01T10:00:00", "--until", "2023-11-01T10:00:00"]
    assert [r["source"] for r in export(archive, *exact)] == ["dailywire"]
    assert export(archive, "--since", "2023-11-02", "--until", "2023-11-02") == []


def test_search_uses_the_stemmed_index(archive):
    # "Турции" is not in the text; "Турцией" is, and the tag "Турция" that the variants
    # keep: the same word, other cases.
    found = export(archive, "--search", "Турции")
    assert sorted(r["source"] for r in found) == ["dailywire", "novosti", "vesti-ua"]
    assert [r["source"] for r in export(archive, "--search", "ярмарки")] == ["vesti-ua"]
    assert export(archive, "--search", '"; DROP TABLE articles; --') == []


def test_excel_csv_starts_with_a_bom_and_keeps_cyrillic(archive, tmp_path):
    out = tmp_path / "excel.csv"
    result = run_cli("export", "--db", str(archive), "--excel", "--output", str(out))
    assert result.returncode == 0, result.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert "Казахстан" in rows[0]["title"]
    plain = run_cli("export", "--db", str(archive), "--output", str(tmp_path / "plain.csv"))
    assert plain.returncode == 0
    assert not (tmp_path / "plain.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_syndicated_copies_only_on_request(archive):
    db = open_archive(archive)
    with db.conn:
        db.execute("UPDATE articles SET duplicate_of = 1 WHERE id = 3")
    db.close()
    assert len(export(archive)) == 2
    copies = export(archive, "--include-duplicates")
    assert len(copies) == 3 and copies[2]["duplicate_of"] == 1


def fill(db_path, count: int) -> None:
    """`count` articles straight into the archive schema (the store is tested elsewhere)."""
    db = open_archive(db_path)
    body = "Абзац новости, с запятой.\n\n" + "слово " * 600  # ~4 KB
    with db.conn:
        db.conn.executemany(
            "INSERT INTO articles (canonical_url, source, title, body, first_seen, last_seen) "
            "VALUES (?, 's', ?, ?, '2023-12-05', '2023-12-05')",
            ((f"https://x.example/{n}", f"Заголовок {n}", body) for n in range(count)),
        )
    db.close()


def peak_rss_kb(db_path, out, *options: str) -> int:
    """Peak RSS of an export run, polled from outside (a child's own ru_maxrss would
    start from this test process's size at fork time)."""
    process = psutil.Popen(
        [sys.executable, "-m", "scraper.cli", "export", "--db", str(db_path), "--output", str(out),
         *options],
        cwd=REPO,
    )  # fmt: skip
    peak = 0
    while process.poll() is None:
        with contextlib.suppress(psutil.NoSuchProcess):
            peak = max(peak, process.memory_info().rss)
        time.sleep(0.02)
    assert process.returncode == 0
    return peak // 1024


@pytest.mark.slow
def test_export_memory_stays_flat_with_100000_articles(tmp_path):
    small, large = tmp_path / "small.db", tmp_path / "large.db"
    fill(small, 1_000)
    fill(large, 100_000)
    small_rss = peak_rss_kb(small, tmp_path / "small.csv")
    large_rss = peak_rss_kb(large, tmp_path / "large.csv")
    with (tmp_path / "large.csv").open(encoding="utf-8", newline="") as f:
        assert sum(1 for _ in csv.reader(f)) == 100_001
    # 100x the rows (~400 MB of CSV) may not cost more than a few MB more memory.
    assert large_rss - small_rss < 20_000, (small_rss, large_rss)
