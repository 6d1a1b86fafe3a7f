"""Datasette on an archive, configured by the package's metadata.yml.

metadata.yml names the database `archive`; Datasette names a database after its file, so
the table settings are re-keyed to the file actually served (`--db news.db` → `news`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from datasette.app import Datasette

METADATA = Path(__file__).resolve().parent / "metadata.yml"
SETTINGS = {
    # An ordinary search must finish; a runaway custom SQL query must not hang the server.
    "sql_time_limit_ms": 3000,
    "allow_download": False,
}


def metadata_for(db_path: str | Path) -> dict[str, Any]:
    metadata = yaml.safe_load(METADATA.read_text(encoding="utf-8"))
    metadata["databases"] = {Path(db_path).stem: metadata["databases"]["archive"]}
    return metadata


def make_datasette(db_path: str | Path) -> Datasette:
    return Datasette([str(db_path)], metadata=metadata_for(db_path), settings=SETTINGS)


def serve(db_path: str | Path, *, host: str, port: int) -> None:
    """Run Datasette in the foreground until interrupted."""
    import uvicorn

    datasette = make_datasette(db_path)
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning")
