"""Deterministic generator of the demo news sites: ``python -m demo.generate [OUT_DIR]``.

Writes ``OUT_DIR/site/<name>/`` (edition 1 files, ``_edition2/`` overlays holding only the files
that differ in edition 2, and the ``_site.json`` manifest) and ``OUT_DIR/expected.json``.
OUT_DIR defaults to the ``demo`` package, where the output is committed. Nothing depends on the
clock, the environment or hash order, so regenerating gives byte-identical files.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import sys
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from types import ModuleType

from bs4 import BeautifulSoup
from jinja2 import Environment, FileSystemLoader, select_autoescape

from demo.content import Story, en, ru, uk
from demo.sites import DEMO_DIR, SITES, Site

KYIV = timezone(timedelta(hours=2))  # EET: Kyiv's offset all of November and December
EPOCH = datetime(2023, 11, 1, 9, 0, tzinfo=UTC)  # Last-Modified of pages that carry no dates
TEMPLATES = DEMO_DIR / "templates"
ASSETS = DEMO_DIR / "assets"
EDITIONS = (1, 2)
MIN_WORDS = 85  # short news items; mostly their own text, not shared pool sentences

TRANSLIT = str.maketrans(
    {
        **dict(zip("абвгдезийклмнопрстуфхцыэ", "abvgdezijklmnoprstufhcye", strict=True)),
        **{"ё": "e", "ж": "zh", "ч": "ch", "ш": "sh", "щ": "sch", "ю": "yu", "я": "ya"},
        **{"ъ": "", "ь": "", "'": "", "ʼ": "", "’": ""},
        # Ukrainian letters; "г" and "и" sound differently but slugs only need to be stable.
        **{"і": "i", "ї": "yi", "є": "ye", "ґ": "g"},
    }
)

TRACKING = ("?utm_source=telegram&utm_medium=social", "?fbclid=IwAR2dEmO0x7Qk9Lm3VtZpYq")
FEED_TRACKING = "?utm_source=rss&utm_medium=feed"

# Boilerplate each site's templates put around or inside article bodies: none of it may end
# up in an extracted body.
BOILERPLATE = {
    "novosti": [
        "Поделиться",
        "Копировать ссылку",
        "Читайте также",
        "Реклама",
        "Заметили ошибку",
        "Добавить комментарий",
        "Подписывайтесь на наш канал в Telegram",
        "Последние новости",
        "Популярное",
        "Все права защищены",
        "Мы используем файлы cookie",
    ],
    "vesti-ua": [
        "Поділитися",
        "Читайте також",
        "Реклама",
        "Схожі записи",
        "Залишити коментар",
        "Підписуйтесь на наш Telegram",
        "Останні новини",
        "Популярне",
        "Усі права захищено",
    ],
    "dailywire": [
        "Share this",
        "Related articles",
        "Advertisement",
        "Sign up for our morning briefing",
        "Most read",
        "All rights reserved",
        "We use cookies",
    ],
    "agregator": [
        "Поделиться в соцсетях",
        "Главное за сутки",
        "Подпишитесь на рассылку",
        "Лента Дня",
        "Все права защищены",
    ],
}

SEARCH_TERMS = {
    "ru": ["беспилотники", "беспилотников", "Зеленского", "из-за", "ёлка", "елку"],
    "uk": ["безпілотники", "Києві", "Зеленського", "Івано-Франківськ", "обʼєкт", "об'єкт"],
    "en": ["drones"],
}


def slugify(text: str, words: int = 8) -> str:
    """Transliterated, hyphenated slug of the first `words` words of `text`."""
    latin = re.sub(r"[^a-z0-9]+", "-", text.lower().translate(TRANSLIT)).strip("-")
    return "-".join(latin.split("-")[:words])


def origin(site: str) -> str:
    """The token the server replaces with the site's http://127.0.0.1:PORT."""
    return "{{origin:" + site + "}}"


@dataclass(frozen=True)
class Ref:
    """A named page: a section, a tag or an author."""

    name: str
    path: str


@dataclass
class Article:
    site: str
    path: str
    title: str
    lead: str
    blocks: list[tuple[str, object]]  # ("p" | "h2" | "quote", str) or ("ul", list[str])
    published: datetime
    modified: datetime
    section: Ref
    authors: list[Ref]
    tags: list[Ref]
    language: str
    index: int
    read_also: Ref | None = None
    source: Article | None = None  # the original of a syndicated copy
    raw: str | None = None  # a page copied verbatim instead of rendered
    edition: int = 1

    @property
    def url(self) -> str:
        return origin(self.site) + self.path

    @property
    def image(self) -> str:
        name = self.path.strip("/").split("/")[-1].removesuffix(".html")
        return f"{origin(self.site)}/img/{self.published:%Y/%m/%d}/{name}.jpg"

    @property
    def paragraphs(self) -> list[str]:
        return [self.lead] + [text for kind, text in self.blocks if kind == "p"]

    def texts(self) -> list[str]:
        """Every text block of the body in order: what a correct extraction keeps."""
        out = [self.lead]
        for kind, value in self.blocks:
            out.extend(value if kind == "ul" else [value])
        return out


@dataclass(frozen=True)
class Layout:
    """Where a site puts its pages and traps."""

    section_path: str
    tag_path: str
    author_path: str | None
    section_page_size: int
    archive: str  # paginated list of all articles
    archive_page_size: int
    redirect_from: str  # an old URL that 301-redirects to the article `redirect_to`
    redirect_to: int
    broken: str  # an article-looking link to a deleted page (404)
    broken_from: int
    traps_from: int  # article linking to the PDF and the JPEG
    jpeg: str
    pdf: str
    static: tuple[str, ...]  # simple pages beside /about/ and /search/


LAYOUTS = {
    "novosti": Layout(
        "/{slug}/",
        "/tag/{slug}/",
        "/authors/{slug}/",
        4,
        "/news/",
        10,
        "/n/104512.html",
        0,
        "/politics/deputaty-otozvali-zakonoproekt-2023-11-14.html",
        12,
        0,
        "/img/2023/12/05/anka-drone.jpg",
        "/files/nbu-reshenie-2023-12-05.pdf",
        ("/contacts/", "/advertising/", "/privacy/"),
    ),
    "vesti-ua": Layout(
        "/category/{slug}/",
        "/tag/{slug}/",
        "/author/{slug}/",
        3,
        "/",
        10,
        "/archives/1007/",
        7,
        "/2023/11/vidkljuchennya-svitla-skasuvaly/",
        3,
        4,
        "/wp-content/uploads/2023/12/foto.jpg",
        "/wp-content/uploads/2023/12/zvit.pdf",
        ("/kontakty/",),
    ),
    "dailywire": Layout(
        "/{slug}/",
        "/tag/{slug}/",
        "/authors/{slug}/",
        3,
        "/latest/",
        10,
        "/story/4471",
        1,
        "/2023/11/02/pm-resigns-over-budget-row/",
        5,
        2,
        "/media/2023/12/storm-damage.jpg",
        "/media/docs/flood-report.pdf",
        ("/contact/", "/privacy/"),
    ),
    "agregator": Layout(
        "/rubric/{slug}/",
        "/tag/{slug}/",
        None,
        3,
        "/news/",
        5,
        "/go/1001/",
        2,
        "/news/100999-udalennaya-novost.html",
        4,
        3,
        "/upload/photo-2023.jpg",
        "/upload/press-release.pdf",
        (),
    ),
}

STATIC_TITLES = {
    "ru": {"/about/": "О проекте", "/search/": "Поиск по сайту", "/contacts/": "Контакты",
           "/advertising/": "Реклама на сайте", "/privacy/": "Политика конфиденциальности"},
    "uk": {"/about/": "Про нас", "/search/": "Пошук", "/kontakty/": "Контакти"},
    "en": {"/about/": "About us", "/search/": "Search", "/contact/": "Contact us",
           "/privacy/": "Privacy policy"},
}  # fmt: skip

STATIC_TEXT = {
    "ru": [
        "Мы работаем с 2008 года и рассказываем о главных событиях в Украине и мире.",
        "Редакция придерживается стандартов журналистики и исправляет ошибки открыто.",
    ],
    "uk": [
        "Ми працюємо з 2015 року й розповідаємо про головні події в Україні та світі.",
        "Редакція дотримується стандартів журналістики та відкрито виправляє помилки.",
    ],
    "en": [
        "We have covered news from Britain and around the world since 2004.",
        "Our newsroom follows the Editors' Code of Practice and corrects errors openly.",
    ],
}

MONTHS = {
    "ru": "января февраля марта апреля мая июня июля августа сентября октября ноября декабря",
    "uk": "січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня",
    "en": "January February March April May June July August September October November December",
}


def human_date(dt: datetime, language: str) -> str:
    """The date as a reader of the site sees it, e.g. "5 грудня 2023 року, 14:37"."""
    month = MONTHS[language].split()[dt.month - 1]
    suffix = {"ru": "", "uk": " року", "en": ""}[language]
    return f"{dt.day} {month} {dt.year}{suffix}, {dt:%H:%M}"


def word_count(texts: list[str]) -> int:
    return sum(len(re.findall(r"\w+", text)) for text in texts)


# --- articles -------------------------------------------------------------------------------


def compose(story: Story, lang: ModuleType, rng: random.Random) -> list[tuple[str, object]]:
    """The body blocks after the lead: the story's facts, then pool sentences in paragraphs."""
    expert, said = rng.choice(lang.EXPERTS)
    slots = {
        "city": rng.choice(lang.CITIES),
        "n": rng.randint(3, 40),
        "pct": rng.randint(12, 68),
        "expert": expert,
        "said": said,
    }
    topic = rng.sample(lang.POOLS[story.section], len(lang.POOLS[story.section]))
    generic = rng.sample(lang.GENERIC, len(lang.GENERIC))
    cut_topic, cut_generic = rng.randint(1, 2), rng.randint(0, 1)
    chosen = topic[:cut_topic] + generic[:cut_generic]
    spare = generic[cut_generic:] + topic[cut_topic:]  # pop() takes topic sentences first
    rng.shuffle(chosen)
    sentences = list(story.facts) + [s.format(**slots) for s in chosen]
    while word_count([story.lead, *sentences]) < MIN_WORDS and spare:
        sentences.append(spare.pop().format(**slots))
    count = rng.randint(3, max(3, min(9, len(sentences) // 2)))
    cuts = sorted(rng.sample(range(1, len(sentences)), count - 1))
    bounds = zip([0, *cuts], [*cuts, len(sentences)], strict=True)
    blocks: list[tuple[str, object]] = [("p", " ".join(sentences[a:b])) for a, b in bounds]
    if rng.random() < 0.5:
        blocks.insert(
            rng.randint(2, len(blocks) - 1), ("h2", rng.choice(lang.SUBHEADS[story.section]))
        )
    if rng.random() < 0.4:
        blocks.insert(rng.randint(2, len(blocks)), ("ul", lang.LISTS[story.section]))
    if rng.random() < 0.35:
        blocks.insert(rng.randint(1, len(blocks)), ("quote", rng.choice(lang.QUOTES)))
    return blocks


def publication_time(story: Story, rng: random.Random, tz: timezone) -> datetime:
    if story.when:
        return datetime.strptime(story.when, "%Y-%m-%d %H:%M").replace(tzinfo=tz)
    start = datetime(2023, 11, 1, 7, 0, tzinfo=tz)
    return start + timedelta(days=rng.randint(0, 49), minutes=rng.randint(0, 15 * 60))


ARTICLE_PATHS = {
    "novosti": lambda a, story: "/{}/{}.html".format(
        a.section.path.strip("/"), story.slug or f"{slugify(a.title)}-{a.published:%Y-%m-%d}"
    ),
    "vesti-ua": lambda a, story: f"/{a.published:%Y/%m}/{slugify(a.title, 6)}/",
    "dailywire": lambda a, story: f"/{a.published:%Y/%m/%d}/{slugify(a.title, 7)}/",
    "agregator": lambda a, story: f"/news/{100000 + 37 * a.index}-{slugify(a.title, 6)}.html",
}


def make_articles(
    site: Site, lang: ModuleType, stories: list[Story], start: int = 0
) -> list[Article]:
    layout = LAYOUTS[site.name]
    tz = UTC if site.language == "en" else KYIV
    articles = []
    for index, story in enumerate(stories, start):
        rng = random.Random(f"{site.name}:{index}")
        published = publication_time(story, rng, tz)
        modified = published + timedelta(minutes=rng.choice([0, 0, 25, 90, 240]))
        n_authors = rng.choice([1, 1, 2, 3]) if site.name == "dailywire" else 1
        names = [] if site.name == "agregator" else rng.sample(lang.AUTHORS, n_authors)
        tag_names = story.tags or rng.sample(lang.TAGS[story.section], 2)
        article = Article(
            site=site.name,
            path="",
            title=story.headline,
            lead=story.lead,
            blocks=compose(story, lang, rng),
            published=published,
            modified=modified,
            section=Ref(
                lang.SECTIONS[story.section], layout.section_path.format(slug=story.section)
            ),
            authors=[Ref(n, layout.author_path.format(slug=slugify(n))) for n in names],
            tags=[Ref(t, layout.tag_path.format(slug=slugify(t))) for t in tag_names],
            language=site.language,
            index=index,
        )
        article.path = ARTICLE_PATHS[site.name](article, story)
        articles.append(article)
    return articles


def seed_article() -> Article:
    """The user's reference page, copied verbatim (only its origin made same-site)."""
    raw = (ASSETS / "seed-article.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(raw, "lxml")
    body = [p.get_text() for p in soup.select(".article__body > p")]
    return Article(
        site="novosti",
        path="/world/kazahstan-mozhet-nachat-proizvodstvo-bpla-bayraktar-ranshe-ukrainy-2023-12-05.html",
        title=soup.h1.get_text(),
        lead=soup.select_one(".article__lead").get_text(),
        blocks=[("p", text) for text in body],
        published=datetime(2023, 12, 5, 14, 37, tzinfo=KYIV),
        modified=datetime(2023, 12, 5, 15, 2, tzinfo=KYIV),
        section=Ref("Мир", "/world/"),
        authors=[Ref("Ирина Коваленко", "/authors/irina-kovalenko/")],
        tags=[Ref(a.get_text(), a["href"]) for a in soup.select(".article__tags a")],
        language="ru",
        index=-1,
        raw=raw,
    )


@dataclass
class SiteData:
    site: Site
    layout: Layout
    lang: ModuleType
    articles: list[Article]  # edition 1
    added: list[Article] = field(default_factory=list)  # new in edition 2
    edited: dict[str, Article] = field(default_factory=dict)  # path -> edition-2 version

    def articles_in(self, edition: int) -> list[Article]:
        current = [self.edited.get(a.path, a) if edition >= 2 else a for a in self.articles]
        if edition >= 2:
            current += self.added
        return sorted(current, key=lambda a: (a.published, a.path), reverse=True)


def syndicate(original: Article, index: int) -> Article:
    """The agregator's lightly edited copy of a novosti article, crediting the original."""
    layout = LAYOUTS["agregator"]
    copy = replace(
        original,
        site="agregator",
        title="Нацбанк оставил учетную ставку без изменений — 16%",
        lead=original.lead.replace("Национальный банк Украины оставил", "Нацбанк сохранил"),
        blocks=[b for b in original.blocks if b[0] != "quote"]
        + [("p", "Об этом сообщает издание «Новости Мира».")],
        published=original.published + timedelta(minutes=42),
        modified=original.published + timedelta(minutes=42),
        section=Ref("Экономика", layout.section_path.format(slug="economics")),
        authors=[],
        tags=[Ref("НБУ", layout.tag_path.format(slug="nbu"))],
        index=index,
        source=original,
    )
    copy.path = ARTICLE_PATHS["agregator"](copy, None)
    return copy


def build() -> dict[str, SiteData]:
    """All articles of all sites, both editions."""
    novosti = make_articles(SITES["novosti"], ru, ru.STORIES[:25])
    novosti.insert(0, seed_article())
    sites = {
        "novosti": SiteData(SITES["novosti"], LAYOUTS["novosti"], ru, novosti),
        "vesti-ua": SiteData(
            SITES["vesti-ua"],
            LAYOUTS["vesti-ua"],
            uk,
            make_articles(SITES["vesti-ua"], uk, uk.STORIES),
        ),
        "dailywire": SiteData(
            SITES["dailywire"],
            LAYOUTS["dailywire"],
            en,
            make_articles(SITES["dailywire"], en, en.STORIES),
        ),
    }
    sites["novosti"].added = make_articles(SITES["novosti"], ru, ru.STORIES[25:26], start=25)
    for article in sites["novosti"].added:
        article.edition = 2
    edited = next(a for a in novosti if a.path.startswith("/politics/rada-prinyala-zakon"))
    blocks = list(edited.blocks)
    blocks[0] = ("p", blocks[0][1].replace(
        "За документ проголосовали 243 народных депутата",
        "За документ проголосовали 243 народных депутата, против выступили 12",
    ))  # fmt: skip
    sites["novosti"].edited[edited.path] = replace(
        edited,
        title="Рада приняла за основу законопроект о мобилизации: что изменится",
        blocks=blocks,
        modified=datetime(2023, 12, 6, 11, 20, tzinfo=KYIV),
    )

    nbu = next(a for a in novosti if "nbu-sohranil" in a.path)
    own = make_articles(SITES["agregator"], ru, ru.STORIES[26:], start=1)
    sites["agregator"] = SiteData(
        SITES["agregator"], LAYOUTS["agregator"], ru, [syndicate(nbu, 0), *own]
    )

    for data in sites.values():
        link_articles(data)
    return sites


def link_articles(data: SiteData) -> None:
    """Give each rendered article a "read also" link; one of them points at a deleted page."""
    ordered = sorted(data.articles + data.added, key=lambda a: a.published)
    for position, article in enumerate(ordered):
        if article.raw is not None:
            continue
        if article.index == data.layout.broken_from:
            article.read_also = Ref(broken_title(data.site.language), data.layout.broken)
        elif position:
            earlier = ordered[random.Random(article.path).randrange(position)]
            article.read_also = Ref(earlier.title, earlier.path)


def broken_title(language: str) -> str:
    return {
        "ru": "Депутаты отозвали законопроект о госслужбе",
        "uk": "Відключення світла скасували в усіх областях",
        "en": "Prime minister resigns over budget row",
    }[language]


# --- rendering ------------------------------------------------------------------------------


def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html", "xml"]),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.policies["json.dumps_kwargs"] = {"ensure_ascii": False, "sort_keys": False}
    env.filters["rfc822"] = format_datetime
    env.filters["iso"] = lambda dt: dt.isoformat()
    env.filters["human"] = human_date
    env.filters["author_ld"] = lambda name: {"@type": "Person", "name": name}
    env.globals["origin"] = origin
    return env


def url_file(path: str) -> str:
    """The file under site/<name>/ that serves a URL path ("/" -> "index.html")."""
    rel = path.lstrip("/")
    return rel + "index.html" if rel == "" or rel.endswith("/") else rel


@dataclass
class Page:
    """One listing or simple page."""

    path: str
    title: str
    items: list[tuple[str, Article]] = field(default_factory=list)  # (href, article)
    text: list[str] = field(default_factory=list)
    prev: str | None = None
    next: str | None = None
    kind: str = "list"


def paginate(base: str, title: str, articles: list[Article], size: int) -> list[Page]:
    chunks = [articles[i : i + size] for i in range(0, len(articles), size)] or [[]]
    paths = [base] + [f"{base}page/{n}/" for n in range(2, len(chunks) + 1)]
    return [
        Page(
            paths[i],
            title,
            [(a.path, a) for a in chunk],
            prev=paths[i - 1] if i else None,
            next=paths[i + 1] if i + 1 < len(paths) else None,
        )
        for i, chunk in enumerate(chunks)
    ]


def listing_pages(data: SiteData, articles: list[Article]) -> list[Page]:
    """Home, archive, sections, tags, authors, monthly archives, about, search, static pages."""
    layout, language = data.layout, data.site.language
    pages = paginate(layout.archive, data.site.brand, articles, layout.archive_page_size)
    if layout.archive == "/":  # WordPress: the home page is the first page of the archive
        home = pages[0]
    else:
        home = Page("/", data.site.brand, [(a.path, a) for a in articles[:12]])
        pages.insert(0, home)
    home.kind = "home"
    # Some home page links carry the tracking parameters of shares in messengers.
    home.items = [
        (path + (TRACKING[i % 2] if i % 3 == 1 else ""), a)
        for i, (path, a) in enumerate(home.items)
    ]
    sections: dict[Ref, list[Article]] = {}
    groups: dict[Ref, list[Article]] = {}  # tags, authors, months: one page each, no leads
    for article in articles:
        sections.setdefault(article.section, []).append(article)
        for ref in [*article.tags, *article.authors]:
            groups.setdefault(ref, []).append(article)
    if data.site.name == "novosti":  # linked from the seed page's body
        groups.setdefault(Ref("Kazakhstan Engineering", "/tag/kazakhstan-engineering/"), [])
    if data.site.name == "vesti-ua":  # WordPress monthly archives
        for article in articles:
            month = Ref(f"{article.published:%m.%Y}", f"/{article.published:%Y/%m}/")
            groups.setdefault(month, []).append(article)
    for ref in sorted(sections, key=lambda r: r.path):
        pages += paginate(ref.path, ref.name, sections[ref], layout.section_page_size)
    for ref in sorted(groups, key=lambda r: r.path):
        pages.append(Page(ref.path, ref.name, [(a.path, a) for a in groups[ref]], kind="group"))
    titles = STATIC_TITLES[language]
    for path in ("/about/", "/search/", *layout.static):
        pages.append(Page(path, titles[path], text=STATIC_TEXT[language], kind=path.strip("/")))
    return pages


def article_context(data: SiteData, article: Article, articles: list[Article]) -> dict:
    earlier = [a for a in articles if a.published < article.published]
    rng = random.Random("popular:" + article.path)
    # Drawn from the edition-1 list so that a new article does not reshuffle every sidebar.
    others = [a for a in sidebar(data, articles, 100) if a.path != article.path]
    layout = data.layout
    return {
        "a": article,
        "latest": earlier[:6],
        "popular": rng.sample(others, min(3, len(others))),
        "traps": article.index == layout.traps_from and article.raw is None,
        "jsonld": article.index % 3 == 0,
        "og_time": article.index % 3 != 1,
    }


def sidebar(data: SiteData, articles: list[Article], count: int = 6) -> list[Article]:
    """The latest edition-1 articles, as the given edition shows them (edited titles)."""
    current = {a.path: a for a in articles}
    first = sorted(data.articles, key=lambda a: (a.published, a.path), reverse=True)[:count]
    return [current[a.path] for a in first]


def vesti_charset(article_index: int) -> str:
    """How a vesti-ua article declares windows-1251: in the header or in one of two meta tags."""
    return ("header", "meta-charset", "header", "meta-http-equiv")[article_index % 4]


def render_site(
    data: SiteData, edition: int, env: Environment
) -> dict[str, tuple[bytes, datetime, str | None]]:
    """Every file of one site in one edition: relative file -> (bytes, Last-Modified, type)."""
    name, site, layout = data.site.name, data.site, data.layout
    articles = data.articles_in(edition)
    redirected = redirect_target(data)
    common = {
        "site": site,
        "layout": layout,
        "o": origin(name),
        "articles": articles,
        "sections": sorted({a.section for a in articles}, key=lambda r: r.path),
        "sidebar": sidebar(data, articles),
        "redirect_title": next(a.title for a in articles if a.path == redirected),
    }
    files: dict[str, tuple[bytes, datetime, str | None]] = {}
    cp1251 = name == "vesti-ua"

    def html(text: str) -> bytes:
        if cp1251:
            return text.encode("cp1251", errors="xmlcharrefreplace")
        return text.encode("utf-8")

    for article in articles:
        if article.raw is not None:
            body = article.raw.encode("utf-8")
            content_type = None
        else:
            charset = vesti_charset(article.index) if cp1251 else None
            context = {**common, **article_context(data, article, articles), "charset": charset}
            body = html(env.get_template(f"{name}/article.html").render(context))
            content_type = {"header": "text/html; charset=windows-1251", None: None}.get(
                charset, "text/html"
            )
        files[url_file(article.path)] = (body, article.modified, content_type)

    listings = listing_pages(data, articles)
    for page in listings:
        dates = [a.modified for _, a in page.items]
        context = {**common, "page": page, "charset": "both" if cp1251 else None}
        files[url_file(page.path)] = (
            html(env.get_template(f"{name}/list.html").render(context)),
            max(dates, default=EPOCH),
            "text/html; charset=windows-1251" if cp1251 else None,
        )

    newest = max(a.modified for a in articles)
    feed = {
        "rss": ("feed.rss.xml", "application/rss+xml; charset=utf-8"),
        "atom": ("feed.atom.xml", "application/atom+xml; charset=utf-8"),
    }[site.feed_kind]
    feed_file = url_file(site.feed).replace("index.html", "index.xml")
    xml = {
        feed_file: (feed[0], articles[:15], feed[1]),
        "sitemap.xml": ("sitemap-index.xml", articles, None),
        "sitemap-news.xml": ("sitemap-news.xml", articles[:10], None),
        "sitemap-posts.xml": ("sitemap.xml", articles, None),
        "robots.txt": ("robots.txt", articles, "text/plain; charset=utf-8"),
    }
    pages = [p.path for p in listings if p.kind != "search"]
    for rel, (template, items, content_type) in xml.items():
        context = {**common, "items": items, "pages": pages, "newest": newest,
                   "feed_tracking": FEED_TRACKING if name != "vesti-ua" else ""}  # fmt: skip
        text = env.get_template(f"common/{template}").render(context)
        files[rel] = (text.encode("utf-8"), newest, content_type)

    files[url_file(layout.jpeg)] = ((ASSETS / "photo.jpg").read_bytes(), EPOCH, None)
    files[url_file(layout.pdf)] = ((ASSETS / "report.pdf").read_bytes(), EPOCH, None)
    return files


# --- expected results -----------------------------------------------------------------------


def expect(article: Article) -> dict:
    """What a correct crawl stores for this article."""
    counts = {
        kind: sum(1 for k, _ in article.blocks if k == kind) for kind in ("h2", "ul", "quote")
    }
    last = article.paragraphs[-1]
    must = [article.lead, last.rsplit(". ", 1)[-1]]
    must += [items[0] for kind, items in article.blocks if kind == "ul"][:1]
    must_not = [article.read_also.name] if article.read_also else []
    return {
        "path": article.path,
        "title": article.title,
        "language": article.language,
        "paragraphs": len(article.paragraphs),
        "blocks": counts,
        "words": word_count(article.texts()),
        "published": article.published.isoformat(),
        "modified": article.modified.isoformat(),
        "authors": [a.name for a in article.authors],
        "section": article.section.name,
        "tags": [t.name for t in article.tags],
        "must": must,
        "must_not": must_not,
    }


def change(old: Article, new: Article) -> dict:
    """An article silently edited in place: its new state and what it was before."""
    before, after = next(
        (o, n) for o, n in zip(old.paragraphs, new.paragraphs, strict=True) if o != n
    )
    return {
        **expect(new),
        "changed_paragraph": after,
        "before": {"title": old.title, "modified": old.modified.isoformat(), "paragraph": before},
    }


def expected(sites: dict[str, SiteData], rendered: dict[str, dict[int, dict]]) -> dict:
    sources = {}
    for name, data in sites.items():
        files = rendered[name][1]
        article_paths = {a.path for a in data.articles}
        pages = (
            "/" + rel.removesuffix("index.html") for rel in files if rel.endswith("index.html")
        )
        layout = data.layout
        sources[name] = {
            "language": data.site.language,
            "articles": [expect(a) for a in sorted(data.articles, key=lambda a: a.path)],
            "edition2": {
                "added": [expect(a) for a in data.added],
                "changed": [
                    change(a, data.edited[a.path]) for a in data.articles if a.path in data.edited
                ],
            },
            "non_articles": sorted(p for p in pages if p not in article_paths),
            # The seed page's language switch points at a Ukrainian edition that does not exist.
            "broken": [layout.broken, *(["/ua/"] if name == "novosti" else [])],
            "redirects": {layout.redirect_from: redirect_target(data)},
            "files": [layout.pdf, layout.jpeg],
            "feed": data.site.feed,
            "sitemap": "/sitemap.xml",
            "boilerplate": BOILERPLATE[name],
        }
    copy = sites["agregator"].articles[0]
    every = [a for data in sites.values() for a in data.articles + data.added]
    return {
        "sources": sources,
        "syndicated": [
            {
                "original": {"source": "novosti", "path": copy.source.path},
                "copy": {"source": "agregator", "path": copy.path},
            }
        ],
        "search_terms": {
            term: sorted([a.site, a.path] for a in every if term in " ".join(a.texts()))
            for terms in SEARCH_TERMS.values()
            for term in terms
        },
    }


def redirect_target(data: SiteData) -> str:
    return next(a.path for a in data.articles if a.index == data.layout.redirect_to)


# --- output ---------------------------------------------------------------------------------


def generate(out: Path = DEMO_DIR) -> None:
    sites = build()
    env = environment()
    rendered = {
        name: {e: render_site(data, e, env) for e in EDITIONS} for name, data in sites.items()
    }
    site_root = out / "site"
    if site_root.exists():
        shutil.rmtree(site_root)
    for name, editions in rendered.items():
        base = editions[1]
        served: dict[str, tuple[bytes, datetime, str | None]] = dict(base)
        for edition in EDITIONS[1:]:
            served |= {
                f"_edition{edition}/{rel}": entry
                for rel, entry in editions[edition].items()
                if base.get(rel, (None,))[0] != entry[0]
            }
        root = site_root / name
        for rel, (body, _, _) in sorted(served.items()):
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
        data = sites[name]
        manifest = {
            "redirects": {data.layout.redirect_from: redirect_target(data)},
            "content_types": {
                "/" + rel.removesuffix("index.html").removesuffix("index.xml"): ctype
                for edition in EDITIONS
                for rel, (_, _, ctype) in sorted(editions[edition].items())
                if ctype
            },
            "last_modified": {rel: format_datetime(mtime.astimezone(UTC), usegmt=True)
                              for rel, (_, mtime, _) in sorted(served.items())},
        }  # fmt: skip
        write_json(root / "_site.json", manifest)
    write_json(out / "expected.json", expected(sites, rendered))


def write_json(path: Path, value: object) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    generate(Path(sys.argv[1]) if len(sys.argv) > 1 else DEMO_DIR)
