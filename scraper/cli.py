"""The newsarchive command line: crawl, demo, serve, export, extract.

Exit status: 0 success; 1 a source failed completely or the crawl broke;
2 bad arguments, config or archive (one line says which).
"""

from __future__ import annotations

import csv
import gzip
import ipaddress
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click

from pipelines.archive import ArchiveError, open_archive
from scraper.config import ConfigError, load_config, parse_config

DB_OPTION = click.option(
    "--db",
    "db_path",
    default="archive.db",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The archive file.",
)


def fail(message: str, status: int = 2) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(status)


@click.group()
@click.version_option(package_name="newsarchive")
def cli() -> None:
    """Crawl news sites into one SQLite archive and search it with Datasette."""


def print_summary(summary: dict[str, Any]) -> None:
    click.echo(
        f"crawl {summary['id']} {summary['status']}: {summary['pages']} pages fetched, "
        f"{summary['articles_new']} articles new, {summary['articles_updated']} updated, "
        f"{summary['duplicates']} duplicates, {summary['errors']} errors, "
        f"{summary['seconds']:.1f} s"
    )
    for row in summary["sources"]:
        click.echo(
            f"  {row['source']}: {row['status']}, {row['pages']} pages, "
            f"{row['articles_new']} new, {row['articles_updated']} updated, "
            f"{row['duplicates']} duplicates, {row['errors']} errors"
        )


def crawl_and_report(config: Any, db_path: str) -> dict[str, Any]:
    from scraper.crawl import run_crawl  # imports Scrapy and Twisted: only when crawling

    try:
        summary = run_crawl(config, db_path, LOG_LEVEL=os.environ.get("NEWSARCHIVE_LOG", "WARNING"))
    except ArchiveError as exc:
        fail(str(exc))
    print_summary(summary)
    return summary


@cli.command()
@click.option(
    "--config",
    "config_path",
    default="sources.toml",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The sources to crawl.",
)
@DB_OPTION
def crawl(config_path: str, db_path: str) -> None:
    """Crawl the sources in CONFIG into the archive."""
    try:
        config = load_config(config_path)
    except ConfigError as exc:
        fail(str(exc))
    summary = crawl_and_report(config, db_path)
    if summary["status"] != "finished":
        sys.exit(1)


@cli.command()
@DB_OPTION
@click.option("--no-serve", is_flag=True, help="Stop after the crawl.")
@click.option("--port", default=8001, show_default=True, help="Datasette's port.")
def demo(db_path: str, no_serve: bool, port: int) -> None:
    """Serve the bundled demo news sites on 127.0.0.1, crawl them, open Datasette."""
    import demo as demo_site

    with demo_site.DemoServer() as server:
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
    from scraper.serve import make_datasette, serve

    try:
        open_archive(db_path, create=False).close()
    except ArchiveError as exc:
        fail(str(exc))
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


EXPORT_COLUMNS = [
    "id",
    "canonical_url",
    "url",
    "source",
    "title",
    "authors",
    "published",
    "modified",
    "language",
    "section",
    "tags",
    "image",
    "description",
    "site_name",
    "word_count",
    "first_seen",
    "last_seen",
    "body",
]


def export_rows(db_path: str) -> Iterator[dict[str, Any]]:
    db = open_archive(db_path, create=False)
    cursor = db.execute(f"SELECT {', '.join(EXPORT_COLUMNS)} FROM articles ORDER BY id")
    for values in cursor:
        row = dict(zip(EXPORT_COLUMNS, values, strict=True))
        row["authors"] = json.loads(row["authors"] or "[]")
        row["tags"] = json.loads(row["tags"] or "[]")
        yield row


@cli.command()
@DB_OPTION
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8"), default="-")
def export(db_path: str, fmt: str, output: Any) -> None:
    """Stream every article as CSV or JSON lines (authors and tags joined by '; ' in CSV)."""
    try:
        rows = export_rows(db_path)
        if fmt == "jsonl":
            for row in rows:
                output.write(json.dumps(row, ensure_ascii=False) + "\n")
            return
        writer = csv.DictWriter(output, EXPORT_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {**row, "authors": "; ".join(row["authors"]), "tags": "; ".join(row["tags"])}
            )
    except ArchiveError as exc:
        fail(str(exc))


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
    "title", "authors", "published", "modified", "language", "section", "tags", "image",
    "description", "canonical_url", "site_name", "url", "body", "reason",
]  # fmt: skip


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--url", help="The URL the page was fetched from (resolves relative links).")
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl", "text"]), default="json")
def extract(paths: tuple[str, ...], url: str | None, fmt: str) -> None:
    """Extract the article from saved pages (.html, .html.gz, or folders of them)."""
    from scraper.extract import extract as extract_article

    results = []
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
        elif fmt == "text":
            click.echo(f"# {result['title'] or ''}\n\n{result['body']}\n")
        else:
            results.append(result)
    if fmt == "json":
        click.echo(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    cli()
