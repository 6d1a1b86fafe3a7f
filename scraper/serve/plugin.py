"""Datasette plugin: the articles table's search box speaks Russian, Ukrainian and English.

- `?_search=` on `articles` is rewritten into index terms (pipelines.textsearch) and matched
  against the contentless `articles_fts`; punctuation never reaches FTS5 as syntax.
- Without an explicit sort, the HTML page ranks by bm25, and its next/previous links reach
  the last match. To keep a common word fast on a million articles, matches are ranked in
  tiers of `SEARCH_DEPTH`, newest first (FTS5 walks its rowids newest first): the first
  pages rank the 1,000 newest, the pages after them the 1,000 before, and so on, so any
  page scores 1,000 matches, not all of them (`_ranked`). Its facets count the
  `FACET_DEPTH` newest. The page says how it is ordered.
- Sorted by date (or any column), or narrowed by a column filter, the HTML page is
  Datasette's own, and its "Next page" links walk every match: its rows, count and facets
  read a window of `FACET_DEPTH` matches from the page's cursor on, in its order, found once
  per page (`_window`), so a deep page costs what the first does. The facets count that
  window, and the page says so. The heading always gives the total. JSON and CSV get every
  match, so an export is never cut.
- The authors and tags facets are Datasette's array facet narrowed to the lists
  (`list:` in metadata.yml, ListFacet), so a source's facets all come from schema 8's
  index, not from its rows.
- Each result shows a snippet of its own text with the matches highlighted.
- An article's row page shows headline, metadata and paragraphs (templates/row.html).
- Every CSV link (tables, facet selections, searches, canned queries) is a download of
  every row in the export's format, with a "CSV for Excel" link beside it (downloads.py).
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import zlib
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl, urlencode

from datasette import hookimpl
from datasette.facets import ArrayFacet
from datasette.filters import FilterArguments, Filters
from datasette.utils import escape_sqlite, urlsafe_components
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from pipelines.export import LISTS
from pipelines.textsearch import (
    FTS_TABLE,
    FTS_WEIGHTS,
    QUERY_FUNCTION,
    fts_query,
    register_functions,
    snippet,
)
from scraper.serve.diff import compare, edit_summary
from scraper.serve.downloads import (
    ROUTE,
    column_filters,
    csv_download,
    download_url,
    page_order,
)
from scraper.serve.feed import names, render_atom
from scraper.serve.reading import layout

TABLE = "articles"
PLUGIN = "newsarchive-search"  # the name runner.py registers this module under
SEARCH_DEPTH = 1000  # matches an HTML search page ranks at once (a tier)
# Matches an HTML search page facets (its window). Datasette's count, rows and
# six facet queries each read every one of them: ~35 µs of server CPU a match and page. A
# common word in 1M generated articles: 118 ms of CPU a page at 2,500, 198 at 5,000 (and
# 385 at 10,000 in 200k), so 2,500 keeps a page inside the 200 ms target.
FACET_DEPTH = 2_500
RANKED_RESULTS = 50  # shown on the ranked page; "sort by date" pages through the rest
MANY_MATCHES = 10_000  # from here an API or CSV search walks the date index, not the matches
SORT_ARGS = ("_sort", "_sort_desc")


HITS_FUNCTION = "newsarchive_hits"
TOTAL_FUNCTION = "newsarchive_hits_total"
WINDOW_FUNCTION = "newsarchive_window"


@hookimpl
def prepare_connection(conn: sqlite3.Connection, database: str, datasette: Any) -> None:
    register_functions(conn)
    archive = datasette.databases.get(database)  # none for Datasette's own "_memory"
    hits = _HITS.setdefault(getattr(archive, "path", None) or database, _Hits())
    seen: dict[str, int] = {}  # this connection's data version and the cache's generation

    def entry(total: bool, *args: str) -> list[Any]:
        return hits.entry(conn, seen, total, *args)

    conn.create_function(HITS_FUNCTION, 4, lambda *args: entry(False, *args)[0])
    conn.create_function(TOTAL_FUNCTION, 4, lambda *args: entry(True, *args)[1])
    conn.create_function(WINDOW_FUNCTION, 5, lambda *args: hits.window(conn, seen, *args))
    # (old title, old body, new title, new body) -> "headline changed, 2 paragraphs changed"
    conn.create_function("newsarchive_edit_summary", 4, edit_summary, deterministic=True)


class _Hits:
    """A search's FACET_DEPTH newest matching rowids within a source and dates (each ''
    for any), as JSON (`newsarchive_hits(search, source, date_from, date_to)`), and their
    total (`newsarchive_hits_total(…)`), found once for all connections to an archive.

    A search page runs about ten queries over the same matches (rows, count, six facets,
    ranking) on Datasette's several connections at once: FTS5 finds them once per page,
    not once per query or connection; the others wait for it. Each connection's PRAGMA
    data_version says whether another connection (a crawl) has committed since it last
    asked; the first to see that, or to ask at all, empties the cache (a new generation),
    so a commit is seen at once.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.cache: dict[tuple[str, ...], list[Any]] = {}
        self.generation = 0

    def lookup(
        self, conn: sqlite3.Connection, seen: dict[str, int], key: tuple[str, ...], compute: Any
    ) -> list[Any]:
        """The cached value for `key`, or `compute()`'s, kept unless a commit came between."""
        version = conn.execute("PRAGMA data_version").fetchone()[0]
        with self.lock:
            moved = seen.get("version") != version
            # Emptied by another connection since this one last asked: this one's query
            # may have begun before the commit that did it, so what it finds is not kept.
            keep = moved or seen.get("generation") == self.generation
            if moved:
                self.cache.clear()
                self.generation += 1
            elif len(self.cache) >= 16:
                self.cache.clear()
            seen.update(version=version, generation=self.generation)
            found = self.cache.get(key)
            if found is None:
                found = compute()
                if keep:
                    self.cache[key] = found
            return found

    def entry(
        self, conn: sqlite3.Connection, seen: dict[str, int], total: bool, *key: str
    ) -> list[Any]:
        """[newest rowids as JSON, total (None until counted)]; with `total`, counted."""
        search, *scoped = key
        scope = dict(zip(("source", "date_from", "date_to"), scoped, strict=True))
        params = {"search": search, **scope}
        found = self.lookup(conn, seen, key, lambda: _newest(conn, scope, params))
        with self.lock:
            if total and found[1] is None:  # FTS5 walks on past the newest to count the rest
                sql = f"SELECT count(*) FROM ({_matches_sql(None, scope)})"
                found[1] = conn.execute(sql, params).fetchone()[0]
        return found

    def window(self, conn: sqlite3.Connection, seen: dict[str, int], *key: str) -> str:
        """A date-sorted page's window (`newsarchive_window(…)`, see _window), as JSON."""
        search, source, date_from, date_to, spec = key
        scope = {"source": source, "date_from": date_from, "date_to": date_to}
        found = self.lookup(
            conn, seen, ("window", *key), lambda: [_window(conn, search, scope, json.loads(spec))]
        )
        return found[0]


_HITS: dict[str, _Hits] = {}  # by archive file


def _newest(conn: sqlite3.Connection, scope: dict[str, str], params: dict[str, str]) -> list[Any]:
    """The FACET_DEPTH newest matches, and their total when it is known."""
    if scope["source"]:
        # A source's matches are few enough to count in the same walk (one materialization
        # of FTS5's matches, not two); a wide date range's are not (300k: 0.5 s against
        # 0.36 s for the newest and a count apart).
        rows = conn.execute(_matches_sql(FACET_DEPTH, scope, counted=True), params).fetchall()
        return [json.dumps([r[0] for r in rows]), rows[0][1] if rows else 0]
    rows = conn.execute(_matches_sql(FACET_DEPTH, scope), params).fetchall()
    return [json.dumps([r[0] for r in rows]), len(rows) if len(rows) < FACET_DEPTH else None]


def _searching(request: Any, table: str | None) -> str | None:
    """The search text, when this is a search of the articles table."""
    if table != TABLE or request is None:
        return None
    return request.args.get("_search") or None


def _is_html(request: Any) -> bool:
    return not request.path.endswith((".json", ".csv"))


# The search form's source picker and date range (request arg -> SQL parameter). The
# picker is `_source`, so that "any source" (empty) is no Datasette filter `source = ''`;
# a source chosen in the facet (`source=`) is the same scope.
SCOPE_ARGS = {"_source": "source", "_from": "date_from", "_to": "date_to"}
# Both ends of the date range are included, as everywhere in newsarchive.
DATE_FROM = "published_utc >= :date_from"
DATE_TO = "published_utc < date(:date_to, '+1 day')"
SCOPE_CONDITIONS = {"source": "source = :source", "date_from": DATE_FROM, "date_to": DATE_TO}


def _conditions(scope: dict[str, str] | None) -> list[str]:
    return [SCOPE_CONDITIONS[param] for param, value in (scope or {}).items() if value]


def _scope(request: Any) -> dict[str, str]:
    """The chosen source and dates (YYYY-MM-DD; anything else is ignored), '' for any."""
    scope = {param: request.args.get(arg) or "" for arg, param in SCOPE_ARGS.items()}
    scope["source"] = scope["source"] or request.args.get("source") or ""
    for param in ("date_from", "date_to"):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", scope[param]):
            scope[param] = ""
    return scope


def _matches_sql(
    depth: int | None,
    scope: dict[str, str] | None = None,
    *,
    counted: bool = False,
    offset: int = 0,
) -> str:
    """The rowids of the search's matches (newest first, `depth` of them after the
    `offset` newest, when given), within the scope's source and dates when given;
    `counted`: with the scope's total beside each (the same walk of the matches, all of
    which it sorts)."""
    matches = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH {QUERY_FUNCTION}(:search)"
    conditions = _conditions(scope)
    limit = f" LIMIT {depth} OFFSET {offset}" if depth else ""
    if not conditions:
        return matches + (f" ORDER BY rowid DESC{limit}" if depth else "")
    # The source's or dates' index finds their articles, looked up among FTS5's matches
    # (one walk of the matches, not one article lookup per match).
    total = ", count(*) OVER ()" if counted else ""
    where = f"{' AND '.join(conditions)} AND id IN ({matches})"
    return f"SELECT id{total} FROM articles WHERE {where}" + (
        f" ORDER BY id DESC{limit}" if depth else ""
    )


NEWEST_HITS = (
    f"SELECT value FROM json_each({HITS_FUNCTION}(:search, :source, :date_from, :date_to))"
)


@hookimpl(trylast=True)  # after Datasette's own search filter, whose context it overrides
def filters_from_request(
    request: Any, database: str, table: str, datasette: Any
) -> FilterArguments | Callable | None:
    if table != TABLE:
        return None
    search = _searching(request, table)
    scope = _scope(request)
    context = {"supports_search": True, "search": search or "", "search_scope": scope}
    # A source chosen in the facet (`source=`) is Datasette's own filter already.
    dates = _scope_filter(scope if request.args.get("_source") else {**scope, "source": ""})
    if search is None:
        return FilterArguments(
            dates.where_clauses,
            params=dates.params,
            human_descriptions=dates.human_descriptions,
            extra_context=context,
        )
    if _is_html(request):
        if _ranks(request, scope):  # the ranked page: rows of its own, facets the newest
            return _search_filter(f"id IN ({NEWEST_HITS})", search, scope, dates, context)
        # A date-sorted page: its rows, count and facets read the window from its cursor on.
        spec = _window_spec(request, datasette.table_metadata(database, TABLE))
        found = _search_filter(f"id IN ({PAGE_WINDOW})", search, scope, dates, context)
        found.params["window"] = spec
        return found

    async def every_match() -> FilterArguments:
        # JSON and CSV get every match, in the requested order.
        db = datasette.get_database(database)
        many = (await db.execute(MANY_SQL, {"search": search})).first()[0] >= MANY_MATCHES
        where = _every_match(many)
        return _search_filter(where, search, scope, dates, context)

    return every_match


MANY_SQL = f"SELECT count(*) FROM ({_matches_sql(MANY_MATCHES)})"


def _every_match(many: bool) -> str:
    """Every match of the search; with `many` ("+id"), SQLite walks the sort column's index
    and looks each row up among them, stopping once the page is full, rather than fetching
    and sorting every match (300k rows: 4.6 s, past the time limit)."""
    return f"{'+id' if many else 'id'} IN ({_matches_sql(None)})"


PAGE_WINDOW = (
    f"SELECT value FROM json_each("
    f"{WINDOW_FUNCTION}(:search, :source, :date_from, :date_to, :window))"
)


def _ranks(request: Any, scope: dict[str, str]) -> bool:
    """Whether this search page is ranked by relevance (templates/_table.html's own rows)."""
    explicit_sort = any(request.args.get(a) for a in SORT_ARGS)
    return not explicit_sort and _rankable(request, scope)


def _rankable(request: Any, scope: dict[str, str]) -> bool:
    """Whether the search may be ranked: not narrowed to a source or a column value."""
    return not _filtered(request) and not scope["source"]


def _window_spec(request: Any, metadata: dict[str, Any]) -> str:
    """What a date-sorted page's window depends on, as JSON: its sort, Datasette's cursor
    (`_next`: the last row's sort value and id) and its column filters."""
    column, desc = page_order(request, metadata)
    after = None
    if cursor := request.args.get("_next"):
        parts = urlsafe_components(cursor)
        if len(parts) > 1 and column:
            after = [None if cursor.split(",")[0] == "$null" else parts[0], parts[1]]
        else:
            after = [parts[0], parts[0]]  # sorted by id: the id is the sort value
    spec = {"sort": column or "id", "desc": desc, "after": after}
    return json.dumps({**spec, "filters": column_filters(request)}, ensure_ascii=False)


def _window(
    conn: sqlite3.Connection, search: str, scope: dict[str, str], spec: dict[str, Any]
) -> str:
    """A date-sorted page's window: the FACET_DEPTH matches from its cursor on, in the page's
    order, within its scope and column filters, as JSON rowids.

    Datasette's rows (the first page size of them), count and facets all read these, so
    the page costs what the first one does however deep it is, while its "next" link walks
    on through every match. The sort column's index walks from the cursor: a seek (`<=`),
    not a scan from the top."""
    filters, params = Filters(spec["filters"]).build_where_clauses(TABLE)
    params.update(search=search, **scope)
    many = conn.execute(MANY_SQL, params).fetchone()[0] >= MANY_MATCHES
    matched = [*_conditions(scope), *filters, _every_match(many)]
    parts = []
    for condition, order in _segments(spec["sort"], spec["desc"], spec["after"], params):
        where = " AND ".join([condition, *matched])
        parts.append(
            f"SELECT * FROM (SELECT id FROM articles WHERE {where} "
            f"ORDER BY {order} LIMIT {FACET_DEPTH})"
        )
    sql = " UNION ALL ".join(parts) + f" LIMIT {FACET_DEPTH}"
    return json.dumps([row[0] for row in conn.execute(sql, params)])


def _segments(
    column: str, desc: bool, after: list[Any] | None, params: dict[str, Any]
) -> list[tuple[str, str]]:
    """(condition, order) for each run of the page's order from the cursor on, as
    Datasette's keyset paging has it: ties by id, NULLs after the values when descending
    and before them when ascending."""
    col = escape_sqlite(column)
    values = (f"{col} IS NOT NULL", f"{col}{' DESC' if desc else ''}, id")
    nulls = (f"{col} IS NULL", "id")
    if after is None:
        return [values, nulls] if desc else [nulls, values]
    params.update(after_value=after[0], after_id=after[1])
    if after[0] is None:  # the cursor is among the NULLs
        among = (f"{col} IS NULL AND id > :after_id", "id")
        return [among] if desc else [among, values]
    op = "<" if desc else ">"
    past = f"{col} {op}= :after_value AND ({col} {op} :after_value OR id > :after_id)"
    return [(past, values[1]), nulls] if desc else [(past, values[1])]


def _scope_filter(scope: dict[str, str]) -> FilterArguments:
    """The source and date range as conditions, so that pages, facets, CSV and feeds keep
    to them."""
    said = {
        "source": "source is {}",
        "date_from": "published from {}",
        "date_to": "published until {} (included)",
    }
    return FilterArguments(
        _conditions(scope),
        params={param: value for param, value in scope.items() if value},
        human_descriptions=[said[param].format(value) for param, value in scope.items() if value],
    )


def _search_filter(
    where: str,
    search: str,
    scope: dict[str, str],
    dates: FilterArguments,
    context: dict[str, Any],
) -> FilterArguments:
    return FilterArguments(
        [where, *dates.where_clauses],
        params={"search": search, **scope},
        human_descriptions=[f'search matches "{search}"', *dates.human_descriptions],
        extra_context=context,
    )


@hookimpl
def extra_template_vars(
    template: str,
    view_name: str,
    table: str | None,
    database: str | None,
    columns: list[str] | None,
    request: Any,
    datasette: Any,
) -> Any:
    if view_name == "row" and table == TABLE:
        return _article_vars(request, database, datasette)
    query_page = template.startswith("query")  # a canned query or SQL
    if view_name != "table" and not query_page:
        return None
    name = table or request.url_vars.get("table")  # a table, or a canned query (no table)
    if name is None:  # SQL typed in: Datasette's own CSV link
        return _query_vars(datasette, database, {})
    # Every CSV link of the page, Datasette's own "CSV" among them: every row, streamed.
    downloads = {
        key: download_url(datasette, request, database, name, bom=bom, all_columns=every)
        for key, bom, every in (
            ("csv_url", False, False),
            ("excel_url", True, False),
            ("all_columns_url", False, True),
            ("all_columns_excel_url", True, True),
        )
    }
    url_csv_path, _, query = downloads["csv_url"].partition("?")
    downloads.update(  # Datasette's "CSV" link and its "Advanced export" form
        url_csv=downloads["csv_url"],
        url_csv_path=url_csv_path,
        url_csv_hidden_args=parse_qsl(query, keep_blank_values=True),
    )
    if name != TABLE:
        return _query_vars(datasette, database, downloads) if query_page else downloads
    values: dict[str, Any] = _default_columns(request, datasette, database, columns)
    explicit_sort = any(request.args.get(a) for a in SORT_ARGS)
    # The default date order is not shown as chosen in the sort form: submitting the search
    # box would otherwise send it back as an explicit sort, and the search would not rank.
    if not explicit_sort:
        values.update(sort=None, sort_desc=None)
    values.update(downloads, facets_below=True)  # templates/_table.html: facets after results
    search = _searching(request, table)
    scope = _scope(request)

    async def table_vars() -> dict[str, Any]:
        db = datasette.get_database(database)
        values.update(search_scope=scope, search_sources=await _sources(db))
        if search is None:
            return values
        query = fts_query(search)
        total = 0
        if query:
            sql = f"SELECT {TOTAL_FUNCTION}(:search, :source, :date_from, :date_to)"
            total = (await db.execute(sql, {"search": search, **scope})).first()[0]
        values.update(
            search_total=total,
            search_depth=SEARCH_DEPTH,
            facet_depth=FACET_DEPTH,
            # With a facet selected, Datasette's count of the page is the heading's.
            search_filtered=_column_filtered(request),
            search_snippet=lambda text: Markup(snippet(text, search)),
            article_authors=lambda row: names(row["authors"]) if "authors" in row else [],
            article_path=lambda pk: datasette.urls.row(database, TABLE, pk),
            feed_url=_feed_url(request, datasette, database),
        )
        if not values["search_filtered"]:  # Datasette counted FACET_DEPTH at most
            values["filtered_table_rows_count"] = total
        values["rankable"] = _rankable(request, scope)
        if _ranks(request, scope) and query:
            values["ranked_rows"], ranked = await _ranked(db, search, scope, _page(request))
            # Datasette's pager walks the date order; ranked pages have their own.
            values["next_url"] = None
            for link in ("previous", "next"):
                if ranked[link] is not None:
                    ranked[link] = _page_url(request, ranked[link])
            values["ranked_pages"] = ranked
            within = _scope_filter(scope).human_descriptions
            values["human_description_en"] = (
                f'where search matches "{search}"{"".join(", " + w for w in within)}, by relevance'
            )
        return values

    return table_vars


def _query_vars(datasette: Any, database: str | None, values: dict[str, Any]) -> Callable:
    """A query page's links, and the archive's sources for its source drop-down."""

    async def query_vars() -> dict[str, Any]:
        db = datasette.get_database(database)
        if not await db.table_exists(TABLE):
            return values
        return {**values, "source_choices": await _sources(db)}

    return query_vars


async def _sources(db: Any) -> list[str]:
    """Every source in the archive, for the source picker: one index probe per source
    (a DISTINCT would read the whole index on a million articles)."""
    sql = """
        WITH RECURSIVE s(name) AS (
          SELECT min(source) FROM articles
          UNION ALL SELECT (SELECT min(source) FROM articles WHERE source > s.name) FROM s
          WHERE s.name IS NOT NULL
        ) SELECT name FROM s WHERE name IS NOT NULL"""
    return [row[0] for row in (await db.execute(sql)).rows]


def _default_columns(
    request: Any, datasette: Any, database: str, columns: list[str] | None
) -> dict[str, Any]:
    """The table page's own columns (metadata.yml: the plugin's `columns` for the table),
    until the user picks some with Datasette's `_col` / `_nocol`; and a link to them all."""
    if any(key in request.args for key in ("_col", "_nocol")) or not columns:
        return {}
    config = datasette.plugin_config(PLUGIN, database=database, table=TABLE) or {}
    if not config.get("columns"):
        return {}
    every = [(k, v) for k in request.args for v in request.args.getlist(k)]
    every += [("_col", column) for column in columns]
    return {
        "default_columns": config["columns"],
        "every_column_url": request.path + "?" + urlencode(every),
    }


def facets_in_order(
    facets: list[dict[str, Any]], configured: list[str | dict[str, str]] | None
) -> list[dict[str, Any]]:
    """Template filter: facets in the order metadata.yml lists them (others after, by
    name), not Datasette's by number of values, which moves them about from page to page;
    a date facet's days newest first, not by count."""
    order = [f if isinstance(f, str) else next(iter(f.values())) for f in configured or []]

    def place(facet: dict[str, Any]) -> tuple[int, str]:
        name = facet["name"]
        return (order.index(name) if name in order else len(order), name)

    ordered = []
    for facet in sorted(facets, key=place):
        if facet["type"] == "date":
            days = sorted(facet["results"], key=lambda r: str(r["value"]), reverse=True)
            facet = {**facet, "results": days}
        ordered.append(facet)
    return ordered


def in_order(items: list[dict[str, Any]], names: list[str], key: str) -> list[dict[str, Any]]:
    """Template filter: the columns (key "name") or a row's cells (key "column") named in
    `names`, in that order."""
    found = {item[key]: item for item in items}
    return [found[name] for name in names if name in found]


RANK_PAGE = "_rank_page"  # which page of ranked results, from 0
MAX_RANK_PAGE = 10_000_000  # past any archive's last page; keeps the SQL offset an integer


def _page(request: Any) -> int:
    value = request.args.get(RANK_PAGE, "")
    return min(int(value), MAX_RANK_PAGE) if value.isdigit() and len(value) < 9 else 0


def _page_url(request: Any, page: int) -> str:
    args = [(k, v) for k in request.args if k != RANK_PAGE for v in request.args.getlist(k)]
    return request.path + "?" + urlencode(args + ([(RANK_PAGE, str(page))] if page else []))


def _filtered(request: Any) -> bool:
    """Column filters narrow the date-sorted table page; ranking covers a plain search,
    within dates or not. Not within a source: its newest matches are spread over the
    whole index, and bm25 would score every match between them (seconds at 1M)."""
    return any(not key.startswith("_") for key in request.args)


def _column_filtered(request: Any) -> bool:
    """Whether a column filter narrows the search: a source alone is its scope, whose
    total the heading gives."""
    return any(not key.startswith("_") and key != "source" for key in request.args)


# An article's copies. Where no article has a copy yet (every duplicate_of NULL), SQLite's
# statistics make the index look useless and it would scan the table for each result.
COPIES = "articles c INDEXED BY idx_articles_duplicate_of"

# bm25 with the FTS columns' weights (title > lead, byline, tags > body).
RANK = f"bm25({', '.join(map(str, FTS_WEIGHTS))})"


async def _ranked(
    db: Any, search: str, scope: dict[str, str], page: int
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """One page of ranked results, and where it sits: its number, the matches its tier
    holds (first and last, counted newest first) and the previous and next pages.

    Matches are ranked in tiers of SEARCH_DEPTH, newest first: pages 0 to
    ⌈SEARCH_DEPTH / RANKED_RESULTS⌉ - 1 rank the SEARCH_DEPTH newest by bm25, the next pages
    the SEARCH_DEPTH before them, and so on to the oldest. FTS5 walks its rowids newest
    first to the tier (without ranking what it passes), and the tier's rowid band is pushed
    into FTS5, so bm25 scores SEARCH_DEPTH matches on any page, not every match (300k for
    a common word in a million articles).

    A syndicated copy never outranks its original: a tier's matches are grouped by original
    (duplicate_of, else the article itself), and each group shows the original, at the
    rank of its best match, with the other sources that published it.
    """
    per_tier = -(-SEARCH_DEPTH // RANKED_RESULTS)  # pages a full tier may take
    tier, within = divmod(page, per_tier)
    params: dict[str, Any] = {"search": search, **scope}
    newest_first = _matches_sql(SEARCH_DEPTH + 1, scope, offset=tier * SEARCH_DEPTH)
    ids = [row[0] for row in (await db.execute(newest_first, params)).rows]
    older, ids = len(ids) > SEARCH_DEPTH, ids[:SEARCH_DEPTH]
    where = {"number": page + 1, "first": tier * SEARCH_DEPTH + 1, "last": tier * SEARCH_DEPTH}
    where.update(tier=tier, per_tier=per_tier, previous=None, next=None, start=1)
    if not ids:
        return [], where
    params.update(tier=json.dumps(ids), low=ids[-1], high=ids[0])
    sql = """SELECT count(DISTINCT coalesce(duplicate_of, id)) FROM articles
        WHERE id IN (SELECT value FROM json_each(:tier))"""
    groups = (await db.execute(sql, params)).first()[0]
    pages = -(-groups // RANKED_RESULTS)
    within = min(within, pages - 1)  # a tier of fewer groups (copies) has fewer pages
    page = tier * per_tier + within
    # Within dates, the band holds other matches too: only the tier's are kept.
    sql = f"""
        WITH ranked AS MATERIALIZED (
            SELECT rowid, rank AS score FROM {FTS_TABLE}
            WHERE {FTS_TABLE} MATCH {QUERY_FUNCTION}(:search) AND rank MATCH '{RANK}'
              AND rowid >= :low AND rowid <= :high
        ), groups AS (
            SELECT coalesce(a.duplicate_of, a.id) AS root, min(ranked.score) AS best
            FROM ranked JOIN articles a ON a.id = ranked.rowid
            WHERE ranked.rowid IN (SELECT value FROM json_each(:tier))
            GROUP BY root ORDER BY best, root LIMIT :limit OFFSET :offset
        )
        SELECT a.id, a.title, a.source, a.published, a.language, a.authors, a.body,
          (SELECT group_concat(c.source, ', ') FROM {COPIES} WHERE c.duplicate_of = a.id)
            AS also_in
        FROM groups JOIN articles a ON a.id = groups.root ORDER BY groups.best, groups.root
    """
    params.update(limit=RANKED_RESULTS, offset=within * RANKED_RESULTS)
    results = [dict(row) for row in (await db.execute(sql, params)).rows]
    where.update(number=page + 1, last=tier * SEARCH_DEPTH + len(ids))
    where["start"] = tier * SEARCH_DEPTH + within * RANKED_RESULTS + 1
    if within + 1 < pages:
        where["next"] = page + 1
    elif older:
        where["next"] = (tier + 1) * per_tier
    if page:  # from a tier's first page: the previous tier's last (a shorter tier's, there)
        where["previous"] = page - 1
    return results, where


# A feed shows entries only: Datasette need not count the matches or facet them for it.
FEED_ARGS = ("_nofacet", "_nocount")


def _feed_url(request: Any, datasette: Any, database: str) -> str:
    """This search as an Atom feed: the same query, filters and dates, newest first."""
    dropped = {"_next", "_size", "_sort", "_sort_desc", RANK_PAGE, *FEED_ARGS}
    args = [(k, v) for k in request.args if k not in dropped for v in request.args.getlist(k)]
    args += [(key, "1") for key in FEED_ARGS]
    path = datasette.urls.table(database, TABLE, format="atom") + "?" + urlencode(args)
    return datasette.absolute_url(request, path)


def _article_vars(request: Any, database: str, datasette: Any) -> Any:
    async def article_vars() -> dict[str, Any]:
        pk = request.url_vars.get("pks")
        db = datasette.get_database(database)
        row = (await db.execute("SELECT * FROM articles WHERE id = ?", [pk])).first()
        if row is None:
            return {}
        article = dict(row)
        article["authors"] = names(article["authors"])
        article["tags"] = names(article["tags"])
        article["lead"], article["blocks"] = layout(
            article["description"], article["body"], article["body_html"]
        )
        related = "SELECT id, source, title, published FROM "
        original = None
        if article["duplicate_of"] is not None:
            sql = related + "articles WHERE id = ?"
            original = (await db.execute(sql, [article["duplicate_of"]])).first()
        sql = related + f"{COPIES} WHERE c.duplicate_of = ? ORDER BY c.id"
        copies = (await db.execute(sql, [pk])).rows
        return {
            "article": article,
            "original": original,
            "copies": copies,
            "versions": await _versions(db, article),
            "article_path": lambda id_: datasette.urls.row(database, TABLE, id_),
            "raw_path": lambda page: datasette.urls.path(f"/-/raw/{database}/{page}"),
        }

    return article_vars


async def _versions(db: Any, article: dict[str, Any]) -> list[dict[str, Any]]:
    """Every text the crawler saw, oldest first, each with what changed from the one before
    and the raw page it came from (its `pages` id, when kept)."""
    sql = """
        SELECT v.version, v.fetched_at, v.title, v.body,
          (SELECT id FROM pages p WHERE p.article_id = v.article_id AND p.raw_hash = v.raw_hash)
            AS page
        FROM article_versions v WHERE v.article_id = ? ORDER BY v.version
    """
    older = [dict(r) for r in (await db.execute(sql, [article["id"]])).rows]
    page = await db.execute(
        "SELECT id FROM pages WHERE article_id = ? AND raw_hash = ?",
        [article["id"], article["raw_hash"]],
    )
    current = {key: article[key] for key in ("version", "fetched_at", "title", "body")}
    versions = [*older, {**current, "page": (page.first() or [None])[0]}]
    for before, after in zip(versions, versions[1:], strict=False):
        after["change"] = compare(before["title"], before["body"], after["title"], after["body"])
    return versions


def human_date(value: str | None) -> str:
    """ISO 8601 as people read it: "5 Dec 2023, 14:37 (UTC+2)"; other text unchanged."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    text = f"{moment.day} {moment:%b %Y}"
    if "T" in value or " " in value.strip():
        text += f", {moment:%H:%M}"
    if (offset := moment.utcoffset()) is not None:
        minutes = int(offset.total_seconds() // 60)
        sign, minutes = ("+" if minutes >= 0 else "-"), abs(minutes)
        zone = f"{sign}{minutes // 60}" + (f":{minutes % 60:02d}" if minutes % 60 else "")
        text += f" (UTC{zone if minutes else ''})"
    return text


# Times shown as people read them, in the table and in query results about articles.
DATES = ("published", "published_utc", "modified", "modified_utc", "first_seen", "last_seen",
         "edited", "edited_at", "old_fetched_at")  # fmt: skip


@hookimpl
def render_cell(
    row: Any, value: Any, column: str, table: str | None, database: str, datasette: Any
) -> Any:
    """The articles table reads as a list of articles: headlines link to the article, names
    and tags are comma-separated, dates human. In query results about articles (they carry
    canonical_url), ids link to the article."""
    # keys(): `in` on an sqlite3.Row looks at its values
    article_row = table is None and "canonical_url" in row.keys()  # noqa: SIM118
    if (table == TABLE or article_row) and column in DATES and isinstance(value, str):
        return human_date(value)
    if table == TABLE and isinstance(value, str):
        if column in LISTS:
            return ", ".join(names(value)) or Markup("&nbsp;")
        if column == "title" and "id" in row.keys():  # noqa: SIM118
            href = datasette.urls.row(database, TABLE, row["id"])
            return Markup('<a href="{}">{}</a>').format(href, value)
    if article_row and column in ("id", "article_id") and isinstance(value, int):
        href = datasette.urls.row(database, TABLE, value)
        return Markup('<a href="{}">{}</a>').format(href, value)
    if article_row and column == "snippet" and isinstance(value, str):
        # newsarchive_snippet marks the matches [so] for CSV; here, as on the search page.
        return Markup(SNIPPET_MARK.sub(r"<mark>\1</mark>", str(escape(value))))
    return None


SNIPPET_MARK = re.compile(r"\[([^\[\]]+)\]")


@hookimpl
def prepare_jinja2_environment(env: Any) -> None:
    env.filters["human_date"] = human_date
    env.filters["in_order"] = in_order
    env.filters["facets_in_order"] = facets_in_order


class ListFacet(ArrayFacet):
    """Datasette's array facet (`- list: authors` in metadata.yml), reading only the list
    columns and the row's key.

    The array facet removes repeats within a row with `SELECT DISTINCT j.value, inner.*`:
    every column of every row selected, the bodies too, into a temporary B-tree (627 ms
    for a source's 25,000 articles in a 1M archive). Narrowed to the key and the lists,
    the same query counts the same rows from the source's index alone (~20 ms).
    """

    type = "list"

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        db = self.ds.get_database(self.database)
        key = await db.primary_keys(self.table) if self.table else []
        lists = [c["config"].get("column") or c["config"]["simple"] for c in self.get_configs()]
        if key and lists:
            columns = ", ".join(map(escape_sqlite, [*key, *lists]))
            self.sql = f"SELECT {columns} FROM ({self.sql})"
        return await super().facet_results()


@hookimpl
def register_facet_classes() -> list[type]:
    return [ListFacet]


@hookimpl
def register_output_renderer() -> dict[str, Any]:
    return {
        "extension": "atom",
        "render": render_atom,
        "can_render": lambda table: table == TABLE,
    }


@hookimpl
def register_routes() -> list[tuple[str, Callable]]:
    return [
        (r"^/-/raw/(?P<database>[^/]+)/(?P<page>[0-9]+)$", raw_page),
        (ROUTE, csv_download),
    ]


async def raw_page(datasette: Any, request: Any) -> Response:
    """A captured page exactly as the site served it, as a download: never rendered here,
    since its scripts would run on the archive's origin."""
    database, page = request.url_vars["database"], request.url_vars["page"]
    try:
        db = datasette.get_database(database)
    except KeyError:
        return Response.text("No such archive", status=404)
    sql = "SELECT article_id, fetched_at, raw FROM pages WHERE id = ?"
    row = (await db.execute(sql, [int(page)])).first()
    if row is None or row["raw"] is None:
        return Response.text("No such captured page", status=404)
    stamp = re.sub(r"[^0-9T]", "", row["fetched_at"] or "")[:15]
    name = f"article-{row['article_id']}-{stamp or 'page'}.html"
    return Response(
        zlib.decompress(row["raw"]),
        content_type="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
        },
    )
