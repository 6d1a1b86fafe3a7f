"""Datasette as journalists meet it: ranked search page, facets, canned queries, article
pages, CSV exports, and the safety rules of `newsarchive serve`."""

from __future__ import annotations

import asyncio
import base64
import csv
import io
import re
import socket
from pathlib import Path

import pytest
from conftest import run_cli, store
from test_search import NEWS, XSS_BODY, article

from pipelines.archive import MIGRATIONS, SCHEMA_VERSION, open_archive
from scraper.serve.runner import make_datasette


def get(db_path: Path, path: str, **kwargs):
    return asyncio.run(make_datasette(db_path, **kwargs).client.get(path))


def result_titles(html: str) -> list[str]:
    """The headlines of a search page's results, without their highlight marks."""
    found = re.findall(r'<li class="search-result">\s*<h3><a href="[^"]+">(.+?)</a></h3>', html)
    return [re.sub(r"</?mark>", "", title) for title in found]


def test_search_page_ranks_by_relevance_with_highlighted_snippets(tmp_path, seed_article):
    db_path = tmp_path / "news.db"
    store(db_path, [seed_article, *NEWS])
    page = get(db_path, "/news/articles?_search=Казахстан").text
    assert result_titles(page) == [seed_article.title]
    assert "<mark>Казахстана</mark>" in page
    # The article that says "беспилотник" in its headline and text outranks the ones
    # that say it once, although it is neither the newest nor the oldest.
    page = get(db_path, "/news/articles?_search=беспилотник").text
    assert result_titles(page)[0] == NEWS[0].title
    assert "Ranked by relevance" in page
    by_date = get(db_path, "/news/articles?_search=беспилотник&_sort_desc=published_utc").text
    newest_first = [NEWS[2].title, NEWS[1].title, NEWS[0].title, seed_article.title]
    assert result_titles(by_date) == newest_first


def test_articles_table_is_faceted_and_newest_first(tmp_path, seed_article):
    db_path = tmp_path / "news.db"
    store(db_path, [seed_article, *NEWS])
    data = get(db_path, "/news/articles.json").json()
    assert "order by published_utc desc" in data["query"]["sql"]
    facets = data["facet_results"]
    assert set(facets) == {"source", "language", "section", "authors", "tags", "published_utc"}
    counts = {f: {v["value"]: v["count"] for v in facets[f]["results"]} for f in facets}
    assert counts["source"]["tass"] == 3
    assert counts["authors"] == {"Ирина Коваленко": 1, "Олена Петренко": 1}  # array facet
    assert counts["tags"]["Київ"] == 1
    assert counts["published_utc"]["2024-03-05"] == 1  # date facet
    # Facets narrow a search, and the search still understands Ukrainian.
    data = get(db_path, "/news/articles.json?_search=Київ&source=ukrpravda&_shape=objects").json()
    assert [r["title"] for r in data["rows"]] == [NEWS[4].title]


def test_internal_tables_are_hidden(tmp_path, seed_article):
    db_path = tmp_path / "news.db"
    store(db_path, [seed_article])
    assert get(db_path, "/-/versions.json").status_code == 200  # on a connection of its own
    tables = get(db_path, "/news.json").json()["tables"]
    hidden = {t["name"] for t in tables if t["hidden"]}
    assert {"articles_fts", "articles_fts_data", "pages", "minhash_bands", "frontier"} <= hidden
    assert not {"articles", "crawls"} & hidden


def canned(db_path: Path, name: str, **params: str) -> list[dict]:
    response = get(db_path, f"/news/{name}.json?_shape=objects&" + "&".join(
        f"{k}={v}" for k, v in params.items()
    ))  # fmt: skip
    assert response.status_code == 200, response.text
    return response.json()["rows"]


def test_canned_queries(tmp_path, seed_article):
    db_path = tmp_path / "news.db"
    syndicated = NEWS[1].__class__(**{**NEWS[1].__dict__, "source": "rbc"})
    syndicated.canonical_url = "https://rbc.example/copy"
    edited = NEWS[3].__class__(**{**NEWS[3].__dict__, "modified": "2024-03-04T18:00:00+00:00"})
    store(db_path, [seed_article, *NEWS[:3], edited, *NEWS[4:], syndicated])

    rows = canned(db_path, "search_by_date_and_source", q="беспилотники", source="",
                  date_from="2024-03-02", date_to="2024-03-03")  # fmt: skip
    assert [r["title"] for r in rows] == [NEWS[2].title, NEWS[1].title, syndicated.title]
    assert "[Беспилотнику]" in rows[0]["snippet"]
    rows = canned(db_path, "search_by_date_and_source", q="беспилотник", source="tass",
                  date_from="", date_to="")  # fmt: skip
    assert [r["title"] for r in rows] == [NEWS[1].title]

    per_day = canned(db_path, "articles_per_source_per_day")
    assert {"day": "2024-03-02", "source": "tass", "articles": 1} in per_day

    assert canned(db_path, "edit_history") == []  # no refetch has changed a text yet
    edits = [r["title"] for r in canned(db_path, "edited_after_publication")]
    assert edits == [NEWS[3].title, seed_article.title]  # the seed page has a later dateModified

    original = get(db_path, "/news/articles.json?source=tass&_shape=objects&title__startswith=Сбит")
    original_id = original.json()["rows"][0]["id"]
    copies = canned(db_path, "syndicated_copies", id=str(original_id))
    assert [(r["source"], r["match"]) for r in copies] == [("rbc", "copy")]

    db = open_archive(db_path)
    with db.conn:
        crawl = db["crawls"].insert({"started": "2024-03-10T00:00:00", "status": "failed"}).last_pk
        db["crawl_sources"].insert_all(
            [
                {"crawl_id": crawl, "source": "tass", "status": "failed", "errors": 2, "pages": 0},
                {"crawl_id": crawl, "source": "wire", "status": "ok", "errors": 0, "pages": 9},
            ]
        )
        db["crawl_errors"].insert_all(
            [
                {"crawl_id": crawl, "source": "tass", "kind": "http 503", "url": u, "count": 1}
                for u in ("https://tass.example/a", "https://tass.example/b")
            ]
        )
    db.close()
    health = canned(db_path, "crawl_health")
    assert [(r["source"], r["status"], r["errors_by_kind"]) for r in health] == [
        ("tass", "failed", "http 503: 2"),
        ("wire", "ok", None),
    ]


def test_article_page_reads_as_paragraphs_and_stored_markup_is_inert(tmp_path, seed_article):
    db_path = tmp_path / "news.db"
    store(db_path, [seed_article, *NEWS])
    page = get(db_path, "/news/articles/1").text
    assert f"<h1>{seed_article.title}</h1>" in page
    for paragraph in seed_article.body.split("\n\n")[1:]:  # the first is the description
        assert f"<p>{paragraph}</p>" in page.replace("&#34;", '"').replace("&#39;", "'")
    xss_id = len(NEWS) + 1
    page = get(db_path, f"/news/articles/{xss_id}").text
    for payload in ("<script>window", "<img src=x", '<a href="javascript:', "<svg onload"):
        assert payload not in page
    assert "&lt;script&gt;window.xssRan=3" in page  # shown as text, not dropped
    assert XSS_BODY.split("\n\n")[0].startswith("Текст с атакой")
    search_page = get(db_path, "/news/articles?_search=атакой").text
    assert "<script>window" not in search_page and "<mark>атакой</mark>" in search_page


def test_csv_export_bigger_than_datasettes_default_limit_arrives_whole(tmp_path):
    """Stock Datasette stops a streamed CSV at 100 MB and still answers 200."""
    db_path = tmp_path / "big.db"
    rows = 12_000
    body = "беспилотник " + "x" * 9000  # two cheap index terms, ~9 KB of text
    db = open_archive(db_path)
    with db.conn:
        db.conn.executemany(
            "INSERT INTO articles (canonical_url, source, title, body, published_utc, "
            "first_seen, last_seen) VALUES (?, 'wire', ?, ?, ?, '', '')",
            ((f"https://w.example/{i}", f"Заголовок {i}", body, f"{i:06d}") for i in range(rows)),
        )
    db.close()
    page = get(db_path, "/big/articles?_search=беспилотник").text
    csv_url = re.search(r'class="csv-link" href="([^"]+)"', page)[1].replace("&amp;", "&")
    response = get(db_path, csv_url)
    assert response.status_code == 200
    assert len(response.content) > 100 * 1024 * 1024
    lines = list(csv.DictReader(io.StringIO(response.text)))
    assert len(lines) == rows
    assert lines[0]["title"] == f"Заголовок {rows - 1}"  # newest first
    assert lines[-1]["title"] == "Заголовок 0"


def test_csv_for_excel_has_a_byte_order_mark(tmp_path, seed_article):
    db_path = tmp_path / "news.db"
    store(db_path, [seed_article, *NEWS])
    page = get(db_path, "/news/articles?_search=беспилотник").text
    excel_url = re.search(r'class="excel-link" href="([^"]+)"', page)[1].replace("&amp;", "&")
    response = get(db_path, excel_url)
    assert response.content.startswith(b"\xef\xbb\xbfid,")
    assert "attachment" in response.headers["content-disposition"]
    text = response.content.decode("utf-8-sig")
    assert len(list(csv.DictReader(io.StringIO(text)))) == 4
    assert "Беспилотники атаковали Белгород" in text
    plain = get(db_path, excel_url.replace("&_bom=1", ""))
    assert plain.content.startswith(b"id,")


def test_read_only_no_sql_and_password(tmp_path, seed_article):
    db_path = tmp_path / "news.db"
    store(db_path, [seed_article])
    write = "/news.json?sql=DELETE+FROM+articles"
    assert get(db_path, write).status_code == 400
    assert get(db_path, "/news/articles.json").json()["filtered_table_rows_count"] == 1
    assert get(db_path, "/news.json?sql=select+1").status_code == 200
    assert get(db_path, "/news.json?sql=select+1", allow_sql=False).status_code == 403

    datasette = make_datasette(db_path, password="s3cret pass")
    client = datasette.client
    assert asyncio.run(client.get("/news/articles")).status_code == 401
    wrong = base64.b64encode(b"reporter:nope").decode()
    right = base64.b64encode(b"reporter:s3cret pass").decode()
    assert (
        asyncio.run(client.get("/news", headers={"Authorization": f"Basic {wrong}"})).status_code
        == 401
    )
    response = asyncio.run(
        client.get("/news/articles?_search=Казахстан", headers={"Authorization": f"Basic {right}"})
    )
    assert response.status_code == 200
    assert result_titles(response.text) == [seed_article.title]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--public"], "--public needs --password"),
        (["--host", "0.0.0.0"], "not loopback: add --public"),
        (["--public", "--password", "x", "--no-auth"], "contradict"),
    ],
)
def test_serve_refuses_to_expose_an_archive_by_accident(tmp_path, seed_article, args, message):
    db_path = tmp_path / "news.db"
    store(db_path, [seed_article])
    result = run_cli("serve", "--db", str(db_path), *args, timeout=60)
    assert result.returncode == 2
    assert message in result.stderr


def test_big_result_sets_are_ranked_and_faceted_among_the_newest_and_say_so(tmp_path, monkeypatch):
    from scraper.serve import plugin

    monkeypatch.setattr(plugin, "SEARCH_DEPTH", 10)
    monkeypatch.setattr(plugin, "FACET_DEPTH", 20)
    db_path = tmp_path / "news.db"
    many = [
        NEWS[0].__class__(**{**NEWS[0].__dict__, "canonical_url": f"https://wire.example/b{i}",
                             "title": f"Беспилотник {i}", "content_hash": str(i),
                             "source": "tass" if i % 3 else "wire",
                             "body": f"Сводка номер {i}: беспилотники над районом {i}."})
        for i in range(30)
    ]  # fmt: skip
    store(db_path, many)
    page = " ".join(get(db_path, "/news/articles?_search=беспилотники").text.split())
    assert "30 matches" in page  # the heading counts every match
    assert "<h3>30 rows where search matches" in page  # and so does Datasette's
    assert "The facets count the 20 newest matches" in page  # and says what facets count
    assert re.search(r'data-column="source">.*?</a> 14</li>', page)  # tass among 10..29
    assert "Ranked by relevance among the 10 newest" in page
    assert set(result_titles(page)) == {f"Беспилотник {i}" for i in range(20, 30)}
    page = " ".join(get(db_path, "/news/articles?_search=беспилотники&source=tass").text.split())
    # The source is part of the search's scope: all 20 of its matches are found and counted,
    # not only the 14 among the search's 20 newest.
    assert "20 matches</strong>." in page and "newest of the search" not in page
    # The API and the CSV are not cut to that depth.
    data = get(db_path, "/news/articles.json?_search=беспилотники&_size=100").json()
    assert len(data["rows"]) == 30


def facet_counts(db_path: Path, path: str) -> dict[str, dict[str, int]]:
    facets = get(db_path, path).json()["facet_results"]
    return {f: {v["value"]: v["count"] for v in facets[f]["results"]} for f in facets}


def test_a_schema_7_archive_is_upgraded_and_a_sources_facets_count_each_article_once(tmp_path):
    """Schema 8's index answers a source's page and its facets; a schema 7 archive gets it
    when opened, and the facets still count what they did."""
    db_path = tmp_path / "news.db"
    orlova, kim = "Анна Орлова", "Пётр Ким"
    store(db_path, [
        article(1, "Сводка 1", "Текст 1.", language="uk", section="Город", tags=["ДТП", "ДТП"]),
        article(2, "Сводка 2", "Текст 2.", section="Город", authors=[orlova, kim, orlova]),
        article(3, "Сводка 3", "Текст 3.", section="Мир", authors=[orlova], tags=["ДТП"]),
        article(4, "Сводка 4", "Текст 4.", source="tass", section="Мир", authors=[kim]),
    ])  # fmt: skip
    db = open_archive(db_path)
    with db.conn:  # the archive as schema 7 left it
        db.execute("DROP INDEX idx_articles_source_facets")
        db.execute("PRAGMA user_version = 7")
    db.close()
    db = open_archive(db_path)  # upgrades
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    with db.conn:
        MIGRATIONS[7](db)  # safe to run twice
    assert "idx_articles_source_facets" in {i.name for i in db["articles"].indexes}
    db.close()
    counts = facet_counts(db_path, "/news/articles.json?source=wire")
    assert counts["source"] == {"wire": 3}
    assert counts["language"] == {"ru": 2, "uk": 1}
    assert counts["section"] == {"Город": 2, "Мир": 1}
    assert counts["published_utc"] == {"2024-03-01": 1, "2024-03-02": 1, "2024-03-03": 1}
    # A name twice in one article's list counts that article once.
    assert counts["authors"] == {orlova: 2, kim: 1}
    assert counts["tags"] == {"ДТП": 2}
    counts = facet_counts(db_path, "/news/articles.json?source=wire&_search=сводка&section=Город")
    assert counts["authors"] == {orlova: 1, kim: 1}
    assert counts["tags"] == {"ДТП": 1}


def test_a_search_page_sees_an_article_stored_while_it_serves(tmp_path):
    """A search's matches are found once for all of Datasette's connections, and found
    again once the crawl commits: the next page counts the new article."""
    db_path = tmp_path / "news.db"
    store(db_path, NEWS)
    datasette = make_datasette(db_path)

    async def totals() -> list[str]:
        found = []
        for _ in range(2):
            for path in (
                "articles?_search=беспилотник",
                "articles?_search=беспилотник&_source=tass",
            ):
                page = (await datasette.client.get(f"/news/{path}")).text
                found.append(re.search(r'class="search-total">([^<]+)<', page)[1])
            store(db_path, [article(20, "Беспилотник над портом", "Текст.", source="tass")])
        return found

    assert asyncio.run(totals()) == ["3 matches", "1 match", "4 matches", "2 matches"]


def test_serve_on_a_taken_port_is_one_error_line(tmp_path, seed_article):
    db_path = tmp_path / "news.db"
    store(db_path, [seed_article])
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("serve", "--db", str(db_path), "--port", str(port), timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""  # no "Datasette on http://…" before the error
    assert result.stderr.strip().splitlines() == [
        f"Error: cannot listen on 127.0.0.1:{port} (Address already in use); choose another --port"
    ]


def test_every_csv_link_of_a_table_page_delivers_every_row(tmp_path):
    """Datasette's own CSV link used to stop at 1,000 rows; so did a facet selection's."""
    db_path = tmp_path / "many.db"
    db = open_archive(db_path)
    with db.conn:
        db.conn.executemany(
            "INSERT INTO articles (canonical_url, source, title, body, published_utc, "
            "first_seen, last_seen) VALUES (?, ?, ?, 'Текст', ?, '', '')",
            (
                (
                    f"https://w.example/{i}",
                    "wire" if i % 3 else "tass",
                    f"Заголовок {i}",
                    f"{i:06d}",
                )
                for i in range(1800)
            ),
        )
    db.close()
    page = get(db_path, "/many/articles?source=wire").text
    links = {
        "datasette": re.search(r'class="export-links">.*?<a href="([^"]+\.csv[^"]*)"', page)[1],
        "csv": re.search(r'class="csv-link" href="([^"]+)"', page)[1],
        "excel": re.search(r'class="excel-link" href="([^"]+)"', page)[1],
    }
    for name, link in links.items():
        body = get(db_path, link.replace("&amp;", "&")).content
        assert body.startswith(b"\xef\xbb\xbf") == (name == "excel")
        rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
        assert len(rows) == 1200 and {r["source"] for r in rows} == {"wire"}, name


def test_home_page_leads_to_the_articles_search(tmp_path, seed_article):
    db_path = tmp_path / "news.db"
    store(db_path, [seed_article])
    page = get(db_path, "/").text
    form = re.search(r'<form class="home-search" action="([^"]+)".*?name="([^"]+)"', page, re.S)
    assert form.groups() == ("/news/articles", "_search")
    assert page.index("home-search") < page.index("article_urls")  # first thing on the page
    found = get(db_path, f"{form[1]}?{form[2]}=Казахстан").text
    assert result_titles(found) == [seed_article.title]
