"""A web server that misbehaves on purpose, one path per fault, on 127.0.0.1 only.

Each `FaultServer` is one origin (a free port). Its robots.txt behaves as asked ("ok",
"500" or "slow"), so a second and third origin give the robots faults their own sources,
and another origin is "another domain" for the offsite redirect.

Good pages are deterministic: `good_article(i)` is what `/a/good-{i}.html` serves, so a test
can compare the archive with what the site holds.
"""

from __future__ import annotations

import contextlib
import gzip
import http.server
import os
import random
import resource
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import ClassVar

import psutil

REPO = Path(__file__).resolve().parents[1]

WORDS = (
    "council", "budget", "river", "bridge", "harbour", "school", "winter", "market", "railway",
    "station", "court", "museum", "mayor", "engineers", "report", "election", "hospital",
    "district", "farmers", "weather", "storm", "library", "village", "tunnel", "festival",
    "workers", "contract", "ministry", "airport", "forest", "police", "students", "theatre",
    "factory", "research", "vaccine", "drought", "energy", "prices", "housing", "transport",
)  # fmt: skip

# Russian text, for the pages that are encoded in windows-1251 and KOI8-R with no charset
# anywhere: long enough that detection has real evidence.
RU_TITLE = "Городской совет утвердил бюджет на ремонт мостов"
RU_PARAGRAPHS = [
    "Депутаты городского совета во вторник утвердили бюджет на ремонт трёх мостов через "
    "реку. Работы начнутся весной и продлятся до конца осени, сообщили в мэрии.",
    "По словам главного инженера, состояние опор вызывает серьёзные опасения. Движение "
    "грузовых автомобилей по старому мосту будет ограничено уже со следующей недели.",
    "Жители прибрежных районов просили начать ремонт ещё прошлым летом. Общественные "
    "организации намерены следить за расходованием средств и качеством работ.",
    "Подрядчик будет выбран на открытом конкурсе. Заявки принимаются в течение месяца, "
    "а результаты объявят на заседании совета в начале следующего квартала.",
]

# The KOI-8 page is another story: the same text twice would be archived as a copy.
RU_TITLE_KOI8 = "Школьники посадили в парке двести новых деревьев"
RU_PARAGRAPHS_KOI8 = [
    "В субботу ученики трёх городских школ вместе с учителями посадили в центральном парке "
    "двести молодых лип и клёнов. Саженцы предоставил местный питомник.",
    "Организаторы рассказали, что акция проходит уже пятый год подряд. За это время в "
    "парке появилось больше тысячи деревьев, а старые аллеи удалось сохранить.",
    "Садовники будут поливать молодые деревья всё лето. Осенью школьники вернутся, чтобы "
    "проверить, как прижились саженцы, и заменить погибшие.",
    "Городская администрация пообещала выделить средства на новые скамейки и освещение. "
    "Работы должны завершиться до начала следующего учебного года.",
]

FAULT_PATHS = {
    # path: the failure kind the crawl must record for it
    "/a/never.html": "timeout",
    "/a/late.html": "timeout",
    "/a/drip.html": "timeout",
    "/a/reset.html": "connection_lost",
    "/a/short.html": "truncated",
    "/a/error-500.html": "http_500",
    "/a/unavailable.html": "http_503",
    "/a/busy.html": "http_429",
    "/a/loop.html": "redirect_loop",
    "/a/chain-0.html": "too_many_redirects",
    "/a/offsite.html": "redirect_offsite",
    "/a/huge.html": "too_large",
    "/a/huge-stream.html": "too_large",
    "/a/bomb.html": "too_large",
    "/a/photo.html": "not_html",
    "/a/kills-worker.html": "extract_crashed",
    "/a/bad-gzip.html": "bad_compression",
    "/a/to-bad-port.html": "redirect_refused",
    "/a/to-bad-url.html": "redirect_refused",
}
# Feeds and sitemaps that cannot be read (wholly or in part; the crawl's config lists
# them), and the kind for each.
FEED_FAULT_PATHS = {
    "/bad-feed.xml": "bad_feed",
    "/feed-empty.xml": "bad_feed",
    "/feed-bad-links.xml": "bad_feed",
}
SITEMAP_FAULT_PATHS = {
    "/sitemap-corrupt.xml.gz": "bad_sitemap",
    "/sitemap-bomb.xml.gz": "too_large",
    "/sitemap-bad-links.xml": "bad_sitemap",
}
# A good feed with comments and processing instructions inside its items, and the good
# article only it links to.
ODD_FEED_PATH = "/feed-comments.xml"
FEED_ONLY_PATH = "/a/only-in-feed.html"
# Good pages that are hard to read: each must be archived like any other article.
HARD_GOOD_PATHS = ["/a/cp1251.html", "/a/koi8r.html", "/a/nested.html", "/a/kills-once.html"]

# Markers that make an extraction worker die by SIGKILL on the page that carries them, in a
# crawl run with tests/killhook on PYTHONPATH (see its sitecustomize.py): every time, or
# only the first time (then its retry succeeds).
KILL_WORKER = "<!-- newsarchive test: SIGKILL the extraction worker -->"
KILL_WORKER_ONCE = "<!-- newsarchive test: SIGKILL the first extraction worker -->"
KILL_HOOK = Path(__file__).resolve().parent / "killhook"


def good_title(i: int) -> str:
    return f"Story {i}: the {WORDS[i % len(WORDS)]} and the {WORDS[(i * 7 + 3) % len(WORDS)]}"


def good_paragraphs(i: int) -> list[str]:
    rng = random.Random(i)
    return [
        " ".join(rng.choice(WORDS) for _ in range(30)).capitalize() + f" (story {i}, part {p})."
        for p in range(4)
    ]


def article_page(title: str, paragraphs: list[str], *, extra: str = "", lang: str = "en") -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html lang='{lang}'><head><title>{title}</title></head><body>"
        f"<nav><a href='/news/'>Home</a></nav><article><h1>{title}</h1>{body}</article>"
        f"{extra}</body></html>"
    )


def good_article(i: int) -> str:
    return article_page(good_title(i), good_paragraphs(i))


@cache
def gzip_bomb() -> bytes:
    """About 2 MB on the wire, 2 GiB unpacked: gzip members of zeros, one after another."""
    member = gzip.compress(bytes(16 * 1024 * 1024), compresslevel=9)
    return member * 128


def corrupt_gzip() -> bytes:
    """A gzip header followed by bytes that are not a deflate stream."""
    return gzip.compress(b"")[:10] + bytes(random.Random(1).randrange(256) for _ in range(2000))


@cache
def big_sitemap(origin: str, size: int) -> bytes:
    """A sitemap of `size` URLs of stub pages (over 6 MB for 100,000)."""
    urls = "".join(f"<url><loc>{origin}/flood/{i}.html</loc></url>" for i in range(size))
    return (
        "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        f"{urls}</urlset>"
    ).encode()


JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(
    random.Random(0).randrange(256) for _ in range(4000)
)


class FaultServer:
    """One misbehaving origin, served from a thread. Use as a context manager."""

    def __init__(
        self,
        *,
        robots: str = "ok",
        good_articles: int = 10,
        elsewhere: str = "http://127.0.0.1:9",
        sitemap_size: int = 100_000,
        page_delay: float = 0,
        gate: threading.Event | None = None,
    ) -> None:
        self.robots = robots
        self.page_delay = page_delay  # seconds each good article takes to answer
        self.gate = gate  # when given, the last good article waits for it (up to 2 min)
        self.good_articles = good_articles
        self.elsewhere = elsewhere  # where /a/offsite.html redirects to
        self.sitemap_size = sitemap_size
        self.stopping = threading.Event()
        self.hits: dict[str, int] = {}
        self.lock = threading.Lock()
        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.fault = self
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FaultServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()  # frees the handlers that hang on purpose
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str) -> str:
        return self.origin + path

    def count(self, path: str) -> None:
        with self.lock:
            self.hits[path] = self.hits.get(path, 0) + 1

    def hits_under(self, prefix: str) -> int:
        with self.lock:
            return sum(n for path, n in self.hits.items() if path.startswith(prefix))


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # hanging handlers must not hold up shutdown
    request_queue_size = 128
    fault: FaultServer


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.0"  # one request per connection: simple and hostile enough
    routes: ClassVar[dict[str, str]] = {
        "/robots.txt": "robots",
        "/news/": "index",
        "/feed.xml": "feed",
        "/bad-feed.xml": "bad_feed",
        "/feed-empty.xml": "empty_feed",
        "/feed-bad-links.xml": "feed_bad_links",
        ODD_FEED_PATH: "odd_feed",
        FEED_ONLY_PATH: "feed_only",
        "/sitemap-bad-links.xml": "sitemap_bad_links",
        "/sitemap.xml": "sitemap",
        "/sitemap-100k.xml": "big_sitemap",
        "/sitemap-corrupt.xml.gz": "corrupt_sitemap",
        "/sitemap-bomb.xml.gz": "sitemap_bomb",
        "/a/cp1251.html": "cp1251",
        "/a/koi8r.html": "koi8r",
        "/a/nested.html": "nested",
        "/a/never.html": "never",
        "/a/late.html": "late",
        "/a/drip.html": "drip",
        "/a/reset.html": "reset",
        "/a/short.html": "short",
        "/a/error-500.html": "error_500",
        "/a/unavailable.html": "unavailable",
        "/a/busy.html": "busy",
        "/a/loop.html": "loop",
        "/a/loop-back.html": "loop_back",
        "/a/offsite.html": "offsite",
        "/a/huge.html": "huge",
        "/a/huge-stream.html": "huge_stream",
        "/a/bomb.html": "bomb",
        "/a/photo.html": "photo",
        "/a/kills-worker.html": "kills_worker",
        "/a/kills-once.html": "kills_once",
        "/schemes/": "schemes",
        "/a/to-file.html": "to_file",
        "/a/to-data.html": "to_data",
        "/a/bad-gzip.html": "bad_gzip",
        "/a/to-bad-port.html": "to_bad_port",
        "/a/to-bad-url.html": "to_bad_url",
    }

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # quiet test output

    @property
    def fault(self) -> FaultServer:
        return self.server.fault

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        self.fault.count(path)
        try:
            if path in self.routes:
                getattr(self, "page_" + self.routes[path])()
            elif path.startswith("/a/good-"):
                self.page_good(int(path.removeprefix("/a/good-").removesuffix(".html")))
            elif path.startswith("/a/chain-"):
                hop = int(path.removeprefix("/a/chain-").removesuffix(".html"))
                self.redirect(f"/a/chain-{hop + 1}.html" if hop < 30 else "/a/good-0.html")
            elif path.startswith("/flood/"):
                self.html(f"<html><body><p>Stub {path}</p></body></html>")
            elif path.startswith("/calendar/"):
                self.page_calendar(date.fromisoformat(path.removeprefix("/calendar/")))
            else:
                self.send(404, b"not here")
        except (BrokenPipeError, ConnectionResetError, ValueError):
            pass  # the client gave up on a hostile page: that is the point

    # -- helpers ----------------------------------------------------------------------

    def send(
        self, status: int, body: bytes, content_type: str = "text/html; charset=utf-8", **headers
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def html(self, text: str) -> None:
        self.send(200, text.encode())

    def redirect(self, location: str) -> None:
        self.send(302, b"", Location=location)

    def hang(self, seconds: float) -> None:
        self.fault.stopping.wait(seconds)

    # -- pages ------------------------------------------------------------------------

    def page_robots(self) -> None:
        if self.fault.robots == "500":
            self.send(500, b"robots are down", "text/plain")
        elif self.fault.robots == "slow":
            self.hang(60)
            self.send(200, b"User-agent: *\nAllow: /\n", "text/plain")
        else:
            self.send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")

    def page_index(self) -> None:
        links = [f"/a/good-{i}.html" for i in range(self.fault.good_articles)]
        links += [*HARD_GOOD_PATHS, *FAULT_PATHS, "/calendar/2024-01-01", "/private/secret.html"]
        self.html(
            "<html><head><title>News</title></head><body><ul>"
            + "".join(f"<li><a href='{link}'>{link}</a></li>" for link in links)
            + "</ul></body></html>"
        )

    def page_good(self, i: int) -> None:
        if i >= self.fault.good_articles:
            self.send(404, b"no such story")
        else:
            self.hang(self.fault.page_delay)
            if self.fault.gate and i == self.fault.good_articles - 1:
                self.fault.gate.wait(120)
            self.html(good_article(i))

    def page_feed(self) -> None:
        self.rss(
            [
                f"<title>{good_title(i)}</title><link>{self.fault.url(f'/a/good-{i}.html')}</link>"
                for i in range(self.fault.good_articles)
            ]
        )

    def page_bad_feed(self) -> None:
        self.send(200, b"<?xml version='1.0'?><rss><chan\x00nel><<item>>&&&", "application/xml")

    def page_empty_feed(self) -> None:
        self.send(200, b"", "application/rss+xml")

    def rss(self, items: list[str]) -> None:
        """An RSS feed of these <item> contents."""
        entries = "".join(f"<item>{item}</item>" for item in items)
        self.send(
            200,
            f"<?xml version='1.0'?><rss version='2.0'><channel>{entries}</channel></rss>".encode(),
            "application/rss+xml",
        )

    def page_feed_bad_links(self) -> None:
        self.rss(
            ["<link>http://[broken/</link>", f"<link>{self.fault.url('/a/good-0.html')}</link>"]
        )

    def page_odd_feed(self) -> None:
        self.rss([f"<!-- ad slot --><?render x?><link>{self.fault.url(FEED_ONLY_PATH)}</link>"])

    def page_feed_only(self) -> None:
        self.html(article_page("Found through a feed alone", good_paragraphs(996)))

    def page_sitemap_bad_links(self) -> None:
        self.send(
            200,
            b"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
            b"<url><loc>http://[broken/</loc></url>"
            b"<sitemap><loc>http://127.0.0.1:99999/sitemap.xml</loc></sitemap></urlset>",
            "application/xml",
        )

    def page_sitemap(self) -> None:
        urls = "".join(
            f"<url><loc>{self.fault.url(f'/a/good-{i}.html')}</loc></url>"
            for i in range(self.fault.good_articles)
        )
        self.send(
            200,
            "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
            f"{urls}</urlset>".encode(),
            "application/xml",
        )

    def page_big_sitemap(self) -> None:
        self.send(200, big_sitemap(self.fault.origin, self.fault.sitemap_size), "application/xml")

    def page_corrupt_sitemap(self) -> None:
        self.send(200, corrupt_gzip(), "application/x-gzip")

    def page_sitemap_bomb(self) -> None:
        # A gzipped file, not a gzip-encoded response: the spider unpacks it itself.
        self.send(200, gzip_bomb(), "application/x-gzip")

    def page_kills_worker(self) -> None:
        page = article_page("This page kills its worker", good_paragraphs(997), extra=KILL_WORKER)
        self.html(page)

    def page_kills_once(self) -> None:
        self.html(
            article_page("A worker died on this page", good_paragraphs(998), extra=KILL_WORKER_ONCE)
        )

    def page_cp1251(self) -> None:
        # No charset in the header, no <meta>: the bytes must speak for themselves.
        page = article_page(RU_TITLE, RU_PARAGRAPHS, lang="ru")
        self.send(200, page.encode("cp1251"), "text/html")

    def page_koi8r(self) -> None:
        page = article_page(RU_TITLE_KOI8, RU_PARAGRAPHS_KOI8, lang="ru")
        self.send(200, page.encode("koi8-r"), "text/html")

    def page_nested(self) -> None:
        nested = "<div>" * 10_000 + "deep" + "</div>" * 10_000
        self.html(article_page("Deep markup survives", good_paragraphs(999), extra=nested))

    def page_calendar(self, day: date) -> None:
        following = (day + timedelta(days=1)).isoformat()
        self.html(
            f"<html><body><h1>{day}</h1><a href='/calendar/{following}'>next day</a>"
            f"<a href='/calendar/{following}?view=week'>week</a></body></html>"
        )

    def page_never(self) -> None:
        self.hang(600)

    def page_late(self) -> None:
        self.hang(30)
        self.html(good_article(0))

    def page_drip(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "1000")
        self.end_headers()
        for _ in range(1000):
            if self.fault.stopping.wait(1):
                return
            self.wfile.write(b"x")
            self.wfile.flush()

    def page_reset(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self.wfile.write(good_article(1).encode()[:500])
        self.wfile.flush()
        # SO_LINGER 0: close() sends RST instead of FIN.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()

    def page_short(self) -> None:
        body = good_article(2).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body[: len(body) // 2])
        self.close_connection = True

    def page_error_500(self) -> None:
        self.send(500, b"internal error")

    def page_unavailable(self) -> None:
        self.send(503, b"come back soon", Retry_After="1")

    def page_busy(self) -> None:
        self.send(429, b"slow down", Retry_After="3600")

    def page_loop(self) -> None:
        self.redirect("/a/loop-back.html")

    def page_loop_back(self) -> None:
        self.redirect("/a/loop.html")

    def page_offsite(self) -> None:
        self.redirect(self.fault.elsewhere + "/a/good-0.html")

    def page_huge(self) -> None:
        size = 50 * 1024 * 1024
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(size))
        self.end_headers()
        self.stream(size)

    def page_huge_stream(self) -> None:
        # No Content-Length: the size is only known by counting what arrives.
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.stream(50 * 1024 * 1024)

    def stream(self, size: int) -> None:
        chunk = b"<p>" + b"filler " * 9000 + b"</p>\n"
        sent = 0
        started = time.monotonic()
        while sent < size and not self.fault.stopping.is_set() and time.monotonic() - started < 60:
            self.wfile.write(chunk)
            sent += len(chunk)

    def page_bomb(self) -> None:
        self.send(200, gzip_bomb(), "text/html", Content_Encoding="gzip")

    def page_schemes(self) -> None:
        """Links a crawler must never follow, and a good article to show it still works."""
        links = [
            "file:///etc/passwd",
            "ftp://127.0.0.1/pub/",
            "data:text/html,<h1>injected</h1>",
            "javascript:alert(1)",
            self.fault.elsewhere + "/a/good-0.html",
            "/a/to-file.html",
            "/a/to-data.html",
            "/a/good-0.html",
        ]
        self.html("".join(f"<a href='{link}'>link</a>" for link in links))

    def page_to_file(self) -> None:
        self.redirect("file:///etc/passwd")

    def page_to_data(self) -> None:
        self.redirect("data:text/html,<h1>injected</h1>")

    def page_bad_gzip(self) -> None:
        self.send(200, corrupt_gzip(), "text/html", Content_Encoding="gzip")

    def page_to_bad_port(self) -> None:
        self.redirect("http://127.0.0.1:99999/a/good-0.html")

    def page_to_bad_url(self) -> None:
        self.redirect("http://[broken/a/good-0.html")

    def page_photo(self) -> None:
        self.send(200, JPEG, "text/html")


@dataclass
class CrawlRun:
    """What `newsarchive crawl` did, seen from outside: exit status, output, cost."""

    returncode: int  # -9 when `kill_after` killed it
    stdout: str
    stderr: str
    seconds: float
    peak_rss_mb: float  # the largest single process (the crawler or one extraction worker)
    peak_tree_mb: float  # the whole tree summed (shared pages counted in each process)


def run_crawl_cli(
    config: Path,
    db: Path,
    *args: str,
    timeout: float = 120,
    kill_after: float | None = None,
    max_file_bytes: int | None = None,
) -> CrawlRun:
    """Run `python -m scraper.cli crawl` in a fresh process group, polling the memory of
    the tree; with `kill_after`, SIGKILL the whole group that many seconds in; with
    `max_file_bytes`, no file it writes may grow past that (a full disk without a mount)."""
    command = [sys.executable, "-m", "scraper.cli", "crawl", "--config", str(config)]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.monotonic()
        process = subprocess.Popen(
            [*command, "--db", str(db), *args],
            stdout=out,
            stderr=err,
            cwd=REPO,
            preexec_fn=max_file_bytes and (lambda: limit_file_size(max_file_bytes)),
            start_new_session=True,  # so its extraction workers can be killed with it
        )
        peak = peak_tree = 0
        tree = psutil.Process(process.pid)
        while process.poll() is None:
            elapsed = time.monotonic() - started
            if kill_after is not None and elapsed >= kill_after or elapsed > timeout:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
                if kill_after is None:
                    raise AssertionError(f"the crawl ran over {timeout} s")
                break
            sizes = tree_rss(tree)
            peak, peak_tree = max(peak, *sizes, 0), max(peak_tree, sum(sizes))
            time.sleep(0.02)
        out.seek(0)
        err.seek(0)
        return CrawlRun(
            process.returncode,
            out.read(),
            err.read(),
            time.monotonic() - started,
            peak / 2**20,
            peak_tree / 2**20,
        )


def limit_file_size(size: int) -> None:
    """In the child: writes past `size` bytes fail with EFBIG instead of killing it."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


def tree_rss(process: psutil.Process) -> list[int]:
    """Resident bytes of a process and each of its descendants still running."""
    sizes = []
    with contextlib.suppress(psutil.Error):  # each may have just exited
        for member in [process, *process.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                sizes.append(member.memory_info().rss)
    return sizes
