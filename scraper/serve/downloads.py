"""Every CSV link of the archive's pages: every row, streamed, in the export's format.

`/-/csv/DB/NAME.csv?…` takes the query string of a table page (column filters, facet
selections, `_search`, `_sort`/`_sort_desc`) or of a canned query page (its parameters) and
streams every row it selects in one SQL statement on a read-only connection of its own:
no page size, no `max_returned_rows`, no time limit cutting it short.

- The articles table gives `newsarchive export`'s columns (pipelines.export.COLUMNS);
  `_all=1` gives every column. Any other table or canned query gives its own columns.
- List columns (authors, organizations, tags) are joined with "; ", as in the export.
- `_bom=1` starts the file with a UTF-8 byte order mark so Excel keeps Cyrillic intact.
"""

from __future__ import annotations

import asyncio
import csv
import io
import sqlite3
from typing import Any
from urllib.parse import urlencode

from datasette.filters import Filters
from datasette.plugins import pm
from datasette.utils import await_me_maybe, derive_named_parameters, escape_sqlite
from datasette.utils.asgi import AsgiStream, Response

from pipelines.export import BOM, COLUMNS, csv_values

ROUTE = r"^/-/csv/(?P<database>[^/]+)/(?P<name>[^/]+)\.csv$"
EXPORTED_TABLE = "articles"  # whose default columns are the export's
BATCH = 1000  # rows fetched and written at a time
# Page arguments a download does not take over: paging, and how the page is shown.
PAGE_ONLY = {"_next", "_size", "_stream", "_rank_page", "_facet", "_labels", "_nocount"}


def download_url(
    datasette: Any, request: Any, database: str, name: str, *, bom: bool = False,
    all_columns: bool = False,
) -> str:  # fmt: skip
    """The download of what this page shows (every row of it), for its CSV links."""
    args = [(k, v) for k in request.args if k not in PAGE_ONLY for v in request.args.getlist(k)]
    args += [("_all", "1")] if all_columns else []
    args += [("_bom", "1")] if bom else []
    path = datasette.urls.path(f"/-/csv/{database}/{name}.csv")
    return path + ("?" + urlencode(args) if args else "")


async def csv_download(datasette: Any, request: Any) -> Any:
    database, name = request.url_vars["database"], request.url_vars["name"]
    try:
        db = datasette.get_database(database)
    except KeyError:
        return Response.text("No such archive", status=404)
    actor = request.actor
    if name in await db.table_names() or name in await db.view_names():
        await datasette.ensure_permissions(
            actor, [("view-table", (database, name)), ("view-database", database), "view-instance"]
        )
        sql, params = await _table_sql(datasette, request, db, name)
    else:
        query = await datasette.get_canned_query(database, name, actor)
        if query is None:
            return Response.text("No such table or query", status=404)
        await datasette.ensure_permissions(
            actor, [("view-query", (database, name)), ("view-database", database), "view-instance"]
        )
        sql = query["sql"]
        names = await derive_named_parameters(db, sql)
        params = {n: request.args.get(n) or "" for n in names}
    conn = sqlite3.connect(f"file:{db.path}?mode=ro", uri=True, check_same_thread=False)
    pm.hook.prepare_connection(conn=conn, database=database, datasette=datasette)
    try:  # run before answering, so that a bad filter is an error page, not a cut file
        cursor = await asyncio.to_thread(conn.execute, sql, params)
    except sqlite3.Error as error:
        conn.close()
        return Response.text(f"Cannot download this: {error}", status=400)
    columns = [d[0] for d in cursor.description]

    async def stream(writer: Any) -> None:
        try:
            await writer.write((BOM if request.args.get("_bom") else "") + _lines([columns]))
            while batch := await asyncio.to_thread(cursor.fetchmany, BATCH):
                await writer.write(_lines(csv_values(columns, row) for row in batch))
        finally:
            conn.close()

    headers = {"content-disposition": f'attachment; filename="{name}.csv"'}
    return AsgiStream(stream, headers=headers, content_type="text/csv; charset=utf-8")


def _lines(rows: Any) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def column_filters(request: Any) -> list[tuple[str, str]]:
    """The page's column filters, sorted: Datasette's table view's rule for which
    arguments are filters."""
    return sorted(
        (k, v)
        for k in request.args
        if not (k.startswith("_") and "__" not in k)
        for v in request.args.getlist(k)
    )


def page_order(request: Any, metadata: dict[str, Any]) -> tuple[str | None, bool]:
    """The column a table page is sorted by (None: its key) and whether descending: its
    `_sort` or `_sort_desc`, else the table's metadata (Datasette refuses both at once)."""
    if sort := request.args.get("_sort"):
        return sort, False
    if sort_desc := request.args.get("_sort_desc") or metadata.get("sort_desc"):
        return sort_desc, True
    return metadata.get("sort"), False


async def _table_sql(datasette: Any, request: Any, db: Any, table: str) -> tuple[str, dict]:
    """The table page's selection (the same filters and plugin hooks as Datasette's table
    view), in the page's order, without its page size."""
    where, params = Filters(column_filters(request)).build_where_clauses(table)
    for hook in pm.hook.filters_from_request(
        request=request, table=table, database=db.name, datasette=datasette
    ):
        if arguments := await await_me_maybe(hook):
            where.extend(arguments.where_clauses)
            params.update(arguments.params)
    table_columns = await db.table_columns(table)
    if table == EXPORTED_TABLE and not request.args.get("_all"):
        selected = ", ".join(escape_sqlite(c) for c in COLUMNS)
    else:
        selected = ", ".join(escape_sqlite(c) for c in table_columns)
    column, desc = page_order(request, datasette.table_metadata(db.name, table))
    order = ""
    if column in table_columns:
        direction = " DESC" if desc else ""
        tie = "" if table in await db.view_names() else f", rowid{direction}"
        order = f" ORDER BY {escape_sqlite(column)}{direction}{tie}"
    condition = f" WHERE {' AND '.join(where)}" if where else ""
    return f"SELECT {selected} FROM {escape_sqlite(table)}{condition}{order}", params
