"""Every CSV link of every page (table, facet selection, search, canned query) delivers
every row, in `newsarchive export`'s columns and format, with a "CSV for Excel" link beside
it; a search with more than 1,000 matches is counted and faceted in full."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import re
import sqlite3
from pathlib import Path

import pytest
from conftest import run_cli
from test_datasette import get

from pipelines.archive import open_archive
from pipelines.export import COLUMNS

ARTICLES = 1500
SOURCES = ("wire", "tass", "ria")


def fill(db_path: Path) -> None:
    """ARTICLES articles; 1,200 of them (i % 5 != 0) mention drones (беспилотник)."""
    db = open_archive(db_path)
    rows = []
    for i in range(ARTICLES):
        word = "беспилотник" if i % 5 else "погода"
        authors = ["Анна Петрова", "Иван Сидоров"] if i % 2 else ["Анна Петрова"]
        day = f"2024-03-{1 + i % 28:02d}"
        rows.append(
            (f"https://{SOURCES[i % 3]}.example/{i}", SOURCES[i % 3], f"Заголовок {i}",
             f"Сводка {i}: {word} над районом.", "ru", json.dumps(authors, ensure_ascii=False),
             json.dumps(["армия", "ПВО"], ensure_ascii=False), f"{day}T10:{i % 60:02d}:00+00:00",
             f"{day}T10:{i % 60:02d}:00+00:00", "<p>html</p>", f"hash{i}")
        )  # fmt: skip
    with db.conn:
        db.conn.executemany(
            "INSERT INTO articles (canonical_url, source, title, body, language, authors, tags, "
            "published, published_utc, body_html, content_hash, first_seen, last_seen) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '2024-04-01', '2024-04-01')",
            rows,
        )
        db.conn.execute(
            "INSERT INTO article_urls (url, article_id) SELECT canonical_url, id FROM articles"
        )
    db.close()


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    db_path = tmp_path_factory.mktemp("downloads") / "many.db"
    fill(db_path)
    return db_path


def count(db_path: Path, where: str) -> int:
    with contextlib.closing(sqlite3.connect(db_path)) as conn:
        return conn.execute(f"SELECT count(*) FROM articles WHERE {where}").fetchone()[0]


def links(page: str) -> dict[str, str]:
    """The page's CSV links: ours, and Datasette's own "This data as … CSV"."""
    found = {
        name: re.search(rf'class="{name}" href="([^"]+)"', page)
        for name in ("csv-link", "excel-link", "all-columns-link", "all-columns-excel-link")
    }
    footer = re.search(r'class="export-links">.*?<a href="([^"]+)">CSV</a>', page, re.S)
    found["datasette"] = footer
    return {name: m[1].replace("&amp;", "&") for name, m in found.items() if m}


def download(db_path: Path, url: str) -> tuple[list[str], list[dict[str, str]], bool]:
    response = get(db_path, url)
    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["content-disposition"]
    bom = response.content.startswith(b"\xef\xbb\xbf")
    reader = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    return list(reader.fieldnames or []), list(reader), bom


DRONES = "id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH newsarchive_query(?))"


@pytest.mark.parametrize(
    ("page", "where"),
    [
        ("articles", "1"),
        ("articles?source=wire", "source = 'wire'"),
        ("articles?published_utc__date=2024-03-06", "published_utc LIKE '2024-03-06%'"),
        ("articles?authors__arraycontains=Иван+Сидоров", "id % 2 = 0"),
        ("articles?_search=беспилотник", "id % 5 != 1"),
        ("articles?_search=беспилотник&source=tass", "id % 5 != 1 AND source = 'tass'"),
        ("articles?_search=беспилотник&_sort=title", "id % 5 != 1"),
    ],
)
def test_every_csv_link_of_a_table_page_is_every_row_as_the_export_has_it(archive, page, where):
    expected = count(archive, where)  # ids start at 1: article i has id i + 1
    assert expected > 0
    found = links(get(archive, f"/many/{page}").text)
    assert set(found) == {"csv-link", "excel-link", "all-columns-link", "all-columns-excel-link",
                          "datasette"}  # fmt: skip
    assert found["datasette"] == found["csv-link"]
    for name, url in found.items():
        columns, rows, bom = download(archive, url)
        assert len(rows) == expected, name
        assert bom == name.endswith("excel-link"), name
        if name.startswith("all-columns"):
            assert {"body_html", "content_hash", "published_utc"} <= set(columns)
        else:
            assert columns == COLUMNS, name
        odd = next(r for r in rows if int(r["id"]) % 2 == 0)  # article i odd: two authors
        assert odd["authors"] == "Анна Петрова; Иван Сидоров"
        assert odd["tags"] == "армия; ПВО"
    _, rows, _ = download(archive, found["csv-link"])
    if "_sort=title" in page:
        assert [r["title"] for r in rows] == sorted(r["title"] for r in rows)
    else:  # the page's own order: newest first
        dates = [r["published"] for r in rows]
        assert dates == sorted(dates, reverse=True)


def test_the_page_csv_is_the_same_file_as_newsarchive_export(archive):
    page = get(archive, "/many/articles?_search=беспилотник&source=wire").text
    _, rows, _ = download(archive, links(page)["csv-link"])
    result = run_cli("export", "--db", str(archive), "--format", "csv",
                     "--search", "беспилотник", "--source", "wire")  # fmt: skip
    assert result.returncode == 0, result.stderr
    exported = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == count(archive, "id % 5 != 1 AND source = 'wire'") > 300
    assert sorted(rows, key=lambda r: int(r["id"])) == exported


def test_a_canned_query_csv_is_every_row_with_an_excel_link(archive):
    page = get(archive, "/many/search_by_date_and_source?q=беспилотник&source=&date_from=&date_to=")
    assert "more than 1,000 rows" in page.text  # the page itself shows the first 1,000
    found = links(page.text)
    assert set(found) == {"csv-link", "excel-link", "datasette"}
    for name, url in found.items():
        columns, rows, bom = download(archive, url)
        assert len(rows) == count(archive, "id % 5 != 1") == 1200, name
        assert bom == (name == "excel-link")
        assert columns[:4] == ["id", "published_utc", "source", "title"]
    _, rows, _ = download(archive, found["csv-link"].replace("source=&", "source=ria&"))
    assert len(rows) == count(archive, "id % 5 != 1 AND source = 'ria'")


def test_other_tables_have_both_csv_links(archive):
    found = links(get(archive, "/many/article_urls").text)
    assert set(found) == {"csv-link", "excel-link", "datasette"}
    for name, url in found.items():
        columns, rows, bom = download(archive, url)
        assert columns == ["url", "article_id", "first_seen"]
        assert len(rows) == ARTICLES and bom == (name == "excel-link")


def test_a_download_of_nothing_known_is_a_clear_404(archive):
    response = get(archive, "/-/csv/many/no_such_thing.csv")
    assert response.status_code == 404
    assert response.text == "No such table or query"


def facet_counts(page: str, column: str) -> dict[str, int]:
    block = re.search(rf'data-column="{column}">(.*?)</ul>', page, re.S)[1]
    found = re.findall(r"<li><a [^>]+>([^<]+)</a> ([\d,]+)</li>", block)
    return {value: int(n.replace(",", "")) for value, n in found}


def test_a_search_with_many_matches_counts_and_facets_every_match(archive):
    page = get(archive, "/many/articles?_search=беспилотник").text
    assert re.search(r'class="search-total">1,200 matches<', page)
    assert "Ranked by relevance within each 1,000 matches, newest first" in page
    assert facet_counts(page, "source") == {"wire": 400, "tass": 400, "ria": 400}
    assert facet_counts(page, "authors") == {"Анна Петрова": 1200, "Иван Сидоров": 600}
    assert sum(facet_counts(page, "published_utc").values()) == 1200
    # A facet selection within the search: the heading gives its own total.
    page = get(archive, "/many/articles?_search=беспилотник&source=tass").text
    assert re.search(r'class="search-total">400 matches<', page)
    assert facet_counts(page, "authors") == {"Анна Петрова": 400, "Иван Сидоров": 200}
    # Without Datasette's count (?_nocount=1) the heading still gives the selection's total:
    # a source chosen in the facet is part of the search's scope, as the source picker is.
    page = get(archive, "/many/articles?_search=беспилотник&source=tass&_nocount=1").text
    assert re.search(r'class="search-total">400 matches<', page)
