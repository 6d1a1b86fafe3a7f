"""Serves the generated demo sites on 127.0.0.1, one port per site, like real news servers.

Each site's files live in ``site/<name>/``; ``_site.json`` says what static files cannot:
``redirects`` (URL path -> URL path, answered with 301), ``content_types`` (URL path -> the exact
Content-Type, e.g. windows-1251 in the header only, or ``text/html`` with no charset), and
``last_modified`` (file -> HTTP date). Files under ``_edition<N>/`` replace the base file when
the server's edition is N or more. ``{{origin:NAME}}`` tokens in text files become the serving
origin of site NAME, so absolute URLs work whatever ports the sites get.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from urllib.parse import unquote, urlsplit

from demo.sites import SITE_DIR, SITES

TOKEN = re.compile(rb"\{\{origin:([a-z0-9-]+)\}\}")
TEXT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
}
BINARY_TYPES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".png": "image/png"}
NOT_FOUND = b"<!DOCTYPE html><title>404</title><h1>404 Not Found</h1><p>No such page.</p>\n"


class DemoServer:
    """All demo sites, each on its own loopback port, for as long as the context is open."""

    def __init__(
        self,
        ports: dict[str, int] | None = None,
        edition: int = 1,
        root: Path = SITE_DIR,
        verbose: bool = False,
    ) -> None:
        self.ports = {name: (ports or {}).get(name, 0) for name in SITES}
        self.edition = edition  # read on every request: tests may switch it between crawls
        self.root = root
        self.verbose = verbose
        self.requests: list[tuple[str, str, int]] = []  # (site, path with query, status)
        self._lock = threading.Lock()
        self._servers: dict[str, ThreadingHTTPServer] = {}
        self._threads: list[tuple[ThreadingHTTPServer, threading.Thread]] = []
        self.origins: dict[str, str] = {}

    def __enter__(self) -> DemoServer:
        try:
            for name, port in self.ports.items():
                server = _SiteServer(("127.0.0.1", port), _Handler)
                server.demo, server.site = self, name
                server.manifest = json.loads((self.root / name / "_site.json").read_text("utf-8"))
                self._servers[name] = server
                self.origins[name] = f"http://127.0.0.1:{server.server_address[1]}"
        except BaseException:
            self._close()
            raise
        for name, server in self._servers.items():
            thread = threading.Thread(target=server.serve_forever, name=f"demo-{name}", daemon=True)
            thread.start()
            self._threads.append((server, thread))
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._close()

    def _close(self) -> None:
        # shutdown() waits for serve_forever, so only servers whose thread started get it.
        for server, thread in self._threads:
            server.shutdown()
            thread.join()
        for server in self._servers.values():
            server.server_close()
        self._servers.clear()
        self._threads.clear()

    def record(self, site: str, path: str, status: int) -> None:
        with self._lock:
            self.requests.append((site, path, status))

    def count(self, site: str | None = None, path: str | None = None) -> int:
        """How many requests were served, optionally only for one site and/or one path."""
        with self._lock:
            return sum(
                1
                for s, p, _ in self.requests
                if (site is None or s == site) and (path is None or p == path)
            )

    def render(self, body: bytes) -> bytes:
        """Replace origin tokens with the origins this server is serving."""
        return TOKEN.sub(lambda m: self.origins.get(m[1].decode(), m[0].decode()).encode(), body)


class _SiteServer(ThreadingHTTPServer):
    daemon_threads = True
    demo: DemoServer
    site: str
    manifest: dict


class _Handler(BaseHTTPRequestHandler):
    server: _SiteServer
    protocol_version = "HTTP/1.1"
    server_version = "demo-news/1.0"

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        if self.server.demo.verbose:
            super().log_message(format, *args)

    def _respond(self, head: bool) -> None:
        demo, manifest = self.server.demo, self.server.manifest
        path = unquote(urlsplit(self.path).path) or "/"
        target = manifest["redirects"].get(path)
        if target is not None:
            origin = demo.origins[self.server.site]
            self._send(HTTPStatus.MOVED_PERMANENTLY, b"", head, {"Location": origin + target})
            return
        found = self._find(path)
        if found is None:
            if not path.endswith("/") and self._find(path + "/"):  # like Apache's DirectorySlash
                location = demo.origins[self.server.site] + path + "/"
                self._send(HTTPStatus.MOVED_PERMANENTLY, b"", head, {"Location": location})
            else:
                ctype = "text/html; charset=utf-8"
                self._send(HTTPStatus.NOT_FOUND, NOT_FOUND, head, {"Content-Type": ctype})
            return
        rel, file = found
        body = file.read_bytes()
        suffix = file.suffix.lower()
        if suffix in TEXT_TYPES:
            body = demo.render(body)
        ctype = (
            manifest["content_types"].get(path)
            or TEXT_TYPES.get(suffix)
            or BINARY_TYPES.get(suffix, "application/octet-stream")
        )
        headers = {
            "Content-Type": ctype,
            "ETag": f'"{hashlib.sha256(body).hexdigest()[:20]}"',
            "Last-Modified": manifest["last_modified"].get(rel, "Wed, 01 Nov 2023 09:00:00 GMT"),
            "Cache-Control": "max-age=60",
        }
        if self._not_modified(headers):
            self._send(HTTPStatus.NOT_MODIFIED, b"", head, headers, length=False)
        else:
            self._send(HTTPStatus.OK, body, head, headers)

    def _find(self, path: str) -> tuple[str, Path] | None:
        """The file serving `path` in the current edition, as (manifest key, file)."""
        parts = [p for p in path.split("/") if p]
        if any(p in ("..", ".") or p.startswith("_") for p in parts):
            return None
        base = "/".join(parts)
        names = [f"{base}/index.html", f"{base}/index.xml"] if path.endswith("/") else [base]
        names = [n.lstrip("/") for n in names]
        site_root = self.server.demo.root / self.server.site
        for edition in range(self.server.demo.edition, 0, -1):
            prefix = f"_edition{edition}/" if edition > 1 else ""
            for name in names:
                file = site_root / (prefix + name)
                if file.is_file():
                    return prefix + name, file
        return None

    def _not_modified(self, headers: dict[str, str]) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:  # takes precedence over If-Modified-Since (RFC 9110)
            tags = {t.strip() for t in if_none_match.split(",")}
            return headers["ETag"] in tags or "*" in tags
        since = self.headers.get("If-Modified-Since")
        if since is None:
            return False
        try:
            return parsedate_to_datetime(headers["Last-Modified"]) <= parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False

    def _send(
        self,
        status: HTTPStatus,
        body: bytes,
        head: bool,
        headers: dict[str, str],
        length: bool = True,
    ) -> None:
        self.server.demo.record(self.server.site, self.path, status.value)
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)
