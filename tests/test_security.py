"""The crawler side of security: it stays inside each source's domains, speaks only HTTP(S),
keeps off private and loopback addresses unless a source is configured as local, and
refuses a bad config before making a single request.

(What strangers can do to a served archive is tested with Datasette, elsewhere.)
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import ExitStack
from pathlib import Path

import pytest
from faultserver import FaultServer, run_crawl_cli


def config(path: Path, body: str, crawl: str = "download_timeout = 2\ndownload_delay = 0") -> Path:
    path.write_text(f"[crawl]\n{crawl}\n{body}", encoding="utf-8")
    return path


def test_only_http_inside_the_allowed_domains(tmp_path):
    with ExitStack() as stack:
        elsewhere = stack.enter_context(FaultServer())
        site = stack.enter_context(FaultServer(elsewhere=elsewhere.origin))
        sources = config(
            tmp_path / "sources.toml",
            f"""
[[source]]
name = "site"
start_urls = ["{site.url("/schemes/")}"]
article_allow = ["/a/"]
max_depth = 0
local = true
""",
        )
        db = tmp_path / "archive.db"
        run = run_crawl_cli(sources, db, "--json")
    assert run.returncode == 0, run.stderr[-2000:]
    # The one good article is archived; nothing came from another origin or scheme.
    conn = sqlite3.connect(db)
    assert [u for (u,) in conn.execute("SELECT url FROM articles")] == [site.url("/a/good-0.html")]
    assert elsewhere.hits == {}
    failures = {f["url"]: f["kind"] for f in json.loads(run.stdout)["failures"]}
    # Redirects to file: and data: are not followed.
    assert failures[site.url("/a/to-file.html")] == "redirect_refused"
    assert failures[site.url("/a/to-data.html")] == "redirect_refused"
    assert not any(u.startswith(("file:", "ftp:", "data:", "javascript:")) for u in failures)


def test_local_addresses_are_refused_unless_the_source_is_local(tmp_path):
    with FaultServer() as site:
        port = site.origin.rsplit(":", 1)[1]
        urls = [
            site.url("/news/"),
            f"http://localhost:{port}/news/",
            "http://169.254.169.254/latest/meta-data/",  # cloud metadata, link-local
            "http://10.1.2.3/",
            "http://192.168.0.1/",
            f"http://[::ffff:7f00:1]:{port}/news/",  # 127.0.0.1, IPv4-mapped IPv6
            "http://[fe80::1]/",  # IPv6 link-local
        ]
        sources = config(
            tmp_path / "sources.toml",
            f"""
[[source]]
name = "public"
start_urls = {json.dumps(urls)}
""",
        )
        run = run_crawl_cli(sources, tmp_path / "archive.db", "--json")
        assert site.hits == {}  # not even robots.txt
    # Every start URL refused before any connection: the source failed, exit 1.
    assert run.returncode == 1
    summary = json.loads(run.stdout)
    assert {f["url"]: f["kind"] for f in summary["failures"]} == {
        url: "local_address" for url in urls
    }


def good_articles_source(name: str, urls: list[str], *, local: bool) -> str:
    """A source of the fault server's good articles only, linked from its start pages."""
    return f"""
[[source]]
name = "{name}"
start_urls = {json.dumps(urls)}
article_allow = ["/a/good-"]
max_depth = 0
local = {str(local).lower()}
"""


def test_names_resolving_to_local_addresses_are_refused_unless_the_source_is_local(tmp_path):
    """Host names that resolve to 127.0.0.1, as an intranet name or a rebound DNS record
    would. These spellings resolve without a DNS server, through the same lookup. A local
    source's name resolving to the same address in the same run opens nothing for them."""
    with FaultServer() as site, FaultServer() as intranet:
        port = site.origin.rsplit(":", 1)[1]
        hosts = ["127.1", "2130706433", "0x7f.0.0.1"]
        urls = [f"http://{host}:{port}/news/" for host in hosts]
        local_name = intranet.url("/news/").replace("127.0.0.1", "localhost")
        sources = good_articles_source("named", urls, local=False)
        sources += good_articles_source("intranet", [local_name], local=True)
        refused = run_crawl_cli(
            config(tmp_path / "public.toml", sources), tmp_path / "public.db", "--json"
        )
        assert site.hits == {}  # not even robots.txt
        assert intranet.hits["/news/"] == 1
        local = run_crawl_cli(
            config(tmp_path / "local.toml", good_articles_source("named", urls, local=True)),
            tmp_path / "local.db",
            "--json",
        )
        assert site.hits["/news/"] == len(hosts)
    assert refused.returncode == 1  # the named source failed completely
    with sqlite3.connect(tmp_path / "public.db") as conn:
        recorded = set(conn.execute("SELECT source, url, kind FROM crawl_errors"))
    assert {(url, kind) for source, url, kind in recorded if source == "named"} == {
        (url, "local_address") for url in urls
    }
    # The same source, configured as local, is crawled: the ten articles, under each name.
    assert local.returncode == 0, local.stderr[-2000:]
    assert "local_address" not in local.stdout
    with sqlite3.connect(tmp_path / "local.db") as conn:
        assert conn.execute("SELECT count(*) FROM article_urls").fetchone() == (30,)


def test_an_ipv6_loopback_start_url_is_refused_not_fatal(tmp_path):
    with FaultServer() as site:
        port = site.origin.rsplit(":", 1)[1]
        urls = [f"http://[::1]:{port}/news/", "http://10.1.2.3/"]
        sources = config(
            tmp_path / "sources.toml",
            f'[[source]]\nname = "public"\nstart_urls = {json.dumps(urls)}\n',
        )
        run = run_crawl_cli(sources, tmp_path / "archive.db", "--json")
    assert {f["kind"] for f in json.loads(run.stdout)["failures"]} == {"local_address"}
    assert len(json.loads(run.stdout)["failures"]) == 2


@pytest.mark.parametrize(
    ("crawl", "source", "message"),
    [
        ("", "colour = 'red'", "unknown field 'colour'"),
        ("", "max_depth = 'deep'", "field 'max_depth' must be int"),
        ("", "recheck_hours = 'soon'", "field 'recheck_hours' must be float"),
        ("concurrency = 100000", "", "field 'concurrency' must be between"),
        ("download_timeout = 0", "", "field 'download_timeout' must be between"),
        ("per_domain_concurrency = -4", "", "field 'per_domain_concurrency' must be between"),
        ("", "max_depth = 1000", "field 'max_depth' must be between"),
        ("", "start_urls = ['file:///etc/passwd']", "is not an http(s) URL"),
    ],
)
def test_a_bad_config_is_refused_before_any_request(crawl, source, message, tmp_path):
    with FaultServer() as site:
        lines = [f"start_urls = ['{site.url('/news/')}']", "local = true", source]
        if source.startswith("start_urls"):
            lines[0] = ""
        sources = config(
            tmp_path / "sources.toml",
            "[[source]]\nname = 'site'\n" + "\n".join(lines) + "\n",
            crawl=crawl,
        )
        run = run_crawl_cli(sources, tmp_path / "archive.db")
        assert site.hits == {}
    assert run.returncode == 2
    assert message in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "archive.db").exists()
