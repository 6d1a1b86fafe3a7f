"""WARC import and export speed against peers measured in the same run, and the import's
memory on a 1 GB WARC.

    python benchmarks/warc.py [--pages 2000] [--gigabytes 1] [--workdir DIR]

- import: pages/s of `import-warc`'s work (read the WARC, extract, validate, dedupe, store)
  against `reprocess` of the same pages in the archive the import made (the same
  extraction, without the WARC and the new-article writes); the WARC reading alone too.
- export: MB/s of page bytes through `export --format warc` (read the archive, decompress,
  write response + metadata records gzipped at warcio's level 9) against gzip.compress of
  the same bodies at the same level, and fastwarc's writer when installed.
- memory: peak RSS of `newsarchive import-warc` on a generated WARC of about `--gigabytes`
  (the HTML pages, 4 MB PDFs, HTML pages over the 10 MB limit and gzip bombs) against the
  same command on a WARC of its HTML pages alone.

Speeds are CPU seconds of this process (time.process_time), which other jobs on a shared
machine barely change; wall-clock figures are printed beside them and are not robust to it.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import io
import os
import sys
import tempfile
import time
import zlib
from datetime import timedelta
from pathlib import Path

import psutil
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.sitegen import EPOCH, article_page, article_path  # noqa: E402
from pipelines.archive import open_archive  # noqa: E402
from pipelines.export import Filters  # noqa: E402
from pipelines.reprocess import Reprocessor  # noqa: E402
from pipelines.warc import WarcImport, read_warc, write_warc  # noqa: E402
from scraper.config import parse_config  # noqa: E402
from scraper.settings import DOWNLOAD_MAXSIZE, NEWSARCHIVE_MIN_WORDS  # noqa: E402

ORIGIN = "https://harbor.example.org"
CONFIG = f'[[source]]\nname = "harbor"\nstart_urls = ["{ORIGIN}/"]\n'
HTML = [("Content-Type", "text/html; charset=utf-8")]


class Clock:
    """CPU and wall seconds of a block."""

    def __enter__(self) -> Clock:
        self.cpu, self.wall = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.cpu = time.process_time() - self.cpu
        self.wall = time.perf_counter() - self.wall

    def rate(self, amount: float) -> str:
        return f"{amount / self.cpu:8.1f} per CPU s ({amount / self.wall:.1f} per wall s)"


def response(writer: WARCWriter, url: str, body: bytes, n: int, headers=HTML) -> None:
    date = (EPOCH + timedelta(minutes=n)).strftime("%Y-%m-%dT%H:%M:%SZ")
    http = StatusAndHeaders("200 OK", [*headers, ("Content-Length", str(len(body)))], "HTTP/1.1")
    record = writer.create_warc_record(
        url, "response", payload=io.BytesIO(body), length=len(body), http_headers=http,
        warc_headers_dict={"WARC-Date": date},
    )  # fmt: skip
    writer.write_record(record)


def pages_warc(path: Path, pages: int) -> None:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True, warc_version="1.1")
        for n in range(pages):
            html = article_page(n, pages, origin=ORIGIN).encode()
            response(writer, ORIGIN + article_path(n), html, n)


def big_warc(path: Path, pages: int, gigabytes: float) -> None:
    """Uncompressed: the HTML pages, then 4 MB PDFs up to the size, with an HTML page over
    the 10 MB limit and a gzip bomb (200 MB of zeros in 200 KB) every 50 records."""
    pdf = b"%PDF-1.7\n" + os.urandom(4 * 1024 * 1024)
    large = b"<html><body>" + b"<p>harbor news</p>" * (12 * 1024 * 1024 // 18) + b"</body></html>"
    bomb = gzip.compress(b"<html><body>" + bytes(200 * 1024 * 1024), compresslevel=1)
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=False, warc_version="1.1")
        for n in range(pages):
            response(
                writer, ORIGIN + article_path(n), article_page(n, pages, origin=ORIGIN).encode(), n
            )
        n = pages
        while out.tell() < gigabytes * 1024**3:
            n += 1
            if n % 50 == 0:
                response(writer, f"{ORIGIN}/large/{n}.html", large, n)
                response(writer, f"{ORIGIN}/bomb/{n}.html", bomb, n,
                         [*HTML, ("Content-Encoding", "gzip")])  # fmt: skip
            else:
                response(
                    writer, f"{ORIGIN}/files/{n}.pdf", pdf, n, [("Content-Type", "application/pdf")]
                )


def peak_rss(*args: str) -> tuple[float, float, str]:
    """Run `newsarchive ARGS`; its peak RSS in MB (polled: the rusage of a child counts the
    parent's pages it was forked with), wall seconds and summary lines."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        child = psutil.Popen(
            [sys.executable, "-m", "scraper.cli", *args], stdout=out, text=True,
            cwd=Path(__file__).resolve().parents[1],
        )  # fmt: skip
        peak = 0
        while child.poll() is None:
            with contextlib.suppress(psutil.NoSuchProcess):
                peak = max(peak, child.memory_info().rss)
            time.sleep(0.02)
        assert child.returncode == 0, f"import-warc exited {child.returncode}"
        out.seek(0)
        lines = [line for line in out.read().splitlines() if line.startswith(("import", "  sk"))]
    return peak / 1e6, time.perf_counter() - started, " /".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--gigabytes", type=float, default=1.0, help="0 skips the memory run")
    parser.add_argument("--workdir", type=Path, help="keep the generated files here")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="warc-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    config = parse_config(CONFIG)
    source = config.sources[0]

    warc = workdir / f"pages-{args.pages}.warc.gz"
    if not warc.exists():
        pages_warc(warc, args.pages)
    print(f"{args.pages} generated article pages, WARC {warc.stat().st_size / 1e6:.1f} MB gzipped")

    with Clock() as reading:
        read = sum(1 for _ in read_warc(warc, DOWNLOAD_MAXSIZE))
    db_path = workdir / "import.db"
    for leftover in workdir.glob("import.db*"):
        leftover.unlink()
    db = open_archive(db_path)
    with Clock() as importing:
        WarcImport(db, config, min_words=NEWSARCHIVE_MIN_WORDS, max_size=DOWNLOAD_MAXSIZE).run(
            [warc]
        )
    with Clock() as reprocessing:
        done = Reprocessor(db, {source.name: source}, NEWSARCHIVE_MIN_WORDS).run()
    stored = db.execute("SELECT count(*) FROM pages").fetchone()[0]
    print(f"read WARC only   {reading.rate(read)} records")
    print(f"import-warc      {importing.rate(args.pages)} pages")
    print(f"reprocess        {reprocessing.rate(stored)} pages ({dict(done)})")
    print(
        f"import / reprocess, CPU: {reprocessing.cpu / stored / (importing.cpu / args.pages):.2f}"
    )

    bodies = [zlib.decompress(raw) for (raw,) in db.execute("SELECT raw FROM pages")]
    megabytes = sum(map(len, bodies)) / 1e6
    with Clock() as exporting, (workdir / "export.warc.gz").open("wb") as out:
        write_warc(db, Filters(include_duplicates=True), out, "export.warc.gz")
    db.close()
    with Clock() as gzipping:
        packed = sum(len(gzip.compress(body, compresslevel=9)) for body in bodies)
    print(f"export warc      {exporting.rate(megabytes)} MB of pages")
    print(f"gzip -9 bodies   {gzipping.rate(megabytes)} MB ({packed / 1e6:.1f} MB out)")
    print(f"export / gzip, CPU: {gzipping.cpu / exporting.cpu:.2f}")
    try:
        from fastwarc.stream_io import GzipWriter
        from fastwarc.warc import WarcRecord, WarcRecordType
    except ImportError:
        print("fastwarc          not installed")
    else:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
        with Clock() as fast:
            writer = GzipWriter(str(workdir / "fastwarc.warc.gz"), compression_level=9)
            for n, body in enumerate(bodies):
                record = WarcRecord()
                record.init_headers(WarcRecordType.response)
                record.headers["WARC-Target-URI"] = f"{ORIGIN}/{n}"
                record.set_bytes_content(head + body)
                record.write(writer, checksum_data=True)
            writer.close()
        print(f"fastwarc writer  {fast.rate(megabytes)} MB (response records only)")

    if args.gigabytes:
        html_pages = min(args.pages, 200)
        small, big = workdir / "small.warc", workdir / f"big-{args.gigabytes:g}.warc"
        if not big.exists():
            big_warc(big, html_pages, args.gigabytes)
        if not small.exists():
            big_warc(small, html_pages, 0)
        config_path = workdir / "sources.toml"
        config_path.write_text(CONFIG, encoding="utf-8")
        runs = {}
        for warc_file in (small, big):
            target = workdir / f"{warc_file.stem}.db"
            for leftover in workdir.glob(f"{target.name}*"):
                leftover.unlink()
            runs[warc_file] = peak_rss(
                "import-warc", str(warc_file), "--config", str(config_path), "--db", str(target)
            )
            rss, seconds, said = runs[warc_file]
            size = warc_file.stat().st_size / 1e6
            print(
                f"import {size:7.0f} MB WARC: peak RSS {rss:.0f} MB, {seconds:.0f} s wall: {said}"
            )
        print(f"peak RSS {big.stat().st_size / 1e9:.2f} GB / {small.stat().st_size / 1e6:.0f} MB "
              f"WARC: {runs[big][0] / runs[small][0]:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
