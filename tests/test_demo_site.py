"""The bundled demo sites: reproducible generation, and a server that behaves like real ones."""

from __future__ import annotations

import html
import http.client
import itertools
import re
import tomllib
from collections.abc import Iterator
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

import demo
from demo.generate import build, generate
from demo.sites import DEMO_DIR, SITES

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO / ".." / "shared"
EXPECTED = demo.expected()
SEED_PATH = (
    "/world/kazahstan-mozhet-nachat-proizvodstvo-bpla-bayraktar-ranshe-ukrainy-2023-12-05.html"
)


@pytest.fixture(scope="module")
def server() -> Iterator[demo.DemoServer]:
    with demo.DemoServer() as running:
        yield running


def fetch(
    origin: str, path: str, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request, no redirect following: (status, headers, body)."""
    host = urlsplit(origin).netloc
    conn = http.client.HTTPConnection(host, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def articles(source: str) -> list[dict]:
    return EXPECTED["sources"][source]["articles"]


def test_regenerating_gives_byte_identical_files(tmp_path: Path) -> None:
    generate(tmp_path)

    def tree(root: Path) -> dict[str, bytes]:
        return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}

    fresh, committed = tree(tmp_path / "site"), tree(DEMO_DIR / "site")
    assert sorted(fresh) == sorted(committed)
    assert [name for name in fresh if fresh[name] != committed[name]] == []
    assert (tmp_path / "expected.json").read_bytes() == (DEMO_DIR / "expected.json").read_bytes()


def test_site_stays_small() -> None:
    size = sum(p.stat().st_size for p in (DEMO_DIR / "site").rglob("*") if p.is_file())
    assert size < 3_000_000


def test_each_site_serves_its_home_page_with_tokens_replaced(server: demo.DemoServer) -> None:
    assert set(server.origins) == set(SITES)
    assert len(set(server.origins.values())) == len(SITES)
    for name, origin in server.origins.items():
        assert origin.startswith("http://127.0.0.1:")
        path = articles(name)[0]["path"]
        status, _, body = fetch(origin, path)
        assert status == 200
        assert b"{{origin" not in body
        canonical = BeautifulSoup(body, "lxml").find("link", rel="canonical")["href"]
        assert canonical == origin + path


def test_agregator_credits_the_novosti_original_across_sites(server: demo.DemoServer) -> None:
    pair = EXPECTED["syndicated"][0]
    _, _, body = fetch(server.origins["agregator"], pair["copy"]["path"])
    links = [a["href"] for a in BeautifulSoup(body, "lxml").find_all("a", href=True)]
    assert server.origins["novosti"] + pair["original"]["path"] in links


def test_tracking_parameters_serve_the_same_article(server: demo.DemoServer) -> None:
    origin = server.origins["novosti"]
    _, _, plain = fetch(origin, SEED_PATH)
    for query in ("?utm_source=telegram&utm_medium=social", "?fbclid=IwAR2dEmO0x7"):
        status, _, tracked = fetch(origin, SEED_PATH + query)
        assert (status, tracked) == (200, plain)
    assert server.count("novosti", SEED_PATH + "?fbclid=IwAR2dEmO0x7") == 1


def test_home_pages_and_feeds_link_articles_with_tracking_parameters(
    server: demo.DemoServer,
) -> None:
    origin = server.origins["novosti"]
    _, _, home = fetch(origin, "/")
    _, _, feed = fetch(origin, "/rss.xml")
    assert re.search(rb'href="/[^"]+\.html\?utm_source=telegram&amp;utm_medium=social"', home)
    assert re.search(rb"<link>http://127\.0\.0\.1:\d+/[^<]+\?utm_source=rss", feed)


@pytest.mark.parametrize("name", list(SITES))
def test_broken_link_is_404_and_old_url_redirects(server: demo.DemoServer, name: str) -> None:
    origin, source = server.origins[name], EXPECTED["sources"][name]
    for path in source["broken"]:
        status, headers, body = fetch(origin, path)
        assert status == 404 and b"404" in body
        assert headers["Content-Type"].startswith("text/html")
    for old, new in source["redirects"].items():
        status, headers, body = fetch(origin, old)
        assert (status, headers["Location"], body) == (301, origin + new, b"")
        assert fetch(origin, new)[0] == 200


@pytest.mark.parametrize("name", list(SITES))
def test_trap_files_are_a_real_pdf_and_jpeg(server: demo.DemoServer, name: str) -> None:
    pdf, jpeg = EXPECTED["sources"][name]["files"]
    status, headers, body = fetch(server.origins[name], pdf)
    assert (status, headers["Content-Type"]) == (200, "application/pdf")
    assert body.startswith(b"%PDF-1.") and body.rstrip().endswith(b"%%EOF")
    status, headers, body = fetch(server.origins[name], jpeg)
    assert (status, headers["Content-Type"]) == (200, "image/jpeg")
    assert body[:3] == b"\xff\xd8\xff" and body[-2:] == b"\xff\xd9"


def test_vesti_declares_windows_1251_in_header_only_or_meta_only(server: demo.DemoServer) -> None:
    origin = server.origins["vesti-ua"]
    seen = set()
    for article in articles("vesti-ua"):
        _, headers, body = fetch(origin, article["path"])
        text = body.decode("cp1251")
        assert article["title"] in html.unescape(text)  # the bytes really are windows-1251
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        meta = re.search(r"<meta[^>]+charset=\"?windows-1251", text, re.I)
        if headers["Content-Type"] == "text/html; charset=windows-1251":
            assert meta is None
            seen.add("header")
        else:
            assert headers["Content-Type"] == "text/html" and meta is not None
            seen.add("http-equiv" if "http-equiv" in meta[0] else "meta")
    assert seen == {"header", "meta", "http-equiv"}


def test_conditional_requests_get_304(server: demo.DemoServer) -> None:
    origin = server.origins["dailywire"]
    path = articles("dailywire")[0]["path"]
    status, headers, body = fetch(origin, path)
    assert status == 200 and body
    etag, last_modified = headers["ETag"], headers["Last-Modified"]
    assert fetch(origin, path)[1]["ETag"] == etag  # stable
    assert fetch(origin, path, headers={"If-None-Match": etag})[:3:2] == (304, b"")
    assert fetch(origin, path, headers={"If-Modified-Since": last_modified})[0] == 304
    before = format_datetime(parsedate_to_datetime(last_modified).replace(year=2022), usegmt=True)
    assert fetch(origin, path, headers={"If-Modified-Since": before})[0] == 200
    assert fetch(origin, path, headers={"If-None-Match": '"other"'})[0] == 200
    # Last-Modified comes from the article, not from the file's mtime.
    assert parsedate_to_datetime(last_modified).year == 2023


def test_head_sends_headers_without_body(server: demo.DemoServer) -> None:
    origin = server.origins["novosti"]
    _, get_headers, body = fetch(origin, "/rss.xml")
    status, headers, head_body = fetch(origin, "/rss.xml", method="HEAD")
    assert (status, head_body) == (200, b"")
    assert headers["Content-Length"] == str(len(body))
    assert headers["ETag"] == get_headers["ETag"]


def test_edition_switch_shows_edited_and_new_articles() -> None:
    novosti = EXPECTED["sources"]["novosti"]["edition2"]
    changed, added = novosti["changed"][0], novosti["added"][0]
    with demo.DemoServer() as server:
        origin = server.origins["novosti"]
        _, _, first = fetch(origin, changed["path"])
        assert changed["before"]["title"].encode() in first
        assert changed["before"]["paragraph"].encode() in first
        assert fetch(origin, added["path"])[0] == 404

        server.edition = 2
        _, _, second = fetch(origin, changed["path"])
        assert changed["title"].encode() in second
        assert changed["changed_paragraph"].encode() in second
        assert changed["modified"].encode() in second  # dateModified in JSON-LD
        assert fetch(origin, added["path"])[0] == 200
        for listing in ("/", "/rss.xml", "/sitemap-news.xml"):
            assert added["path"].encode() in fetch(origin, listing)[2]
        assert fetch(origin, SEED_PATH)[2] == fetch(origin, SEED_PATH)[2]

        server.edition = 1
        assert fetch(origin, changed["path"])[2] == first


def test_article_paths_match_article_allow_and_nothing_else_does() -> None:
    for name, source in EXPECTED["sources"].items():
        allow = [re.compile(p) for p in SITES[name].article_allow]
        stored = source["articles"] + source["edition2"]["added"]
        for article in stored:
            assert any(p.search(article["path"]) for p in allow), article["path"]
        for path in source["non_articles"] + source["files"] + list(source["redirects"]):
            assert not any(p.search(path) for p in allow), path
        assert {"/", "/about/", "/search/"} <= set(source["non_articles"])
        assert any(p.startswith("/tag/") for p in source["non_articles"])
        assert any("/page/2/" in p for p in source["non_articles"])


def test_article_texts_meet_the_brief() -> None:
    for name in ("novosti", "vesti-ua", "dailywire"):
        assert len(articles(name)) >= 25
        for article in articles(name):
            assert 4 <= article["paragraphs"] <= 12 and 80 <= article["words"] <= 900
    assert len(articles("agregator")) >= 10
    assert all(paths for paths in EXPECTED["search_terms"].values())


def test_only_the_syndicated_pair_is_a_near_duplicate() -> None:
    def shingles(text: str) -> set[tuple[str, ...]]:
        words = re.findall(r"\w+", text.lower())
        return {tuple(words[i : i + 5]) for i in range(len(words) - 4)}

    bodies = {
        (a.site, a.path): shingles(" ".join(a.texts()))
        for data in build().values()
        for a in data.articles + data.added
    }
    similar = {
        (x, y)
        for x, y in itertools.combinations(sorted(bodies), 2)
        if len(bodies[x] & bodies[y]) / len(bodies[x] | bodies[y]) > 0.5
    }
    pair = EXPECTED["syndicated"][0]
    assert similar == {(("agregator", pair["copy"]["path"]), ("novosti", pair["original"]["path"]))}


def test_sources_config_parses_and_points_at_the_servers(server: demo.DemoServer) -> None:
    config = tomllib.loads(demo.sources(server.origins))["source"]
    assert [s["name"] for s in config] == list(SITES)
    for source in config:
        origin = server.origins[source["name"]]
        assert source["allowed_domains"] == [origin.removeprefix("http://")]
        assert source["local"] is True
        for url in source["start_urls"] + source["feeds"] + source["sitemaps"]:
            assert url.startswith(origin) and fetch(origin, urlsplit(url).path)[0] == 200
        assert source["article_allow"] == list(SITES[source["name"]].article_allow)


def test_robots_points_at_the_sitemap_index(server: demo.DemoServer) -> None:
    for origin in server.origins.values():
        _, headers, body = fetch(origin, "/robots.txt")
        assert headers["Content-Type"].startswith("text/plain")
        assert f"Sitemap: {origin}/sitemap.xml".encode() in body
        _, _, index = fetch(origin, "/sitemap.xml")
        assert f"{origin}/sitemap-news.xml".encode() in index
        _, _, news = fetch(origin, "/sitemap-news.xml")
        assert b"xmlns:news" in news and b"<news:publication_date>" in news


@pytest.mark.parametrize("name", list(SITES))
def test_every_article_is_reachable_and_only_traps_are_broken(
    server: demo.DemoServer, name: str
) -> None:
    """Walk every same-site link from the home page, as a crawler without limits would."""
    origin, source = server.origins[name], EXPECTED["sources"][name]
    seen: dict[str, int] = {}
    queue = ["/"]
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        status, headers, body = fetch(origin, path)
        seen[path] = status
        if status == 301:
            queue.append(urlsplit(headers["Location"]).path)
        if status != 200 or not headers["Content-Type"].startswith("text/html"):
            continue
        for a in BeautifulSoup(body, "lxml").find_all("a", href=True):
            url = urlsplit(urljoin(origin + path, a["href"]))
            if f"{url.scheme}://{url.netloc}" == origin:
                queue.append(url.path)
    assert {a["path"] for a in source["articles"]} <= {p for p, s in seen.items() if s == 200}
    assert {p for p, s in seen.items() if s == 404} == set(source["broken"])


@pytest.mark.skipif(not SHARED.exists(), reason="needs ../shared beside the repo")
def test_seed_page_is_served_as_the_user_gave_it(server: demo.DemoServer) -> None:
    fixture = (SHARED / "fixtures" / "seed-ru-news" / "page.html").read_bytes()
    origin = server.origins["novosti"]
    _, _, served = fetch(origin, SEED_PATH)
    assert served == fixture.replace(b"https://news.example.ua", origin.encode())
