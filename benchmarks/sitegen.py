"""A large, realistic local news site for crawl benchmarks and tests, written to a folder.

    python benchmarks/sitegen.py OUT --articles 20000

Every article page looks like a news outlet's (about 60 KB): a head full of meta tags,
JSON-LD and inline CSS/JS, a navigation bar, breadcrumbs, headline, byline, dates, a
body of about 4 KB in paragraphs with links, a "read also" box, related stories, comments
and a footer. One article in four is Russian or Ukrainian; one in 250 (`republish_every`)
republishes an earlier article under a new URL (the store files it as a duplicate).
Discovery is by robots.txt -> sitemap index -> sitemaps of 5,000 URLs, plus a front page
and section pages linking the latest articles. The output depends only on the arguments (seeded).
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path

SECTIONS = ["politics", "business", "world", "science", "culture", "sport", "health", "tech"]
URLS_PER_SITEMAP = 5000
REPUBLISH_EVERY = 250  # one article in this many republishes an earlier one's text
EPOCH = datetime(2024, 1, 1, 6, 0, tzinfo=UTC)

WORDS = {
    "en": """the of and to in a is that for it as was with be by on not he this are or his
    from at which but have an they you were her she there been one all we their has would
    when if can more will about up out them some could what into than other said council
    city government minister report people year week officials police court water energy
    market prices workers union school hospital election voters budget plan project river
    bridge station company investors shares growth research scientists study data climate
    storm season team coach players match league museum festival artists film critics
    residents neighbourhood housing rent transport airport border talks agreement
    spokesperson statement according investigation million percent local regional national
    announced confirmed warned expected reported described increased opened closed""",
    "ru": """и в не на что с по как это он а к из за от для о но так же все его было она
    они мы при год города власти министр сообщил заявил отметил области района жители
    правительство проект бюджет рынок цены компания акции рост исследование учёные данные
    климат погода сезон команда тренер матч лига музей фестиваль театр фильм критики жильё
    аренда транспорт аэропорт граница переговоры соглашение представитель расследование
    миллион процентов местные региональные объявили подтвердили ожидается выросли""",
    "uk": """і в не на що з по як це він а до із за від для про але так же все його було
    вона вони ми при рік міста влада міністр повідомив заявив зазначив області району
    мешканці уряд проєкт бюджет ринок ціни компанія акції зростання дослідження науковці
    дані клімат погода сезон команда тренер матч ліга музей фестиваль театр фільм критики
    житло оренда транспорт аеропорт кордон переговори угода представник розслідування
    мільйон відсотків місцеві регіональні оголосили підтвердили очікується зросли""",
}
NAMES = {
    "en": ["Jane Doe", "John Roe", "Maria Lopez", "Ahmed Khan", "Emily Clarke", "Tom Becker"],
    "ru": ["Анна Смирнова", "Иван Петров", "Ольга Кузнецова", "Дмитрий Волков"],
    "uk": ["Олена Коваленко", "Андрій Шевчук", "Ірина Бондаренко", "Тарас Мельник"],
}
LABELS = {
    "en": ("Read also", "Related stories", "Comments", "By"),
    "ru": ("Читайте также", "Похожие новости", "Комментарии", "Автор:"),
    "uk": ("Читайте також", "Схожі новини", "Коментарі", "Автор:"),
}


def article_path(n: int) -> str:
    day = EPOCH + timedelta(minutes=37 * n)
    return f"/news/{day:%Y/%m/%d}/story-{n}.html"


def language_of(n: int) -> str:
    return "ru" if n % 8 == 3 else "uk" if n % 8 == 6 else "en"


def _sentence(rng: random.Random, words: list[str], low: int = 8, high: int = 22) -> str:
    picked = [rng.choice(words) for _ in range(rng.randint(low, high))]
    if rng.random() < 0.5:
        picked.insert(rng.randint(2, len(picked) - 1), f"{rng.choice(words)},")
    text = " ".join(picked)
    return text[0].upper() + text[1:] + "."


def _paragraphs(rng: random.Random, lang: str, chars: int) -> list[str]:
    words = WORDS[lang].split()
    paragraphs, total = [], 0
    while total < chars:
        text = " ".join(_sentence(rng, words) for _ in range(rng.randint(2, 4)))
        paragraphs.append(text)
        total += len(text)
    return paragraphs


def _headline(rng: random.Random, lang: str) -> str:
    return _sentence(rng, WORDS[lang].split(), 6, 11).rstrip(".")


def _padding(rng: random.Random, kind: str, size: int) -> str:
    """Inline CSS or JS of about `size` bytes: what makes real pages 60 KB."""
    out, total = [], 0
    while total < size:
        name = f"c{rng.randrange(1 << 20):x}"
        if kind == "css":
            line = f".{name}{{margin:{rng.randint(0, 40)}px;color:#{rng.randrange(1 << 24):06x}}}"
        else:
            line = f"window.{name}=function(a){{return a*{rng.randint(2, 99)}+'{name}';}};"
        out.append(line)
        total += len(line) + 1
    return "\n".join(out)


def _nav(links: int = 40) -> str:
    items = []
    for i in range(links):
        name = SECTIONS[i % len(SECTIONS)]
        items.append(
            f'<li><a href="/section/{name}/">{name.title()} {i // len(SECTIONS) or ""}</a></li>'
        )
    return f'<nav class="site-nav" role="navigation"><ul class="menu">{"".join(items)}</ul></nav>'


FOOTER = (
    '<footer class="site-footer"><ul>'
    + "".join(f'<li><a href="/about/page-{i}.html">About us {i}</a></li>' for i in range(30))
    + "</ul><p>© 2024 Harbor Daily. All rights reserved.</p></footer>"
)


def article_page(
    n: int, total: int, *, seed: int = 0, origin: str = "", republish_every: int = REPUBLISH_EVERY
) -> str:
    """The HTML of article `n` of a site of `total` articles served at `origin`."""
    url = f"{origin}{article_path(n)}"
    # A republished article is its source's page under its own URL (and canonical link).
    if n % republish_every == republish_every - 1:
        n -= republish_every // 2
    rng = random.Random(f"{seed}:{n}")
    lang = language_of(n)
    title = _headline(rng, lang)
    body = _paragraphs(rng, lang, 4000)
    section = SECTIONS[n % len(SECTIONS)]
    author = NAMES[lang][n % len(NAMES[lang])]
    published = EPOCH + timedelta(minutes=37 * n)
    modified = published + timedelta(hours=rng.randint(0, 5))
    read_also, related, comments, by = LABELS[lang]
    description = body[0][:160]
    others = [rng.randrange(total) for _ in range(12)]
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": title,
        "datePublished": published.isoformat(),
        "dateModified": modified.isoformat(),
        "author": {"@type": "Person", "name": author},
        "publisher": {"@type": "Organization", "name": "Harbor Daily"},
        "inLanguage": lang,
        "articleSection": section,
        "description": description,
    }
    paragraphs = []
    for i, text in enumerate(body):
        if i == 3:
            link = article_path(others[0])
            paragraphs.append(
                f'<aside class="read-also"><strong>{read_also}:</strong> '
                f'<a href="{link}">{escape(_headline(rng, lang))}</a></aside>'
            )
        words = text.split(" ")
        if i % 3 == 1:  # a link inside the prose
            k = len(words) // 2
            words[k] = f'<a href="{article_path(others[i % 12])}">{escape(words[k])}</a>'
        paragraphs.append(f"<p>{' '.join(words)}</p>")
    related_items = "".join(
        f'<li class="teaser"><a href="{article_path(o)}"><img src="/img/{o}.jpg" alt="">'
        f"<span>{escape(_headline(rng, lang))}</span></a></li>"
        for o in others[1:]
    )
    comment_items = "".join(
        f'<li class="comment"><span class="comment-author">{escape(rng.choice(NAMES[lang]))}'
        f"</span><p>{escape(_sentence(rng, WORDS[lang].split()))}</p></li>"
        for _ in range(rng.randint(2, 6))
    )
    return f"""<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<title>{escape(title)} | Harbor Daily</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="description" content="{escape(description)}">
<meta property="og:title" content="{escape(title)}">
<meta property="og:type" content="article">
<meta property="og:url" content="{url}">
<meta property="og:site_name" content="Harbor Daily">
<meta property="og:image" content="{origin}/img/{n}.jpg">
<meta property="article:published_time" content="{published.isoformat()}">
<meta property="article:modified_time" content="{modified.isoformat()}">
<meta property="article:section" content="{section.title()}">
<meta property="article:tag" content="{section}">
<meta name="twitter:card" content="summary_large_image">
<link rel="canonical" href="{url}">
<link rel="stylesheet" href="/static/site.css">
<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>
<style>{_padding(rng, "css", 14000)}</style>
<script>{_padding(rng, "js", 24000)}</script>
</head>
<body class="article-page">
<header class="masthead"><a class="logo" href="/">Harbor Daily</a>{_nav()}
<form class="search" action="/search"><input name="q" placeholder="Search"></form></header>
<div class="ad-slot advert" data-slot="top">Advertisement</div>
<main id="content">
<ol class="breadcrumbs"><li><a href="/">Home</a></li>
<li><a href="/section/{section}/">{section.title()}</a></li></ol>
<article class="story">
<h1 class="headline">{escape(title)}</h1>
<div class="byline">{by} <a rel="author" href="/authors/{n % 6}.html">{author}</a>
<time class="published" datetime="{published.isoformat()}">{published:%d.%m.%Y %H:%M}</time>
</div>
<figure><img src="/img/{n}.jpg" alt=""><figcaption>Photo: Harbor Daily</figcaption></figure>
<div class="story-body" itemprop="articleBody">
{"".join(paragraphs)}
</div>
<div class="share-tools"><a href="#">Facebook</a> <a href="#">X</a> <a href="#">Email</a></div>
</article>
<section class="related"><h2>{related}</h2><ul>{related_items}</ul></section>
<section class="comments" id="comments"><h2>{comments}</h2><ul>{comment_items}</ul></section>
</main>
<aside class="sidebar"><h3>Most popular</h3><ol>{related_items}</ol></aside>
{FOOTER}
<script>{_padding(rng, "js", 6000)}</script>
</body>
</html>
"""


def listing_page(title: str, numbers: list[int]) -> str:
    items = "".join(f'<li><a href="{article_path(k)}">Story {k}</a></li>' for k in numbers)
    return (
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}"
        f"</title></head><body>{_nav()}<h1>{title}</h1><ul>{items}</ul>{FOOTER}</body></html>"
    )


def generate(
    out: Path, articles: int, *, origin: str, seed: int = 0, republish_every: int = REPUBLISH_EVERY
) -> None:
    """Write the site into `out`. `origin` (scheme://host:port, the one the server will
    listen on) goes into the sitemaps and canonical links, which need absolute URLs."""
    out.mkdir(parents=True, exist_ok=True)
    for n in range(articles):
        path = out / article_path(n).lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        page = article_page(n, articles, seed=seed, origin=origin, republish_every=republish_every)
        path.write_text(page, encoding="utf-8")
    latest = list(range(articles - 1, max(-1, articles - 51), -1))
    (out / "index.html").write_text(listing_page("Harbor Daily", latest), encoding="utf-8")
    for k, name in enumerate(SECTIONS):
        page = out / "section" / name / "index.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        mine = [n for n in latest if n % len(SECTIONS) == k]
        page.write_text(listing_page(name.title(), mine), encoding="utf-8")
    write_sitemaps(out, articles, origin)


def write_sitemaps(out: Path, articles: int, origin: str) -> None:
    """robots.txt, the sitemap index and its sitemaps, for the site served at `origin`."""
    maps = []
    for k, start in enumerate(range(0, articles, URLS_PER_SITEMAP)):
        entries = "".join(
            f"<url><loc>{origin}{article_path(n)}</loc>"
            f"<lastmod>{(EPOCH + timedelta(minutes=37 * n)).isoformat()}</lastmod></url>"
            for n in range(start, min(start + URLS_PER_SITEMAP, articles))
        )
        (out / f"sitemap-{k}.xml").write_text(
            '<?xml version="1.0" encoding="UTF-8"?>'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>',
            encoding="utf-8",
        )
        maps.append(f"<sitemap><loc>{origin}/sitemap-{k}.xml</loc></sitemap>")
    (out / "sitemap.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{''.join(maps)}</sitemapindex>",
        encoding="utf-8",
    )
    (out / "robots.txt").write_text(
        f"User-agent: *\nDisallow: /search\nSitemap: {origin}/sitemap.xml\n", encoding="utf-8"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--articles", type=int, default=20000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--origin", default="http://127.0.0.1:8080")
    args = ap.parse_args()
    generate(args.out, args.articles, seed=args.seed, origin=args.origin)
    size = sum(p.stat().st_size for p in args.out.rglob("*.html"))
    print(f"{args.articles} articles, {size / 1e6:.0f} MB of HTML in {args.out}")


if __name__ == "__main__":
    main()
