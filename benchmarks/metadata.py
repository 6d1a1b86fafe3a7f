"""Per-field accuracy of metadata extraction, and coverage on real pages.

    python benchmarks/metadata.py                 # the test set in tests/fixtures/metadata
    python benchmarks/metadata.py --wcxb ../shared/datasets/wcxb-articles
    python benchmarks/metadata.py --aeb ../shared/datasets/aeb --show 20

The test set (plus the seed page and the cyrillic-dev pages when ../shared is there) has
expected values, so each field gets an accuracy: the share of pages where the extracted
value equals the expected one exactly. The AEB pages have no metadata ground truth, so
for them the script counts how many get a title and a published date at all, and with
`--show` prints what was found on the first N pages, for reading by hand.

With `--wcxb`, ours, trafilatura and htmldate run on the same WCXB pages (each given the
page's URL); the shared scorer `../shared/eval/score_wcxb.py`, unchanged, judges title,
author and publication day, reported for half A (tuning) and half B (held out) of the
`benchmarks/halves.py` split. Speed is CPU time (`time.process_time`) per tool: ours is the
whole `extract()`, trafilatura its whole extraction with metadata, htmldate `find_date`
alone. `--misses FIELD` lists our misses on half A only: tuning never looks at half B.
`--date-audit` counts, per half, the day misses where the page itself disagrees with the
gold (all three tools agree on another day that the page declares, or the gold's day is
written nowhere in the page): the best day score the data allows.
"""

from __future__ import annotations

import argparse
import calendar
import gzip
import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import lxml.etree  # noqa: E402
import lxml.html  # noqa: E402

import demo  # noqa: E402
from benchmarks.halves import half  # noqa: E402
from scraper.extract import extract  # noqa: E402
from scraper.extract.dates import parse_date  # noqa: E402
from scraper.items import Article  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "metadata"
SHARED = ROOT / ".." / "shared"
FIELDS = ("title", "authors", "organizations", "published", "modified", "language",
          "section", "tags", "image", "description", "canonical_url", "site_name")  # fmt: skip


def test_set() -> list[tuple[str, bytes, dict, dict]]:
    """(name, html, extract() keyword arguments, expected fields) for every labelled page."""
    cases = []
    for name, case in json.loads((FIXTURES / "expected.json").read_text("utf-8")).items():
        kwargs = {
            "url": case["url"],
            "fetched_at": datetime.fromisoformat(case["fetched_at"]),
            "timezone": case["timezone"],
        }
        cases.append((name, (FIXTURES / f"{name}.html").read_bytes(), kwargs, case["expected"]))
    seed = SHARED / "fixtures" / "seed-ru-news"
    if seed.is_dir():
        expected = json.loads((seed / "expected.json").read_text("utf-8"))
        kwargs = {"url": expected["url"], "fetched_at": datetime(2023, 12, 6, tzinfo=UTC)}
        fields = {f: expected[f] for f in FIELDS if f in expected}
        cases.append(("seed-ru-news", (seed / "page.html").read_bytes(), kwargs, fields))
    return cases + demo_cases()


def demo_cases() -> list[tuple[str, bytes, dict, dict]]:
    """Every article of the bundled demo sites, fetched over HTTP as the crawler sees it."""
    return [
        (f"demo {page.source}{page.path}", page.html, page.extract_kwargs, page.metadata)
        for page in demo.fetch_articles()
    ]


def accuracy(cases: list[tuple[str, bytes, dict, dict]], verbose: bool) -> None:
    right = dict.fromkeys(FIELDS, 0)
    total = dict.fromkeys(FIELDS, 0)
    started = time.perf_counter()
    for name, html, kwargs, expected in cases:
        article = extract(html, **kwargs)
        for field, want in expected.items():
            total[field] += 1
            got = getattr(article, field)
            right[field] += got == want
            if verbose and got != want:
                print(f"  {name}: {field} = {got!r}, expected {want!r}")
    elapsed = time.perf_counter() - started
    print(f"\nMetadata test set: {len(cases)} pages ({elapsed / len(cases) * 1000:.1f} ms/page)")
    print(f"{'field':<15}{'right':>7}{'pages':>7}{'accuracy':>10}")
    for field in FIELDS:
        if total[field]:
            share = right[field] / total[field]
            print(f"{field:<15}{right[field]:>7}{total[field]:>7}{share:>10.1%}")


def cyrillic(root: Path) -> None:
    """Title and language against the gold of the ru/uk pages."""
    gold = json.loads((root / "gold.json").read_text("utf-8"))
    titles = langs = 0
    for page in gold:
        article = extract(gzip.decompress((root / page["file"]).read_bytes()))
        titles += article.title == page["title"]
        langs += article.language == page["lang"]
    n = len(gold)
    print(f"\ncyrillic-dev: {n} pages; title {titles}/{n} ({titles / n:.0%}), "
          f"language {langs}/{n} ({langs / n:.0%})")  # fmt: skip


def aeb(root: Path, show: int) -> None:
    """How many AEB pages get a title and a published date; the first `show` in full."""
    truth = json.loads((root / "ground-truth.json").read_text("utf-8"))
    ids = (root / "dev-ids.txt").read_text().split()
    found = dict.fromkeys(("title", "published", "authors", "language", "image"), 0)
    seconds = 0.0
    for n, page_id in enumerate(ids):
        html = gzip.decompress((root / "html" / f"{page_id}.html.gz").read_bytes())
        started = time.perf_counter()
        article: Article = extract(html, truth[page_id]["url"])
        seconds += time.perf_counter() - started
        for field in found:
            found[field] += bool(getattr(article, field))
        if n < show:
            print(f"- {truth[page_id]['url']}\n  title={article.title!r}\n"
                  f"  published={article.published} modified={article.modified} "
                  f"authors={article.authors} orgs={article.organizations} "
                  f"lang={article.language} section={article.section!r}")  # fmt: skip
    total = len(ids)
    print(f"\nAEB dev: {total} pages, {seconds / total * 1000:.1f} ms/page for extract()")
    for field, count in found.items():
        print(f"  with {field:<10} {count:>4}/{total} ({count / total:.0%})")


WCXB_FIELDS = ("title", "author", "date")
# A tool's answer for one page: the fields the WCXB scorer reads.
Prediction = dict[str, object]


def ours(html: bytes, url: str) -> Prediction:
    article = extract(html, url)
    return {"title": article.title, "authors": article.authors, "published": article.published}


def trafilatura_metadata(html: bytes, url: str) -> Prediction:
    """trafilatura's whole extraction with metadata, as a user of it would run it."""
    from trafilatura import bare_extraction

    doc = bare_extraction(html, url=url, with_metadata=True)
    if doc is None:
        return {}
    authors = [a.strip() for a in (doc.author or "").split(";") if a.strip()]
    return {"title": doc.title, "authors": authors, "published": doc.date}


def htmldate_only(html: bytes, url: str) -> Prediction:
    """htmldate's publication date (original_date: the first, not the latest, date)."""
    from htmldate import find_date

    return {"published": find_date(html, url=url, original_date=True)}


WCXB_TOOLS: dict[str, Callable[[bytes, str], Prediction]] = {
    "ours": ours,
    "trafilatura": trafilatura_metadata,
    "htmldate": htmldate_only,
}


def wcxb_scores(root: Path, preds: dict[str, Prediction]) -> list[dict]:
    """The shared scorer's per-page rows for `preds`."""
    scorer = SHARED / "eval" / "score_wcxb.py"
    with tempfile.TemporaryDirectory() as tmp:
        pred, out = Path(tmp) / "pred.json", Path(tmp) / "scores.json"
        pred.write_text(json.dumps(preds, ensure_ascii=False), encoding="utf-8")
        command = [sys.executable, str(scorer), "--truth", str(root / "ground-truth.json")]
        subprocess.run([*command, "--pred", str(pred), "--json", str(out)], check=True,
                       capture_output=True)  # fmt: skip
        return json.loads(out.read_text(encoding="utf-8"))["rows"]


# The page's own machine-readable publication day: JSON-LD datePublished, the OpenGraph
# article:published_time (either attribute order) or microdata datePublished.
_DECLARED_DAY = re.compile(
    r'(?:"datePublished"\s*:\s*"|property="article:published_time"\s+content="'
    r'|itemprop="datePublished"\s+(?:content|datetime)=")(\d{4}-\d{2}-\d{2})'
    r'|content="(\d{4}-\d{2}-\d{2})[^"]*"\s+property="article:published_time"'
)


_DECLARED_MODIFIED = re.compile(
    r'(?:"dateModified"\s*:\s*"|property="(?:article:modified_time|og:updated_time)"\s+content="'
    r'|itemprop="dateModified"\s+(?:content|datetime)=")(\d{4}-\d{2}-\d{2})'
)
# The stated publication time in UTC, and every time the page writes with its offset.
_STATED_UTC = re.compile(
    r'(?:"datePublished"\s*:\s*"|property="article:published_time"\s+content=")'
    r"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?(?:Z|\+00:?00)"
)
_WITH_OFFSET = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?([+-]\d{2}:?\d{2})")
# A date shown with its label: "Updated on June 18, 2025", "Published: Apr 26, 2023".
_UPDATE_LABEL = re.compile(r"\b(?:last\s+)?(?:updated|modified|reviewed)(?:\s+on)?\s*:?\s*", re.I)
_PUBLISHED_LABEL = re.compile(r"\b(?:published|posted)(?:\s+on)?\s*:?\s*", re.I)


def _labelled_days(text: str, label: re.Pattern[str]) -> set[str]:
    """The days shown right after `label` in the page's visible text."""
    days = set()
    for found in label.finditer(text):
        after = text[found.end() : found.end() + 40]
        if not re.match(r"\w", after):
            continue
        value = parse_date(after, fetched_at=datetime.now(UTC), language="en")
        if value is not None:
            days.add(str(value)[:10])
    return days


def _visible_text(page: str) -> str:
    try:
        tree = lxml.html.fromstring(page)
    except (ValueError, lxml.etree.ParserError):
        return ""
    for el in tree.xpath("//script|//style|//noscript|//template"):
        el.drop_tree()
    return " ".join(tree.text_content().split())


def _page_day(page: str) -> tuple[str, str] | None:
    """(the day in the page's own offset, the UTC day) of a publication time stated in
    UTC, when the offset of the page's other times puts it on another day."""
    if not (stated := _STATED_UTC.search(page)):
        return None
    instant = datetime.fromisoformat(stated.group(1)).replace(tzinfo=UTC)
    for offset in _WITH_OFFSET.findall(page):
        local = instant.astimezone(datetime.fromisoformat(f"2000-01-01T00:00{offset}").tzinfo)
        if offset.replace(":", "") != "+0000" and local.date() != instant.date():
            return local.date().isoformat(), instant.date().isoformat()
    return None


def gold_consistency(root: Path, truth: dict) -> None:
    """Pages of three kinds where two days are defensible, and which one the gold takes,
    per half: counts only, to show where the gold itself is inconsistent."""
    kinds = {
        "declared": "declared datePublished, another dateModified",
        "update": "shows an update date, no publication date",
        "offset": "a UTC time on another day in the page's offset",
    }
    answers = {
        "declared": ("published", "modified"),
        "update": ("the update", "the publication"),
        "offset": ("page's day", "UTC day"),
    }
    counts = {k: {h: [0, 0, 0] for h in "AB"} for k in kinds}
    for pid, case in truth.items():
        if len(gold := str(case.get("publish_date") or "")) != 10:
            continue
        page = gzip.decompress((root / "html" / f"{pid}.html.gz").read_bytes()).decode(
            "utf-8", "replace"
        )
        published = {a or b for a, b in _DECLARED_DAY.findall(page)}
        modified = set(_DECLARED_MODIFIED.findall(page)) - published
        pairs = {}
        if published and modified:
            pairs["declared"] = (published, modified)
        text = _visible_text(page)
        updates = _labelled_days(text, _UPDATE_LABEL)
        if updates and not _labelled_days(text, _PUBLISHED_LABEL) and published - updates:
            pairs["update"] = (updates, published - updates)
        if day := _page_day(page):
            pairs["offset"] = ({day[0]}, {day[1]})
        for kind, (first, second) in pairs.items():
            counts[kind][half(pid)][0 if gold in first else 1 if gold in second else 2] += 1
    print("\nwhich day the gold takes where two are defensible: pages, half A | half B")
    for kind, label in kinds.items():
        one, two = answers[kind]
        a, b = ("{} / {} / {}".format(*counts[kind][h]) for h in "AB")
        print(f"  {label:<48}{one} / {two} / neither: {a} | {b}")


def _written(day: str, page: str) -> bool:
    """Is `day` (YYYY-MM-DD) written anywhere in `page`, numerically or with an English
    month ("2025-12-05", "05.12.2025", "12/5/2025", "Dec. 5th, 2025", "5 December 2025")?"""
    y, m, d = (int(part) for part in day.split("-"))
    month = calendar.month_name[m].lower()
    dd, mm = rf"0?{d}", rf"0?{m}"
    name = rf"(?:{month}|{month[:3]}\.?)"
    forms = [
        rf"{y}[-/.]{mm}[-/.]{dd}\b", rf"\b{dd}[./-]{mm}[./-]{y}", rf"\b{mm}/{dd}/{y}",
        rf"{name}\s+{dd}(?:st|nd|rd|th)?,?\s+{y}", rf"\b{dd}(?:st|nd|rd|th)?\s+{name},?\s+{y}",
    ]  # fmt: skip
    return re.search("|".join(forms), page, re.IGNORECASE) is not None


def date_audit(root: Path, truth: dict, preds: dict[str, dict[str, Prediction]]) -> None:
    """Where our day differs from the gold's, how often the page itself disagrees with
    the gold: all three tools agree on another day, and the page's own declared
    publication day is that day or the gold's day is written nowhere in the page. Counts
    only, per half: nothing here is tuned on."""
    keys = ("gold", "wrong", "no_day", "agree", "declared", "absent", "either")
    rows = {h: dict.fromkeys(keys, 0) for h in "AB"}
    for pid, case in truth.items():
        if not (gold := str(case.get("publish_date") or "")[:10]):
            continue
        row = rows[half(pid)]
        row["gold"] += 1
        if len(gold) != 10:  # "2025-07": no prediction can have that day
            row["wrong"] += 1
            row["no_day"] += 1
            row["either"] += 1
            continue
        days = {str(preds[tool][pid].get("published") or "")[:10] for tool in WCXB_TOOLS}
        if str(preds["ours"][pid].get("published") or "")[:10] == gold:
            continue
        row["wrong"] += 1
        if len(days) != 1 or days == {""}:
            continue
        row["agree"] += 1
        page = gzip.decompress((root / "html" / f"{pid}.html.gz").read_bytes()).decode(
            "utf-8", "replace"
        )
        declared = {a or b for a, b in _DECLARED_DAY.findall(page)}
        row["declared"] += (is_declared := days <= declared and gold not in declared)
        row["absent"] += (is_absent := not _written(gold, page))
        row["either"] += is_declared or is_absent
    print("\ndate audit: pages where our day is not the gold's, half A / half B")
    labels = {
        "gold": "pages with a gold day",
        "wrong": "ours not the gold's day",
        "no_day": "  the gold gives a month, no day",
        "agree": "  all three tools agree on another day",
        "declared": "    the page's datePublished is that day",
        "absent": "    the gold's day is written nowhere in it",
        "either": "  no day or either of the two",
    }
    for key, label in labels.items():
        print(f"{label:<46}{rows['A'][key]:>5} / {rows['B'][key]:<5}")
    ceiling = [1 - rows[h]["either"] / rows[h]["gold"] for h in "AB"]
    print(f"{'best day score the page allows':<46}{ceiling[0]:>5.3f} / {ceiling[1]:.3f}")


def wcxb(root: Path, misses: str | None, audit: bool = False) -> None:
    """Title, author and day for ours, trafilatura and htmldate, by half, and CPU pages/s."""
    truth = json.loads((root / "ground-truth.json").read_text("utf-8"))
    pages = {
        pid: (gzip.decompress((root / "html" / f"{pid}.html.gz").read_bytes()), case["url"])
        for pid, case in sorted(truth.items())
    }
    print(f"\nwcxb-articles: {len(pages)} pages; half A (tuning) / half B (held out)")
    print(f"{'tool':<12}{'CPU pages/s':>12}  " + "  ".join(f"{f:>13}" for f in WCXB_FIELDS))
    speed: dict[str, float] = {}
    every: dict[str, dict[str, Prediction]] = {}
    for name, tool in WCXB_TOOLS.items():
        preds, seconds = every.setdefault(name, {}), 0.0
        tool(*next(iter(pages.values())))  # imports and lazy loading are not per page
        for pid, (html, url) in pages.items():
            started = time.process_time()
            preds[pid] = tool(html, url)
            seconds += time.process_time() - started
        speed[name] = len(pages) / seconds
        rows = wcxb_scores(root, preds)
        cells = []
        for field in WCXB_FIELDS:
            by_half = {h: [r[field] for r in rows if field in r and half(r["id"]) == h]
                       for h in "AB"}  # fmt: skip
            if name == "htmldate" and field != "date":
                cells.append(f"{'-':>13}")
                continue
            cells.append("{:.3f} / {:.3f}".format(*(sum(v) / len(v) for v in by_half.values())))
        print(f"{name:<12}{speed[name]:>12.1f}  " + "  ".join(f"{c:>13}" for c in cells))
        if name == "ours" and misses:
            gold_key = {"title": "title", "author": "author", "date": "publish_date"}[misses]
            for row in rows:
                if half(row["id"]) == "A" and row.get(misses) is False:
                    gold = truth[row["id"]]
                    print(f"  miss {row['id']} {gold['url'][:70]}\n"
                          f"    want {gold[gold_key]!r}\n    got  {preds[row['id']]}")  # fmt: skip
    print(
        f"ours / trafilatura CPU pages/s: {speed['ours'] / speed['trafilatura']:.2f}; "
        f"htmldate alone costs {1000 / speed['htmldate']:.1f} ms/page "
        f"({speed['ours'] / speed['htmldate']:.0%} of ours per page)"
    )
    if audit:
        date_audit(root, truth, every)
        gold_consistency(root, truth)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aeb", type=Path, help="AEB dev folder (../shared/datasets/aeb)")
    parser.add_argument("--show", type=int, default=0, help="print the first N AEB pages")
    parser.add_argument("--wcxb", type=Path, help="WCXB folder (../shared/datasets/wcxb-articles)")
    parser.add_argument("--misses", choices=WCXB_FIELDS, help="list our half-A misses of a field")
    parser.add_argument(
        "--date-audit", action="store_true", help="count day misses the page itself contradicts"
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="print every miss")
    args = parser.parse_args()
    accuracy(test_set(), args.verbose)
    if (SHARED / "datasets" / "cyrillic-dev").is_dir():
        cyrillic(SHARED / "datasets" / "cyrillic-dev")
    if args.aeb:
        aeb(args.aeb, args.show)
    if args.wcxb:
        wcxb(args.wcxb, args.misses, args.date_audit)


if __name__ == "__main__":
    main()
