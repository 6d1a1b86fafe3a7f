"""The newsarchive command line: crawl, demo, serve, export, import-warc, extract, reprocess.

Exit status: 0 success; 1 a source failed completely; 2 bad arguments, config or archive
(one line says which); 3 another process is writing the archive.
"""

from __future__ import annotations

import contextlib
import gzip
import ipaddress
import json
import logging
import socket
import sqlite3
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from typing import Any, NoReturn

import click

from pipelines.lock import ArchiveBusy, writer_lock
from scraper.config import ConfigError, load_config, parse_config

# Only light imports at module level: each extraction worker of a crawl imports this module
# again (multiprocessing re-runs the main module in its workers as __mp_main__). Scrapy and
# the archive (its search index loads pymorphy3's dictionaries) would cost every worker
# over 80 MB, so the commands import them. tests/test_parallel.py checks it.

DB_OPTION = click.option(
    "--db",
    "db_path",
    default="archive.db",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The archive file.",
)


def config_option(help_text: str) -> Any:
    return click.option(
        "--config",
        "config_path",
        default="sources.toml",
        show_default=True,
        type=click.Path(dir_okay=False),
        help=help_text,
    )


REDIS_OPTION = click.option(
    "--redis",
    "redis_url",
    metavar="URL",
    help="Run as a crawl node of the cluster at this Redis (redis://HOST:6379/0).",
)
# Every Redis key of a cluster starts with this.
REDIS_PREFIX = "newsarchive"

# The demo sites' ports in sources.toml (and `python -m demo`).
DEMO_PORTS = {"novosti": 8701, "vesti-ua": 8702, "dailywire": 8703, "agregator": 8704}
DATE_FORMATS = ["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S"]
EXIT_SOURCE_FAILED = 1
EXIT_USAGE = 2
EXIT_BUSY = 3


def fail(message: str, status: int = EXIT_USAGE) -> NoReturn:
    click.echo(f"Error: {message}", err=True)
    sys.exit(status)


def existing_archive(db_path: str) -> Any:
    """The archive at `db_path`, opened for reading and writing; exit 2 when it is missing,
    not an archive, or from a newer newsarchive."""
    from pipelines.archive import ArchiveError, open_archive  # see the imports

    try:
        return open_archive(db_path, create=False)
    except ArchiveError as exc:
        fail(str(exc))


@click.group()
@click.version_option(package_name="newsarchive")
def cli() -> None:
    """Crawl news sites into one SQLite archive and search it with Datasette."""


def utc_iso(moment: datetime | None) -> str | None:
    """A command-line date (taken as UTC) in the form of the archive's *_utc columns."""
    return moment.replace(tzinfo=UTC).isoformat(timespec="seconds") if moment else None


def day_end(moment: datetime | None) -> datetime | None:
    """The exclusive bound that makes `--until` include its end: the whole day of a date,
    the whole second of a time."""
    if moment is None:
        return None
    return moment + (timedelta(days=1) if moment.time() == dt_time() else timedelta(seconds=1))


def print_summary(summary: dict[str, Any], *, per_source: bool = True) -> None:
    kind = summary.get("kind", "crawl")
    click.echo(
        f"{kind} {summary['id']} {summary['status']}: {summary['pages']} pages "
        f"{'read' if kind == 'import' else 'fetched'}, "
        f"{summary['articles_new']} articles new, {summary['articles_updated']} updated, "
        f"{summary['duplicates']} duplicates, {summary['errors']} errors, "
        f"{summary['seconds']:.1f} s"
        + (f", {n} extraction workers replaced" if (n := summary.get("extract_restarts")) else "")
    )
    if not_articles := summary.get("not_articles"):
        click.echo(
            f"  {len(not_articles)} pages judged not articles: kept, and listed in crawl_errors "
            "(kind not_article); `newsarchive reprocess` archives them if the extractor changes"
        )
    for row in summary["sources"] if per_source else ():
        click.echo(
            f"  {row['source']}: {row['status']}, {row['pages']} pages, "
            f"{row['articles_new']} new, {row['articles_updated']} updated, "
            f"{row['duplicates']} duplicates, {row['errors']} errors"
        )


def crawl_and_report(
    config: Any,
    db_path: str,
    *,
    quiet: bool = False,
    as_json: bool = False,
    log_file: str | None = None,
    **options: Any,
) -> dict[str, Any]:
    """Run a crawl under the archive's writer lock and print its summary."""
    from pipelines.archive import ArchiveError
    from scraper.crawl.runner import configure_logging, run_crawl  # see the imports

    configure_logging(
        stderr_level=logging.ERROR if quiet else logging.WARNING,
        log_file=log_file,
        max_bytes=10 * 1024 * 1024,
    )
    try:
        with writer_lock(db_path):
            summary = run_crawl(
                config,
                db_path,
                NEWSARCHIVE_PROGRESS=sys.stderr.isatty() and not quiet and not as_json,
                **options,
            )
    except ArchiveBusy as exc:
        fail(str(exc), EXIT_BUSY)
    except ArchiveError as exc:
        fail(str(exc))
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
    else:
        print_summary(summary, per_source=not quiet)
    return summary


@cli.command()
@config_option("The sources to crawl.")
@DB_OPTION
@click.option("--max-pages", type=click.IntRange(min=1), help="Article pages per source, at most.")
@click.option(
    "--since",
    type=click.DateTime(DATE_FORMATS),
    help="Skip sitemap and feed entries older than this date (back-fills).",
)
@click.option("--quiet", "-q", is_flag=True, help="Only errors and the one-line summary.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--log-file", type=click.Path(dir_okay=False), help="Log to FILE (rotated by size).")
@REDIS_OPTION
def crawl(
    config_path: str,
    db_path: str,
    max_pages: int | None,
    since: datetime | None,
    quiet: bool,
    as_json: bool,
    log_file: str | None,
    redis_url: str | None,
) -> None:
    """Crawl the sources in CONFIG into the archive.

    With --redis, run as one crawl node of a cluster: the archive is written by
    `newsarchive ingest`, and --db is not used.

    Exit status: 0 every source crawled; 1 a source failed completely; 2 bad config,
    arguments, archive or Redis; 3 another crawl is writing this archive.
    """
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        fail(str(exc))
    if redis_url:
        options = {"max_pages": max_pages, "since": since.replace(tzinfo=UTC) if since else None}
        crawl_node(config, redis_url, quiet=quiet, as_json=as_json, log_file=log_file, **options)
        return
    summary = crawl_and_report(
        config,
        db_path,
        quiet=quiet,
        as_json=as_json,
        log_file=log_file,
        max_pages=max_pages,
        since=since.replace(tzinfo=UTC) if since else None,
    )
    if summary["status"] != "finished":
        sys.exit(EXIT_SOURCE_FAILED)


def crawl_node(
    config: Any, redis_url: str, *, quiet: bool, as_json: bool, log_file: str | None, **options: Any
) -> None:
    """Run this process as a crawl node; checks Redis before anything is fetched."""
    from pipelines.stream import ClusterError, connect, node_name, outage_bound, redacted
    from scraper.crawl.cluster import run_node
    from scraper.crawl.runner import configure_logging

    try:
        connect(redis_url).close()
    except ClusterError as exc:
        fail(str(exc))
    configure_logging(
        stderr_level=logging.ERROR if quiet else logging.WARNING,
        log_file=log_file,
        max_bytes=10 * 1024 * 1024,
    )
    node = node_name()
    summary = run_node(config, redis_url, node, REDIS_PREFIX, **options)
    if summary["redis_lost"]:
        fail(
            f"{redacted(redis_url)}: Redis unreachable for more than {outage_bound():g} s; "
            "node stopped, what it had taken goes back to the queue once Redis is back"
        )
    if as_json:
        click.echo(json.dumps(summary, ensure_ascii=False))
    else:
        click.echo(
            f"node {node} {summary['status']}: {summary['pages']} pages fetched, "
            f"{summary['sent']} articles sent to the writer, {summary['not_articles']} "
            f"pages judged not articles, {summary['errors']} errors"
        )
    if summary["status"] != "finished":
        sys.exit(EXIT_SOURCE_FAILED)


@cli.command()
@DB_OPTION
@click.option("--redis", "redis_url", required=True, metavar="URL", help="The cluster's Redis.")
@click.option(
    "--until-idle",
    is_flag=True,
    help="Exit once no crawl node runs and the stream is drained (else run until stopped).",
)
@click.option(
    "--batch-size",
    default=200,
    show_default=True,
    type=click.IntRange(min=1),
    help="Stream entries written per transaction, at most.",
)
def ingest(db_path: str, redis_url: str, until_idle: bool, batch_size: int) -> None:
    """Write what the crawl nodes of a cluster send into the archive: the one writer.

    Exit status: 0 stopped (drained, or by a signal); 2 bad archive or Redis; 3 another
    process writes this archive, or another ingest reads this Redis.
    """
    from pipelines.archive import ArchiveError, open_archive
    from pipelines.stream import ClusterError, Ingest, Keys, WriterBusy, connect

    try:
        client = connect(redis_url)
    except ClusterError as exc:
        fail(str(exc))
    try:
        with writer_lock(db_path):
            db = open_archive(db_path)
            writer = Ingest(client, db, Keys(REDIS_PREFIX), batch_size=batch_size)
            try:
                with writer.stop_on_signals(), writer.lock():
                    writer.run(until_idle=until_idle)
            finally:
                db.close()
    except (ArchiveBusy, WriterBusy) as exc:
        fail(str(exc), EXIT_BUSY)
    except ArchiveError as exc:
        fail(str(exc))
    except ClusterError as exc:  # Redis gone for longer than the retries last
        fail(str(exc))
    except (sqlite3.Error, OSError) as exc:  # unacknowledged entries wait in the stream
        fail(f"{db_path}: the archive refused a write ({exc}); nothing was acknowledged")
    click.echo(
        f"ingest stopped: {writer.stored} articles written, {writer.busy:.2f} s writing, "
        f"{writer.cpu:.2f} s CPU"
    )


@cli.command()
@DB_OPTION
@click.option("--no-serve", is_flag=True, help="Stop after the crawl.")
@click.option("--port", default=8001, show_default=True, help="Datasette's port.")
def demo(db_path: str, no_serve: bool, port: int) -> None:
    """Serve the bundled demo news sites on 127.0.0.1, crawl them, open Datasette."""
    import demo as demo_site

    with contextlib.ExitStack() as stack:
        try:  # the ports sources.toml names, so both crawl the same URLs; else free ones
            server = stack.enter_context(demo_site.DemoServer(DEMO_PORTS))
        except OSError:
            server = stack.enter_context(demo_site.DemoServer())
        click.echo("demo sites: " + ", ".join(f"{n} {o}" for n, o in server.origins.items()))
        crawl_and_report(parse_config(demo_site.sources(server.origins), "demo"), db_path)
    if not no_serve:
        run_datasette(db_path, port=port, host="127.0.0.1")


def run_datasette(
    db_path: str,
    *,
    port: int,
    host: str,
    password: str | None = None,
    allow_sql: bool = True,
) -> None:
    """Datasette on the archive, in the foreground."""
    from scraper.serve.runner import make_datasette, serve

    existing_archive(db_path).close()
    # Checked before the greeting: uvicorn would log a traceback-like error and exit 1.
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            fail(f"cannot listen on {host}:{port} ({exc.strerror}); choose another --port")
    click.echo(f"Datasette on http://{host}:{port}/ (Ctrl+C stops it)")
    serve(make_datasette(db_path, password=password, allow_sql=allow_sql), host=host, port=port)


@cli.command()
@DB_OPTION
@click.option("--port", default=8001, show_default=True)
@click.option(
    "--public",
    is_flag=True,
    help="Listen on every interface (0.0.0.0), not only 127.0.0.1. Needs --password or --no-auth.",
)
@click.option(
    "--host", help="Listen on this address instead (anything but loopback needs --public)."
)
@click.option(
    "--password",
    envvar="NEWSARCHIVE_PASSWORD",
    help="Require HTTP Basic login as user 'reporter' with this password (ASCII).",
)
@click.option("--no-auth", is_flag=True, help="With --public: serve to anyone, no login.")
@click.option(
    "--no-sql", is_flag=True, help="Hide the SQL box: only tables, search, canned queries."
)
def serve(
    db_path: str,
    port: int,
    public: bool,
    host: str | None,
    password: str | None,
    no_auth: bool,
    no_sql: bool,
) -> None:
    """Search the archive in Datasette (read-only), on 127.0.0.1 unless --public."""
    host = host or ("0.0.0.0" if public else "127.0.0.1")
    if not public and not ipaddress.ip_address(host).is_loopback:
        fail(f"--host {host} is not loopback: add --public (with --password or --no-auth)")
    if public and not (password or no_auth):
        fail("--public needs --password PASSWORD, or --no-auth to serve to anyone")
    if password and no_auth:
        fail("--password and --no-auth contradict each other")
    if password and not password.isascii():
        fail("--password must be ASCII (HTTP Basic login cannot carry other characters)")
    run_datasette(db_path, port=port, host=host, password=password, allow_sql=not no_sql)


@cli.command()
@DB_OPTION
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "warc"]), default="csv")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-")
@click.option("--source", "sources", multiple=True, help="Only this source (repeatable).")
@click.option("--since", type=click.DateTime(DATE_FORMATS), help="Published on or after (UTC).")
@click.option(
    "--until",
    type=click.DateTime(DATE_FORMATS),
    help="Published on or before (UTC; a date includes that whole day).",
)
@click.option("--language", help="ISO 639-1 code, e.g. ru, uk, en.")
@click.option("--search", help="Only articles matching this search (as in Datasette).")
@click.option("--include-duplicates", is_flag=True, help="Also syndicated copies.")
@click.option("--excel", is_flag=True, help="CSV that Excel opens with Cyrillic intact (BOM).")
def export(
    db_path: str,
    fmt: str,
    output: Any,
    sources: tuple[str, ...],
    since: datetime | None,
    until: datetime | None,
    language: str | None,
    search: str | None,
    include_duplicates: bool,
    excel: bool,
) -> None:
    """Stream articles as CSV or JSON lines (authors and tags joined by '; ' in CSV), or
    their stored raw pages as WARC (gzipped per record unless --output ends in .warc).

    --since and --until include both ends: --since D --until D is day D.
    """
    from pipelines import export as exporter

    if excel and fmt != "csv":
        fail(f"--excel makes a CSV for Excel; it does not apply to --format {fmt}")

    filters = exporter.Filters(
        sources=list(sources),
        since=utc_iso(since),
        until=utc_iso(day_end(until)),
        language=language,
        search=search,
        include_duplicates=include_duplicates,
    )
    db = existing_archive(db_path)
    if fmt == "warc":
        from pipelines.warc import write_warc

        if output.name == "-":
            write_warc(db, filters, sys.stdout.buffer, "-")
        else:  # binary: the text file click made for the other formats stays unopened
            with open(output.name, "wb") as binary:
                write_warc(db, filters, binary, output.name)
        return
    rows = exporter.articles(db, filters)
    if fmt == "jsonl":
        exporter.write_jsonl(rows, output)
    else:
        exporter.write_csv(rows, output, excel=excel)


@cli.command("import-warc")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--source", help="Attribute every capture to this source, whatever its host.")
@config_option("The sources; each capture goes to the one whose allowed_domains hold its host.")
@DB_OPTION
def import_warc(paths: tuple[str, ...], source: str | None, config_path: str, db_path: str) -> None:
    """Import the HTML captures of WARC files (.warc, .warc.gz) as a crawl would store them.

    Exit status: 0 imported (skipped records are counted); 2 bad arguments, config,
    archive or a file that is not a WARC; 3 another process is writing this archive.
    """
    from pipelines.archive import ArchiveError, is_write_error, open_archive
    from pipelines.warc import NotWarc, WarcImport, check_warc
    from scraper.settings import DOWNLOAD_MAXSIZE, NEWSARCHIVE_MIN_WORDS

    try:
        config = load_config(config_path)
        for path in paths:
            check_warc(Path(path))
    except (ConfigError, NotWarc) as exc:
        fail(str(exc))
    forced = next((s for s in config.sources if s.name == source), None)
    if source and forced is None:
        fail(f"--source {source}: no such source in {config_path}")
    logging.basicConfig(level=logging.WARNING, format="Warning: %(message)s")
    try:
        with writer_lock(db_path):
            db = open_archive(db_path)
            try:
                importer = WarcImport(
                    db,
                    config,
                    source=forced,
                    min_words=NEWSARCHIVE_MIN_WORDS,
                    max_size=DOWNLOAD_MAXSIZE,
                )
                summary = importer.run(
                    [Path(p) for p in paths],
                    warn=lambda line: click.echo(f"Warning: {line}", err=True),
                )
            finally:
                db.close()
    except ArchiveBusy as exc:
        fail(str(exc), EXIT_BUSY)
    except ArchiveError as exc:
        fail(str(exc))
    except Exception as exc:
        if not is_write_error(exc):
            raise
        fail(
            f"{db_path}: the import could not write to the archive ({exc}); what it had "
            "written is intact: free some space and run it again"
        )
    print_summary(summary)
    skipped: Counter[str] = Counter()
    for row in summary["failures"]:
        skipped[row["kind"]] += row["count"]
    if skipped:
        click.echo("  skipped: " + ", ".join(f"{k} {n}" for k, n in skipped.most_common()))


def html_files(paths: tuple[str, ...]) -> Iterator[Path]:
    for name in paths:
        path = Path(name)
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.name.endswith((".html", ".htm", ".html.gz"))
            )
        else:
            yield path


def page_id(path: Path) -> str:
    name = path.name
    for suffix in (".gz", ".html", ".htm"):
        name = name.removesuffix(suffix)
    return name


EXTRACT_FIELDS = [
    "title", "authors", "organizations", "published", "modified", "language", "section",
    "tags", "image", "description", "canonical_url", "site_name", "url", "body", "reason",
]  # fmt: skip


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--url", help="The URL the page was fetched from (resolves relative links).")
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl", "text"]), default="json")
def extract(paths: tuple[str, ...], url: str | None, fmt: str) -> None:
    """Extract the article from saved pages (.html, .html.gz, or folders of them).

    With --format text, a page without an article is named on stderr with the reason,
    and the exit status is 1.
    """
    from scraper.extract import extract as extract_article

    results = []
    not_articles = 0
    for path in html_files(paths):
        data = path.read_bytes()
        if path.suffix == ".gz":
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError) as exc:
                fail(f"{path}: not a readable gzip file ({exc})")
        article = asdict(extract_article(data, url))
        result = {"file": str(path), "id": page_id(path)} | {f: article[f] for f in EXTRACT_FIELDS}
        if fmt == "jsonl":
            click.echo(json.dumps(result, ensure_ascii=False))
        elif fmt == "text" and not result["body"]:
            # Plain text has no field to carry the reason: say it, and fail the command.
            click.echo(f"{path}: not an article ({result['reason'] or 'no text'})", err=True)
            not_articles += 1
        elif fmt == "text":
            click.echo(f"# {result['title'] or ''}\n\n{result['body']}\n")
        else:
            results.append(result)
    if fmt == "json":
        click.echo(json.dumps(results, ensure_ascii=False, indent=2))
    if not_articles:
        sys.exit(EXIT_SOURCE_FAILED)


@cli.command()
@config_option("Per-source extraction settings (selectors, time zone); skipped when absent.")
@DB_OPTION
@click.option("--source", help="Only this source's articles.")
def reprocess(config_path: str, db_path: str, source: str | None) -> None:
    """Re-run the current extractor over the stored raw pages and update the archive.

    Text that changes this way is the extractor's doing, so no versions are recorded.
    """
    from pipelines.reprocess import Reprocessor
    from scraper.settings import NEWSARCHIVE_MIN_WORDS

    sources = {}
    if Path(config_path).exists():
        try:
            sources = {s.name: s for s in load_config(config_path).sources}
        except ConfigError as exc:
            fail(str(exc))
    db = existing_archive(db_path)
    try:
        with writer_lock(db_path):
            done = Reprocessor(db, sources, NEWSARCHIVE_MIN_WORDS).run(source)
    except ArchiveBusy as exc:
        fail(str(exc), EXIT_BUSY)
    finally:
        db.close()
    click.echo(
        f"reprocessed {done['changed'] + done['unchanged'] + done['kept']} articles: "
        f"{done['changed']} changed, {done['unchanged']} unchanged, {done['kept']} kept "
        f"(no article found by the extractor now), {done['no_page']} without a stored page; "
        f"{done['version_changed']} older versions re-extracted; "
        f"{done['recovered']} pages once judged not articles archived now, "
        f"{done['still_not_article']} still not articles"
    )


if __name__ == "__main__":
    cli()
