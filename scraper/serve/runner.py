"""Datasette on an archive, configured by the package's metadata.yml and search plugin.

metadata.yml names the database `archive`; Datasette names a database after its file, so
the table settings are re-keyed to the file actually served (`--db news.db` → `news`).
Tables nobody should browse (the search index, raw pages, LSH bands, the frontier) are
hidden by name.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import yaml
from datasette.app import Datasette
from datasette.plugins import pm

from scraper.serve import plugin

PACKAGE = Path(__file__).resolve().parent
METADATA = PACKAGE / "metadata.yml"
TEMPLATES = PACKAGE / "templates"
# Internals: the search index, raw pages (BLOBs), LSH bands, the crawl frontier.
HIDDEN_TABLES = re.compile(r"articles_fts|pages$|minhash_bands$|frontier$")
SETTINGS = {
    # An ordinary search must finish; a runaway custom SQL query must not hang the server.
    "sql_time_limit_ms": 3000,
    "facet_time_limit_ms": 1000,
    "allow_download": False,
    # A full CSV export arrives: no size cut (Datasette's default stops at 100 MB, quietly).
    "max_csv_mb": 0,
    "suggest_facets": False,
    "truncate_cells_html": 300,  # long bodies cut in the table grid, whole on the row page
}


def metadata_for(
    db_path: str | Path, *, password_hash: str | None = None, allow_sql: bool = True
) -> dict[str, Any]:
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    database = metadata["databases"].pop("archive")
    with sqlite3.connect(f"file:{Path(db_path)}?mode=ro", uri=True) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    for name in filter(HIDDEN_TABLES.match, names):
        database["tables"].setdefault(name, {})["hidden"] = True
    metadata["databases"][Path(db_path).stem] = database
    if not allow_sql:
        metadata["allow_sql"] = False
    if password_hash:
        metadata["plugins"] = {
            "datasette-auth-passwords": {
                "http_basic_auth": True,
                "reporter_password_hash": password_hash,
            }
        }
    return metadata


def make_datasette(
    db_path: str | Path, *, password: str | None = None, allow_sql: bool = True
) -> Datasette:
    """Datasette on the archive; with `password`, every request needs user `reporter`."""
    if not pm.is_registered(plugin):
        pm.register(plugin, name="newsarchive-search")
    password_hash = None
    if password:
        from datasette_auth_passwords.utils import hash_password

        # The hash lives only in this process, and HTTP Basic auth checks it on every
        # request: the plugin's default 480,000 rounds would add ~0.5 s to each page.
        password_hash = hash_password(password, iterations=10_000)
    return Datasette(
        [str(db_path)],
        metadata=metadata_for(db_path, password_hash=password_hash, allow_sql=allow_sql),
        settings=SETTINGS,
        template_dir=str(TEMPLATES),
    )


def serve(datasette: Datasette, *, host: str, port: int) -> None:
    """Run Datasette in the foreground until interrupted."""
    import uvicorn

    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning")
