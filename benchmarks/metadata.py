"""Per-field accuracy of metadata extraction, and coverage on real pages.

    python benchmarks/metadata.py                 # the test set in tests/fixtures/metadata
    python benchmarks/metadata.py --aeb ../shared/datasets/aeb --show 20

The test set (plus the seed page and the cyrillic-dev pages when ../shared is there) has
expected values, so each field gets an accuracy: the share of pages where the extracted
value equals the expected one exactly. The AEB pages have no metadata ground truth, so
for them the script counts how many get a title and a published date at all, and with
`--show` prints what was found on the first N pages, for reading by hand.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import demo  # noqa: E402
from scraper.extract import extract  # noqa: E402
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aeb", type=Path, help="AEB dev folder (../shared/datasets/aeb)")
    parser.add_argument("--show", type=int, default=0, help="print the first N AEB pages")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every miss")
    args = parser.parse_args()
    accuracy(test_set(), args.verbose)
    if (SHARED / "datasets" / "cyrillic-dev").is_dir():
        cyrillic(SHARED / "datasets" / "cyrillic-dev")
    if args.aeb:
        aeb(args.aeb, args.show)


if __name__ == "__main__":
    main()
