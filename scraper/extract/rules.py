"""What boilerplate looks like, as data: the body extractor's algorithm lives in body.py.

Every rule here is generic (seen on many sites); none names a site. To add your own:

* Class/id hints: add a word to `NEGATIVE_HINTS` (a block whose class or id contains it is
  dropped, unless it holds most of the page's text) or `POSITIVE_HINTS` (a block that is
  probably the article). Words match whole tokens of a class or id split on `-`, `_`,
  spaces and camelCase, and their plural with `s`: "share" matches `share-bar`,
  `post_shares`, `shareButtons`, not `shareholder`.
* Phrases: add a lowercase phrase to a language in `BOILERPLATE_PHRASES`. A short block
  (under `PHRASE_BLOCK_MAX_CHARS`) that starts with one is dropped; a heading or label
  that is exactly one ("Related articles", "Читайте также") drops the block of links or
  the box it introduces, and the run of teasers or headlines after it (without its colon:
  "Теги" alone counts as "теги:"). Words that also open ordinary sentences ("Главное")
  go in `BOILERPLATE_LINES`: they count only as a heading or line on their own.
  `BOILERPLATE_MARKERS` are fragments that make a short block boilerplate wherever they
  appear in it ("(c) 2024"); `NOTICE_MARKERS` ("ctrl+enter", "©") do so in somewhat longer
  blocks.

* Generic titles: add a lowercase word to `GENERIC_TITLE_WORDS`; a stated title made only
  of such words and the site's name ("Новости дня | Site") gives way to the page's own
  headline.

Per-source CSS selectors in sources.toml (`body_selector`, `remove_selectors`) win over all
of this; use them when one site needs something no other site does.
"""

from __future__ import annotations

import functools
import re


def words(text: str) -> frozenset[str]:
    """The whitespace-separated words of `text`: keeps long word lists readable."""
    return frozenset(text.split())


# The id of a hidden chunk of a page streamed by React (`<div hidden id="S:3">`), which the
# page's script moves into place: its content is the page's, not hidden.
STREAMED_CHUNK_ID = re.compile(r"S:\d+$")

# Tags that never hold visible text, dropped wherever they are.
NEVER_TEXT = words("script style noscript template svg canvas head")

# Of those, the ones that no broken markup leaves open around an article (unlike a
# `<header>`, `<nav>` or `<button>` never closed): dropped even when they hold most text.
NEVER_HOLDS_ARTICLE = words("footer")

# Tags whose content is never article text, unless broken markup put the article inside.
NEVER_CONTENT = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "canvas",
        "iframe",
        "object",
        "embed",
        "video",
        "audio",
        "map",
        "button",
        "input",
        "select",
        "textarea",
        "label",
        "nav",
        "footer",
        "aside",
        "menu",
        "dialog",
        "figure",
        "figcaption",
        "picture",
        "img",
        "head",
    }
)

# A `<figure>` that holds one of these is the article's own text set in a figure (a
# WordPress table block, a pull quote with its attribution), not a picture: it stays.
TEXT_IN_FIGURE = ["table", "blockquote"]

# Class/id tokens of boxes that are not the article: sharing, related links, ads,
# subscriptions, comments, tags, author boxes, cookie banners, navigation, error reports.
# ("typo" is not one: design systems name text styles so, `typo-block`; an error-report box
# says "error" or "mistake", or is known by its Ctrl+Enter notice.)
NEGATIVE_HINTS = words(
    """
    share sharing sharebar social socials sociallinks addthis sharethis
    related relatedposts recommended recommendation recommendations readmore readalso
    more also similar popular trending mostread latest outbrain taboola
    ad ads adv advert adverts advertisement advertising banner sponsor sponsored promo
    promoted dfp commercial partner partners teaser teasers
    newsletter subscribe subscription signup donate membership
    comment comments comm disqus discussion respond reply replies
    tag tags tagcloud taglist keywords topics categories category
    author authors byline bio biography avatar profile
    cookie cookies consent gdpr
    nav navbar navigation menu breadcrumb breadcrumbs pagination pager
    sidebar footer header masthead toolbar
    caption credit credits copyright photo
    meta date dateline timestamp print email rating rate
    modal popup overlay hidden cta
    error mistake orphus
    """
)

# Of those, the tokens of a comments section: readers' comments are prose and may outweigh
# a short article, so a box named so goes whatever its size (unless it holds the body).
COMMENT_HINTS = words("comment comments comm disqus discussion respond reply replies")

# Class/id tokens of the article itself; they outweigh a negative token in the same name.
POSITIVE_HINTS = words(
    """
    article articlebody article-body body content entry main post story text blog
    news single prose markdown
    """
)

# Class/id tokens of a lead or standfirst, which often sits beside the body container.
LEAD_HINTS = words("lead intro summary standfirst subtitle excerpt abstract dek deck")

# A box before the body whose text opens with the page's meta description, on this many
# characters, is the lead even when its class says nothing.
LEAD_MATCH_CHARS = 40

# A short block of nothing but a date, with a time or weekday or not ("17 января 2012 г.
# (13:17)", "Mon, 16 Jan 2012 23:53:30", "14:57 16.01.2012"), is the page's dateline, not
# article text. (A whole date must be in it, as dates.looks_like_date sees one: a bare year
# or time of day, as in a table or a live blog's entries, is not enough.)
_MONTHS_AND_DAYS = (  # the first letters of months' and weekdays' names, ru / uk / en
    r"(?:янв|фев|мар|апр|ма[йя]|июн|июл|авг|сен|окт|ноя|дек"
    r"|січ|лют|бер|кві|тра|чер|лип|сер|вер|жов|лис|гру"
    r"|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
    r"|пон|вто|сре|чет|пят|суб|вос|вів|п['’]ят|нед|mon|tue|wed|thu|fri|sat|sun)\w*\.?"
)
# ... and of de / fr / es / it / nl / pl / pt ones, with the words a dateline joins them by
# ("05.12.2023, 14:35 Uhr", "5 décembre 2023 à 14h35", "martedì 5 dicembre 2023 alle ore
# 14:35", "5 de diciembre de 2023 a las 14:35", "5 grudnia 2023 r., godz. 14:35"): for datelines
# only, not for tickers' stamps, where some ("set", "gen", "out") would take "5 sets" for one.
# Months may be inflected ("grudnia", "dicembre"); weekdays are whole words ("quarta-feira",
# not "3. Quartal 2023").
_EUROPEAN_MONTHS_AND_DAYS = (
    r"(?:jän|mär|mai|okt|dez|janv|fév|avr|jui|aoû|déc|ene|abr|ago|dic|gen|mag|giu|lug|set|ott"
    r"|fev|out|mrt|mei|sty|lut|kwi|maj|cze|lip|sie|wrz|paź|lis|gru)\w*\.?"
    r"|(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|lundi|mardi|mercredi|jeudi"
    r"|vendredi|samedi|dimanche|lunes|martes|miércoles|jueves|viernes|sábado|domingo|lunedì"
    r"|martedì|mercoledì|giovedì|venerdì|sabato|domenica|maandag|dinsdag|woensdag|donderdag"
    r"|vrijdag|zaterdag|zondag|poniedziałek|wtorek|środa|czwartek|piątek|sobota|niedziela"
    r"|segunda|terça|quarta|quinta|sexta|feira)\.?"
    r"|uhr|um|à|às|h|alle|ore|a las|om|godz\.|r\.|de|del|le|el|il|o"
)
DATE_ONLY_BLOCK = re.compile(
    rf"(?:\d{{1,4}}|{_MONTHS_AND_DAYS}|{_EUROPEAN_MONTHS_AND_DAYS}|г\.?|года?|р\.?|року"
    r"|[\s.,:/|()\-–—])+",
    re.IGNORECASE,
)
DATE_ONLY_MAX_CHARS = 60

# A run of at least TICKER_MIN_ITEMS blocks at the end of a body, each shorter than
# TICKER_ITEM_MAX_CHARS and opening with a time or a date ("14:35", "5 декабря, 14:35",
# "Вчера, 14:35", "Сьогодні о 9:10", "Gestern um 9:10", "05.12.2023", "5 декабря 2023"), is a
# news ticker, not the article's last paragraphs. A stamp may be a block of its own before
# its headline.
TICKER_DAYS = (
    "сегодня|вчера|позавчера|сьогодні|вчора|позавчора|today|yesterday|heute|gestern"
    "|aujourd'hui|hier|hoy|ayer|oggi|ieri|vandaag|gisteren|dzisiaj|dziś|wczoraj|hoje|ontem"
)
TICKER_STAMP = re.compile(
    rf"\s*(?:(?:{TICKER_DAYS}),?\s*(?:в|о|at|um|à|a las|alle|om|o|às)?\s*)?"
    r"(?:\d{1,2}[:.]\d{2}(?!\.?\d)|\d{1,2}\s+\w+\.?,?\s+(?:\d{4},?\s+)?\d{1,2}:\d{2}"
    r"|\d{1,2}[./]\d{1,2}[./]\d{2,4}|\d{1,2}\s+\w+\s+\d{4}"
    rf"|\d{{1,2}}\s+{_MONTHS_AND_DAYS}(?!\w))",
    re.IGNORECASE,
)
# What may follow a stamp in a block that is only a stamp: separators, "г.", a time.
STAMP_REST = re.compile(r"[\s,|]*(?:г\.|р\.)?[\s,|(]*(?:\d{1,2}:\d{2}(?::\d{2})?)?\)?\s*")

# ... or closing with one ("Headline 14:35", "Headline 05.12.2023").
TICKER_END_STAMP = re.compile(r"(?:\d{1,2}:\d{2}|\d{1,2}[./]\d{1,2}[./]\d{2,4})\s*$")
TICKER_MIN_ITEMS = 3
# A ticker may be followed by this many other short blocks (its "All news" link, the
# desk's address), which go with it.
TICKER_TRAILING_BLOCKS = 2
TICKER_ITEM_MAX_CHARS = 250


# Strong evidence of the body: an `itemprop=articleBody` element with this much paragraph
# text wins over scoring; JSON-LD `articleBody` replaces the body when it has at least
# LD_BODY_MIN_WORDS words and LD_BODY_FACTOR times as many as the body found in the markup.
MARKED_BODY_MIN_CHARS = 1000
LD_BODY_MIN_WORDS = 150
LD_BODY_FACTOR = 2

# The safety net: the chosen body is replaced by the densest run of paragraph text (blocks
# with under NET_MAX_LINKS of their text in links count their text, other blocks count
# against the run, at least NET_SHORT_PENALTY characters each) when it has under
# NET_FACTOR times the run's net characters.
NET_FACTOR = 0.5
NET_MAX_LINKS = 0.3
NET_SHORT_PENALTY = 20

# A box after the body's box, beside it, that holds at least FAQ_MIN_CHARS of paragraph text
# (few of them links, and little short text besides) under at least FAQ_MIN_QUESTIONS
# headings that are questions, none of them a link, is the article's FAQ: page builders set
# it in a module of its own, its answers too deep for scoring to credit that module.
FAQ_MIN_CHARS = 300
FAQ_MIN_QUESTIONS = 2

# A run of up to REPEAT_RUN_MAX blocks (a heading and its text), together at least
# REPEAT_MIN_CHARS long, that repeats word for word the run right before it is a copy (a
# card's hover overlay, a slide and its caption twice): kept once. Repeats further apart
# stay: an interview asks each guest the same question.
REPEAT_RUN_MAX = 2
REPEAT_MIN_CHARS = 25

# A block that is only the heading of the readers' comments ("Комментарии (2)", "3
# comments", "Коментарі:"): it and all after it are the comments, not the article.
COMMENTS_HEADING = re.compile(
    r"(?:\d+\s+)?(?:top |reader |readers' )?"
    r"(?:comments?|комментари\w*|коментар\w*|отзыв\w*|відгук\w*|leserkommentare|kommentare"
    r"|commentaires|comentarios|commenti|reacties|komentarz[ey]|comentários)"
    r"(?:\s*\(\d+\)|\s*:?\s*\d*)?:?",
    re.IGNORECASE,
)

# A heading such as "More great stories", "Other news", "Top articles from us", "Mehr aus
# Berlin" counts as one that is exactly a boilerplate phrase.
MORE_STORIES = re.compile(
    r"(?:more|other|related|recommended|popular|latest|top)\b.{0,25}"
    r"\b(?:stories|articles|news|posts|reads|videos)(?: from [\w .]+)?"
    # "Mehr aus Berlin", "Mehr zum Thema Energie", "Meer over Politiek": no full stop
    r"|(?:mehr|weitere) (?:aus|von|zu|zum|zur) [^\W\d][\w -]*"
    r"|meer (?:over|uit|van) [^\W\d][\w -]*"
)

# A list of other stories or of readers' comments, on a portal page after a short article:
# at least LIST_MIN_ITEMS items in a row of the same make, each with a line under
# STAMP_LINE_MAX_CHARS that holds a date or a time of day, a linked headline or a name
# beside that date ("Иван, 12.01.2012 14:35"), and up to LIST_ITEM_MAX_PARAGRAPHS
# paragraphs of LIST_ITEM_MAX_CHARS in all. Its text is not the article going on.
LIST_MIN_ITEMS = 3
LIST_ITEM_MAX_PARAGRAPHS = 2
LIST_ITEM_MAX_CHARS = 600
STAMP_LINE_MAX_CHARS = 80
TIME_OF_DAY = re.compile(r"(?<![\d:.])\d{1,2}:\d{2}(?![\d:])")

# Paragraphs: the elements whose text is a paragraph candidate for scoring; a block this
# long is a paragraph, and this long a real one (not a caption or a teaser's lead).
PARAGRAPH_TAGS = words("p pre blockquote td th li dt dd h1 h2 h3 h4 h5 h6")
MIN_PARAGRAPH_CHARS = 25
REAL_PARAGRAPH_CHARS = 120
# The cells of a layout table: the columns of the page, not sections of one article.
LAYOUT_CELLS = words("td th")

# The headline anchor. The element that repeats the page's headline (the metadata's title)
# is looked for among these tags: headings, and the bold or large boxes and header cells
# of old table layouts; a heading outranks a box, then the first in the page wins. A
# headline shorter than HEADLINE_MIN_CHARS is no anchor (too likely to repeat by chance),
# nor is a link (a teaser pointing at its own page). The metadata's title takes the
# heading or box that the stated title holds beside the site's name.
HEADLINE_TAGS = words("h1 h2 h3 h4 b strong font big span div td th p")
HEADLINE_MIN_CHARS = 15
# A stated title (og:title, <title>) made only of these words and the site's name is the
# title of a section or of the site ("Новости дня", "Головна", "Latest news | Harbour
# Post"), not the story's: the next source, and last the page's own headline element, is
# taken instead. Words of generic section names in ru, uk and en, and their connectors.
GENERIC_TITLE_WORDS = words(
    "новости новость новостей лента ленты главная главное статьи статья статей материалы "
    "публикации последние свежие все сегодня дня день раздел рубрика архив сайт портал "
    "официальный и в на по о "
    "новини новина новин стрічка головна головне статті стаття матеріали публікації "
    "останні свіжі всі усі сьогодні розділ архів та й у "
    "news latest home homepage main page index articles article stories story headlines "
    "breaking today top the and of in on all welcome archive section posts blog site"
)
# A generic title is short: at most this many words.
GENERIC_TITLE_MAX_WORDS = 6
# The body is what follows its headline: the first paragraph after it, past at most
# HEADLINE_REACH_BLOCKS short blocks (a dateline, a byline, a kicker, a photo caption).
# That paragraph's box wins over a better-scored box elsewhere on the page when it holds
# at least HEADLINE_BODY_MIN_CHARS of paragraph text and HEADLINE_BODY_SHARE of the other
# box's: a brief loses to the other news a few times its size, but a box of a lead's
# length beside a body ten times longer is a summary or a teaser, not the article.
HEADLINE_REACH_BLOCKS = 6
HEADLINE_BODY_MIN_CHARS = 120
HEADLINE_BODY_SHARE = 0.2

# After a heading that is exactly a boilerplate phrase ("Ссылки по теме:"), blocks shorter
# than this with no full stop are headlines of other stories, linked or not.
HEADLINE_MAX_CHARS = 150

# A list with at least this many items that are a linked headline and a lead cut short
# ("…"), most of its items, is a list of other stories.
TEASER_LIST_MIN_ITEMS = 3

# The closing lines of a body, each shorter than CONTACT_LINE_MAX_CHARS, that give an
# e-mail address or a handle to follow, or credit a contributor: the author's or the
# desk's signature, not the article.
CONTACT_LINE = re.compile(
    r"[\w.+-]+@[\w-]+\.[\w.]+|\bfollow (?:us|him|her|them|me)\b|contributed to this report",
    re.IGNORECASE,
)
CONTACT_LINE_MAX_CHARS = 250

# A block that is only a gallery's counter ("Image 1 of 5", "Фото 2 из 10", "Bild 1 von 5").
GALLERY_COUNTER = re.compile(
    r"(?:image|photo|picture|slide|bild|foto|imagen|immagine|afbeelding|zdjęcie"
    r"|фото|снимок|слайд|світлина)\s+\d+\s*(?:of|/|из|з|von|sur|de|di|van|z)\s*\d+",
    re.IGNORECASE,
)

# A block that is a label alone ("Автор:", "Теги:") drops the block after it too, its value,
# when that is shorter than this.
LABEL_VALUE_MAX_CHARS = 80

# Blocks shorter than this that start with a boilerplate phrase are dropped.
PHRASE_BLOCK_MAX_CHARS = 200

# Lowercase phrases that open boilerplate blocks, per language.
BOILERPLATE_PHRASES: dict[str, tuple[str, ...]] = {
    "en": (
        "share this",
        "share on",
        "share article",
        "share:",
        "related articles",
        "related stories",
        "related posts",
        "related:",
        "related",
        "read more",
        "read also",
        "see also",
        "more from",
        "more on this",
        "recommended",
        "you may also like",
        "you might also like",
        "advert",
        "sponsored",
        "don't miss",
        "don’t miss",
        "must read",
        "most popular",
        "most read",
        "trending now",
        "this slideshow requires javascript",
        "subscribe to",
        "sign up for",
        "sign up to",
        "get our newsletter",
        "enter your email",
        "your email address",
        "follow us",
        "comments",
        "leave a comment",
        "leave a reply",
        "you must be logged in to post a comment",
        "print this",
        "printer-friendly",
        "printer friendly",
        "log in to comment",
        "to leave a comment",
        "add a comment",
        "tags",
        "topics:",
        "filed under",
        "photo:",
        "image:",
        "credit:",
        "image credit",
        "getty images",
        "we use cookies",
        "this site uses cookies",
        "report an error",
        "spotted an error",
        "found a typo",
        "all rights reserved",
        "copyright",
    ),
    "ru": (
        "поделиться",
        "поделитесь",
        "читайте также",
        "читайте по теме",
        "читай также",
        "читать также",
        "смотрите также",
        "по теме",
        "ссылки по теме",
        "подписка на рассылку",
        "подписаться на рассылку",
        "введите ваш e-mail",
        "введите e-mail",
        "ваш e-mail",
        "ваш email",
        "похожие новости",
        "похожие материалы",
        "другие новости",
        "последние новости",
        "популярное",
        "самые популярные",
        "самое популярное",
        "самое читаемое",
        "реклама",
        "подписывайтесь",
        "подпишитесь",
        "подписаться",
        "комментарии",
        "добавить комментарий",
        "добавить отзыв",
        "всего комментариев",
        "оставить комментарий",
        "теги:",
        "тэги:",
        "метки:",
        "автор:",
        "источник:",
        "фото:",
        "фото ",
        "источник фото",
        "мы используем файлы cookie",
        "заметили ошибку",
        "нашли ошибку",
        "нашли опечатку",
        "зарегистрируйтесь",
        "добавлено:",
        "прочтений:",
        "просмотров:",
        "по материалам",
        "сообщить об ошибке",
        "все права защищены",
        "следите за нами",
        "оставайтесь в курсе",
        "лента новостей",
        "новости часа",
        "все новости",
        "чтобы оставить комментарий",
        "чтобы добавить комментарий",
        "чтобы комментировать",
        "для того чтобы оставить комментарий",
        "для комментирования",
        "новости по теме",
        "материалы по теме",
        "статьи по теме",
        "ваш комментарий",
        "пожалуйста, не оставляйте",
        "просим не оставлять",
        "просим вас не оставлять",
        "уважаемые читатели",
        "для того, чтобы оставить",
        "только зарегистрированные",
        "ваше имя",
        "введите код",
        "код с картинки",
        "текст комментария",
        "авторизуйтесь",
        "отправить другу",
        "отправить по почте",
        "добавить в закладки",
        "добавить в избранное",
        "обсудить на форуме",
        "мнение редакции может не совпадать",
        "редакция не несет ответственности",
        "редакция не несёт ответственности",
        "версия для печати",
        "распечатать",
        "при перепечатке",
        "при цитировании",
        "при копировании",
        "при использовании материалов",
        "использование материалов",
        "гиперссылка на",
        "активная ссылка на",
        "любое использование материалов",
        "при полном или частичном",
        "все права на материалы",
        "на правах рекламы",
        "партнерский материал",
        "партнёрский материал",
        "материал партнера",
        "материал партнёра",
        "новости партнеров",
        "новости партнёров",
        "присоединяйтесь к нам",
        "читайте нас в",
        "подписка на новости",
        "рассказать друзьям",
        "оставьте комментарий",
        "оставьте свой комментарий",
        "ошибка в тексте",
        "если вы нашли ошибку",
        "если вы заметили ошибку",
        "иллюстрация:",
        "автор фото",
        "редактор:",
        "текст:",
        "ключевые слова:",
        "рубрика:",
        "рубрики:",
        "самое обсуждаемое",
        "самые читаемые",
        "главные новости",
        "больше новостей",
        "еще новости",
        "ещё новости",
        "вам может быть интересно",
        "вас может заинтересовать",
        "рекомендуем прочитать",
        "рекомендуем почитать",
        "еще по теме",
        "ещё по теме",
        "другие материалы",
        "другие статьи",
        "сейчас читают",
        "выбор редакции",
        "последние комментарии",
        "новые комментарии",
        "комментариев нет",
        "комментариев пока нет",
        "будьте первым",
        "оцените статью",
        "оцените материал",
        "оцените новость",
        "рейтинг:",
        "голосов:",
        "опубликовано:",
        "дата публикации:",
        "обновлено:",
        "категория:",
        "раздел:",
        "вернуться к списку",
        "вернуться в раздел",
        "вернуться назад",
        "назад к списку",
        "сюжет:",
        "тема:",
        "темы:",
        "персоны:",
        "организации:",
    ),
    "uk": (
        "поділитися",
        "поділіться",
        "читайте також",
        "читай також",
        "дивіться також",
        "за темою",
        "посилання на тему",
        "підписка на розсилку",
        "введіть ваш e-mail",
        "введіть e-mail",
        "схожі новини",
        "інші новини",
        "останні новини",
        "популярне",
        "реклама",
        "підписуйтесь",
        "підписуйтеся",
        "підпишіться",
        "коментарі",
        "додати коментар",
        "залишити коментар",
        "теги:",
        "мітки:",
        "автор:",
        "джерело:",
        "фото:",
        "ми використовуємо файли cookie",
        "помітили помилку",
        "знайшли помилку",
        "знайшли одруківку",
        "зареєструйтесь",
        "додано:",
        "переглядів:",
        "за матеріалами",
        "повідомити про помилку",
        "всі права захищені",
        "усі права захищені",
        "всі права застережено",
        "стежте за нами",
        "стрічка новин",
        "всі новини",
        "усі новини",
        "щоб залишити коментар",
        "щоб додати коментар",
        "щоб додавати коментарі",
        "щоб коментувати",
        "для коментування",
        "новини за темою",
        "матеріали за темою",
        "ваш коментар",
        "шановні читачі",
        "для того, щоб залишити",
        "тільки зареєстровані",
        "лише зареєстровані",
        "ваше ім'я",
        "введіть код",
        "текст коментаря",
        "авторизуйтеся",
        "авторизуйтесь",
        "надіслати другу",
        "додати в закладки",
        "обговорити на форумі",
        "думка редакції може не збігатися",
        "редакція не несе відповідальності",
        "версія для друку",
        "роздрукувати",
        "при передруку",
        "передрук",
        "при цитуванні",
        "при використанні матеріалів",
        "використання матеріалів",
        "гіперпосилання на",
        "будь-яке використання матеріалів",
        "при повному або частковому",
        "на правах реклами",
        "партнерський матеріал",
        "матеріал партнера",
        "новини партнерів",
        "приєднуйтесь до нас",
        "приєднуйтеся до нас",
        "читайте нас у",
        "читайте нас в",
        "підписатися",
        "підписка на новини",
        "залиште коментар",
        "залиште свій коментар",
        "помилка в тексті",
        "якщо ви знайшли помилку",
        "якщо ви помітили помилку",
        "ілюстрація:",
        "автор фото",
        "джерело фото",
        "редактор:",
        "текст:",
        "ключові слова:",
        "рубрика:",
        "рубрики:",
        "більше новин",
        "більше на тему",
        "найпопулярніше",
        "найчитаніше",
        "найобговорюваніше",
        "головні новини",
        "вас може зацікавити",
        "рекомендуємо прочитати",
        "ще за темою",
        "інші матеріали",
        "інші статті",
        "зараз читають",
        "вибір редакції",
        "останні коментарі",
        "нові коментарі",
        "коментарів немає",
        "коментарів поки немає",
        "будьте першим",
        "оцініть статтю",
        "оцініть матеріал",
        "рейтинг:",
        "голосів:",
        "опубліковано:",
        "дата публікації:",
        "оновлено:",
        "категорія:",
        "розділ:",
        "повернутися до списку",
        "повернутися до розділу",
        "повернутися назад",
        "назад до списку",
        "сюжет:",
        "тема:",
        "теми:",
        "персони:",
        "організації:",
    ),
    # German, French, Spanish, Italian, Dutch, Polish and Portuguese: related-link labels,
    # share and follow calls, subscribe boxes, comment prompts, credits, paywall and cookie
    # prompts, tag lines. Words of these that also open ordinary sentences ("Anzeige gegen
    # …", "Partager le pouvoir …", "Comentarios del ministro …") are in BOILERPLATE_LINES.
    "de": (
        "artikel teilen",
        "beitrag teilen",
        "seite teilen",
        "jetzt teilen",
        "teilen:",
        "folgen sie uns",
        "folge uns",
        "lesen sie auch",
        "lesen sie mehr",
        "lesen sie hier",
        "mehr zum thema",
        "zum thema:",
        "passend zum thema",
        "das könnte sie auch interessieren",
        "das könnte sie interessieren",
        "weitere artikel",
        "ähnliche artikel",
        "verwandte artikel",
        "meistgelesen",
        "meistgelesene artikel",
        "- anzeige -",
        "– anzeige –",
        "-anzeige-",
        "anzeige:",
        "newsletter abonnieren",
        "jetzt abonnieren",
        "jetzt anmelden",
        "jetzt registrieren",
        "kommentar schreiben",
        "kommentar verfassen",
        "kommentar abgeben",
        "jetzt kommentieren",
        "diskutieren sie mit",
        "zu den kommentaren",
        "leserkommentare",
        "artikel drucken",
        "artikel merken",
        "druckversion",
        "lesezeit:",
        "lesedauer:",
        "artikel vorlesen",
        "artikel anhören",
        "link kopieren",
        "zur startseite",
        "zurück zur startseite",
        "zurück zur übersicht",
        "bild vergrößern",
        "foto:",
        "fotos:",
        "(foto:",
        "bild:",
        "bilder:",
        "(bild:",
        "bildquelle:",
        "bildnachweis",
        "quelle:",
        "grafik:",
        "jetzt weiterlesen",
        "weiterlesen mit",
        "mit plus lesen",
        "nur für abonnenten",
        "exklusiv für abonnenten",
        "sie sind bereits abonnent",
        "bereits abonnent",
        "wir verwenden cookies",
        "wir nutzen cookies",
        "diese website verwendet cookies",
        "schlagworte:",
        "schlagwörter:",
        "stichworte:",
        "themen:",
        "stand:",
        "aktualisiert am",
        "veröffentlicht:",
        "zuletzt aktualisiert",
        "fehler gefunden",
        "fehler melden",
        "alle rechte vorbehalten",
    ),
    "fr": (
        "partager sur",
        "partager cet article",
        "partager :",
        "partagez",
        "suivez-nous",
        "suivez nous",
        "lire aussi",
        "à lire aussi",
        "a lire aussi",
        "lire également",
        "à lire également",
        "voir aussi",
        "voir également",
        "à voir aussi",
        "sur le même sujet",
        "sur le même thème",
        "dans la même rubrique",
        "articles similaires",
        "articles liés",
        "vous aimerez aussi",
        "vous pourriez aussi aimer",
        "vous pourriez aimer",
        "ces articles pourraient vous intéresser",
        "les plus lus",
        "contenu sponsorisé",
        "contenu partenaire",
        "abonnez-vous",
        "inscrivez-vous",
        "je m'abonne",
        "temps de lecture",
        "écouter cet article",
        "copier le lien",
        "laisser un commentaire",
        "ajouter un commentaire",
        "écrire un commentaire",
        "mots-clés",
        "mots clés",
        "thèmes :",
        "crédit photo",
        "crédits photo",
        "crédit :",
        "photo :",
        "(photo :",
        "source :",
        "illustration :",
        "réservé aux abonnés",
        "article réservé aux abonnés",
        "cet article est réservé",
        "déjà abonné",
        "nous utilisons des cookies",
        "ce site utilise des cookies",
        "signaler une erreur",
        "tous droits réservés",
    ),
    "es": (
        "compartir en",
        "compartir esta",
        "comparte esta",
        "comparte en",
        "síguenos",
        "siguenos",
        "lee también",
        "lea también",
        "leer también",
        "lee más",
        "te puede interesar",
        "le puede interesar",
        "también te puede interesar",
        "quizás te interese",
        "noticias relacionadas",
        "artículos relacionados",
        "contenido relacionado",
        "lo más leído",
        "lo más visto",
        "ver también",
        "contenido patrocinado",
        "suscríbete",
        "suscríbase",
        "tiempo de lectura",
        "copiar enlace",
        "deja un comentario",
        "deja tu comentario",
        "escribe un comentario",
        "etiquetas:",
        "archivado en",
        "foto:",
        "fuente:",
        "imagen:",
        "fotografía:",
        "contenido exclusivo para suscriptores",
        "exclusivo para suscriptores",
        "este contenido es exclusivo",
        "ya eres suscriptor",
        "utilizamos cookies",
        "usamos cookies",
        "este sitio web utiliza cookies",
        "reportar un error",
        "todos los derechos reservados",
    ),
    "it": (
        "condividi",
        "seguici",
        "leggi anche",
        "leggi pure",
        "potrebbe interessarti",
        "ti potrebbe interessare",
        "potrebbero interessarti",
        "articoli correlati",
        "notizie correlate",
        "articoli simili",
        "guarda anche",
        "vedi anche",
        "i più letti",
        "contenuto sponsorizzato",
        "iscriviti",
        "tempo di lettura",
        "copia link",
        "lascia un commento",
        "scrivi un commento",
        "aggiungi un commento",
        "fonte:",
        "crediti:",
        "immagine:",
        "riservato agli abbonati",
        "contenuto riservato agli abbonati",
        "sei già abbonato",
        "utilizziamo i cookie",
        "questo sito utilizza cookie",
        "questo sito usa cookie",
        "argomenti:",
        "tag:",
        "tutti i diritti riservati",
    ),
    "nl": (
        "deel dit",
        "delen via",
        "volg ons",
        "lees ook",
        "lees meer",
        "meer over dit onderwerp",
        "meer over:",
        "meer nieuws",
        "gerelateerde artikelen",
        "gerelateerd:",
        "bekijk ook",
        "zie ook",
        "meest gelezen",
        "advertentie",
        "abonneer",
        "leestijd",
        "link kopiëren",
        "plaats een reactie",
        "laat een reactie achter",
        "beeld:",
        "bron:",
        "alleen voor abonnees",
        "word abonnee",
        "al abonnee",
        "wij gebruiken cookies",
        "we gebruiken cookies",
        "deze website gebruikt cookies",
        "onderwerpen:",
        "trefwoorden:",
        "alle rechten voorbehouden",
    ),
    "pl": (
        "udostępnij",
        "podziel się",
        "obserwuj nas",
        "czytaj także",
        "czytaj też",
        "czytaj również",
        "czytaj więcej",
        "zobacz też",
        "zobacz także",
        "zobacz również",
        "przeczytaj też",
        "przeczytaj także",
        "przeczytaj również",
        "podobne artykuły",
        "powiązane artykuły",
        "najczęściej czytane",
        "może cię zainteresować",
        "może cię również zainteresować",
        "może cię też zainteresować",
        "zasubskrybuj",
        "czas czytania",
        "kopiuj link",
        "dodaj komentarz",
        "napisz komentarz",
        "skomentuj",
        "fot.",
        "fot:",
        "źródło:",
        "zdjęcie:",
        "tylko dla subskrybentów",
        "wykup subskrypcję",
        "używamy plików cookie",
        "ta strona używa plików cookie",
        "ta strona korzysta z plików cookie",
        "tagi:",
        "tematy:",
        "słowa kluczowe:",
        "wszelkie prawa zastrzeżone",
    ),
    "pt": (
        "compartilhe",
        "partilhe",
        "siga-nos",
        "leia também",
        "leia mais",
        "veja também",
        "veja mais",
        "saiba mais",
        "notícias relacionadas",
        "artigos relacionados",
        "matérias relacionadas",
        "relacionadas:",
        "você também pode gostar",
        "você pode gostar também",
        "mais lidas",
        "mais lidos",
        "assine já",
        "assine agora",
        "inscreva-se",
        "tempo de leitura",
        "copiar link",
        "deixe seu comentário",
        "deixe um comentário",
        "créditos:",
        "crédito:",
        "exclusivo para assinantes",
        "conteúdo exclusivo para assinantes",
        "já é assinante",
        "este site utiliza cookies",
        "este site usa cookies",
        "tópicos:",
        "temas:",
        "todos os direitos reservados",
    ),
}

# Headings and lines that are boilerplate only when they are the whole line (a heading
# "Главное" over other stories, an age rating "18+", a comment's "Ответить" button, the
# site's "Мобильная версия" link): as the opening of a sentence they are ordinary words
# ("Главное — не паниковать"). They count as headings the way a whole phrase above does,
# and drop the teasers after them.
BOILERPLATE_LINES: tuple[str, ...] = (
    "главное",
    "головне",
    "рекомендуем",
    "рекомендуємо",
    "комментировать",
    "коментувати",
    "поширити",
    "мне нравится",
    "подобається",
    "твитнуть",
    "назад",
    "новости",
    "новини",
    "архив",
    "архів",
    "видео",
    "відео",
    "фоторепортаж",
    "фотогалерея",
    "хроника",
    "хроніка",
    "rss",
    "ответить",
    "відповісти",
    "пожаловаться",
    "поскаржитися",
    "цитировать",
    "цитувати",
    "войти",
    "увійти",
    "вход",
    "вхід",
    "регистрация",
    "реєстрація",
    "поиск",
    "пошук",
    "мобильная версия",
    "мобільна версія",
    "полная версия",
    "повна версія",
    # de, fr, es, it, nl, pl, pt: share, ad and comment labels, "more" and "related" links,
    # sign-up calls that are also a service piece's instructions ("Regístrate en la web …")
    # ("Teilen" and "Anzeige" count too, as their labels "teilen:" and "anzeige:" above do;
    # "Das Wichtigste in Kürze" does not: as often as not it heads the article's own summary)
    "werbung",
    "kommentare",
    "kommentieren",
    "auch interessant",
    "ebenfalls interessant",
    "weitere nachrichten",
    "weitere meldungen",
    "weitere beiträge",
    "weiterlesen",
    "mehr erfahren",
    "drucken",
    "zurück",
    "publicité",
    "commentaires",
    "commenter",
    "réagir",
    "compartir",
    "comparte",
    "publicidad",
    "comentarios",
    "comentar",
    "leer más",
    "más información",
    "te recomendamos",
    "suscribirse",
    "regístrate",
    "pubblicità",
    "commenti",
    "commenta",
    "abbonati",
    "delen",
    "reacties",
    "reageer",
    "ook interessant",
    "meld je aan",
    "schrijf je in",
    "reklama",
    "polecamy",
    "zapisz się",
    "komentarze",
    "compartilhar",
    "partilhar",
    "publicidade",
    "comentários",
    "comente",
    "assine",
    "cadastre-se",
    "0+",
    "6+",
    "12+",
    "16+",
    "18+",
)

# Fragments that mark a short block as boilerplate wherever they appear in it.
BOILERPLATE_MARKERS: tuple[str, ...] = (
    "(c) 20",
    "newsletter",
)

# Fragments of the "found a typo? select it and press Ctrl+Enter" notice and of the
# copyright line: a block that holds one is boilerplate up to NOTICE_BLOCK_MAX_CHARS, since
# both often run on for a sentence or two (thanks, instructions, terms of reprinting).
NOTICE_MARKERS: tuple[str, ...] = (
    "ctrl+enter",
    "ctrl + enter",
    "ctrl-enter",
    "ctrl enter",
    "©",
    "alle rechte vorbehalten",
    "tous droits réservés",
    "todos los derechos reservados",
    "tutti i diritti riservati",
    "riproduzione riservata",
    "alle rechten voorbehouden",
    "wszelkie prawa zastrzeżone",
    "todos os direitos reservados",
    # the terms of reprinting, wherever the sentence starts: "... ссылка на сайт обязательна"
    "ссылка обязательна",
    "сайт обязательна",
    "источник обязательна",
    "посилання обов",
    "сайт обов",
    "джерело обов",
)
NOTICE_BLOCK_MAX_CHARS = 400

_TOKEN_SPLIT = re.compile(r"[\s_\-:.]+|(?<=[a-z])(?=[A-Z])")

# Utility classes of CSS frameworks that only lay a box out, with a hint word in them:
# `overflow-hidden` clips a box's edges and says nothing of what it holds (unlike `hidden`).
LAYOUT_UTILITY = re.compile(r"(?<![a-z])overflow[-_](?:[xy][-_])?hidden(?![a-z])", re.IGNORECASE)


@functools.lru_cache(maxsize=8192)  # class names repeat across a page and a site
def hint_tokens(value: str) -> tuple[str, ...]:
    """Lowercase tokens of a class or id, plurals folded: "shareButtons" -> share, buttons."""
    tokens = []
    for token in _TOKEN_SPLIT.split(LAYOUT_UTILITY.sub(" ", value)):
        token = token.lower()
        if len(token) > 3 and token.endswith("s") and token[:-1] in NEGATIVE_HINTS:
            token = token[:-1]
        if token:
            tokens.append(token)
    return tuple(tokens)


ALL_PHRASES: tuple[str, ...] = tuple(
    sorted({p for phrases in BOILERPLATE_PHRASES.values() for p in phrases}, key=len, reverse=True)
)
# A heading that is one of these as a whole names a box around the article.
BOX_HEADINGS = frozenset(p.rstrip(": ") for p in ALL_PHRASES + BOILERPLATE_LINES)


def names_a_box(low: str) -> bool:
    """Whether a heading's lower-cased text names a box around the article ("читайте
    также", "lees ook", "more stories from …"): never the story's own headline."""
    low = low.rstrip(": ")
    return low in BOX_HEADINGS or bool(MORE_STORIES.fullmatch(low))
