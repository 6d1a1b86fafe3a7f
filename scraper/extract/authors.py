"""Author names out of bylines: "By Jane Doe and John Roe, staff writers | Dec 5, 2023"
becomes ["Jane Doe", "John Roe"].

The byline words and roles below are the product's own knowledge of how outlets in the
languages we crawl write bylines; names themselves are never guessed at.
"""

from __future__ import annotations

import re

from scraper.extract import dates

# Words that introduce a byline. Matched case-insensitively at the start, colon optional.
_PREFIX = re.compile(
    r"^\s*(?:(?:written|posted|reported|text|words|story|photos?|(?:(?:all|more)\s+)?"
    r"(?:articles|posts|stories))\s+)?"
    r"(?:by|from|author|authors|contributors?|text|автор|авторка|автори|авторы|текст|подготовил[аи]?|"
    r"підготува(?:в|ла|ли)|von|par|por|di|door|przez"
    # An author box's link: "Все статьи автора Иван Петров", "Всі статті автора ...".
    r"|(?:все|всі)\s+(?:статьи|статті|материалы|матеріали|публикации|публікації)\s+автора)"
    r"\b\s*[:\-–—]?\s*",
    re.IGNORECASE,
)
# A byline's label after other words ("Updated ... Written by", "... | Автор: ...").
_LABEL_INSIDE = re.compile(
    r"(?<=\s)(?:(?:written|posted|reported)\s+)?by\s|(?<=\s)(?:author|автор|текст)\s*:",
    re.IGNORECASE,
)
# Separators between several people in one byline ("A, B, and C", "А, Б и В").
_SPLIT = re.compile(
    r"\s*(?:,\s*(?:and|und|et|и|та|і)\s|,|;|\s&\s|\s(?:and|und|et|y|e|и|та|і|й)\s)\s*",
    re.IGNORECASE,
)
# A credit for a picture, not a byline: "Фото: ...", "Photo by ...", "© Ura.Ru", "Скриншот".
_PICTURE_CREDIT = re.compile(
    r"^\s*(?:©|\(c\)|copyright\b|(?:фото|фотографи[яи]|photos?|foto|image|picture|"
    r"illustration|иллюстрация|ілюстрація|скриншот|скріншот|screenshot|video|видео|відео|"
    r"источник|джерело|source)\w*\b)",
    re.IGNORECASE,
)
# Picture and stock agencies: their name in a byline credits a picture, never the text.
_STOCK_AGENCIES = re.compile(
    r"\b(?:imago|getty\s*images|shutterstock|depositphotos|istock(?:photo)?|alamy|unsplash|"
    r"pexels|pixabay|east\s*news|legion[- ]media|globallookpress|global\s*look\s*press|"
    r"wirestock|stock\.adobe|adobe\s*stock|dreamstime|123rf|freepik)\b",
    re.IGNORECASE,
)
# Parts of a byline that are not names: what follows these is a role, date or place.
_AFTER_NAME = re.compile(r"\s*(?:\||•|·|/|—|–|\s-\s|\(|\bon\b|\bat\b|\bin\b).*$")
_ROLE_WORDS = re.compile(
    r"\b(?:editor|correspondent|reporter|writer|contributor|columnist|"
    r"photographer|journalist|producer|analyst|senior|chief|special|coordinator|manager|"
    r"director|specialist|strategist|consultant|founder|officer|president|"
    r"редактор\w*|корреспондент\w*|кореспондент\w*|обозревател\w*|оглядач\w*|"
    r"журналист\w*|журналіст\w*|колумніст\w*|фотограф\w*|спецкор\w*|"
    r"директор\w*|менеджер\w*|керівни\w*|руководител\w*)\b",
    re.IGNORECASE,
)
# Where a job title starts after a name: its role word, with the words that may lead it
# ("Jane Doe Content Marketing Coordinator", "Will Judd Former Deputy Tech Editor").
_TITLE_START = re.compile(
    r"(?:\b(?:staff|content|marketing|former|deputy|sr\.?|managing|executive|technical|tech|"
    r"головний|главный|старший|шеф)\s+)*" + _ROLE_WORDS.pattern,
    re.IGNORECASE,
)
# Day and month names: "Sat, 20 Dec, 2025" in a byline box is a date, not someone "Sat".
_CALENDAR_WORD = re.compile(
    r"^(?:mon|tue|wed|thu|fri|sat|sun|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"пн|вт|ср|чт|пт|сб|вс|нд)\.?$",
    re.IGNORECASE,
)
# Words that make a credited name an organisation ("Harbor Sun Staff", "News Nation Bureau").
_ORG_WORDS = re.compile(
    r"\b(?:staff|bureau|desk|team|newsroom|agency|press|news|service|wire|"
    r"редакция|редакція|агентство|агенція|служба|новости|новини)\b"
    # News agencies whose name is the whole byline of wire copy, and the words for one
    # ("ИА Regnum": информационное агентство).
    r"|\b(?:reuters|associated press|ap|afp|dpa|efe|ansa|xinhua|bloomberg|pap|upi|иа|іа|"
    r"тасс|интерфакс|інтерфакс|укрінформ|укринформ|униан|уніан|ria|риа|ріа|бела?та)\b",
    re.IGNORECASE,
)
# Not in a person's name: markup, code, a user name ("andrew.keaveney"), a template slot.
_NOT_IN_NAME = re.compile(r"[{}<>=:;@/\\|_#\[\]]|\w\.\w")
_EMAIL_OR_URL = re.compile(r"\S+@\S+|https?://\S+|www\.\S+|@\w+")
_DIGITS = re.compile(r"\d")
# "РИА PrimaMedia. Последние новости..." : a byline ends where a sentence does.
_SENTENCE_END = re.compile(r"(?<=[^\W\d_]{3})\.\s.*$")
# Lower-case particles that belong inside names.
_PARTICLES = {"van", "von", "der", "de", "da", "del", "la", "le", "bin", "al", "ibn", "di", "du"}


def _is_name(part: str, *, stated: bool = False) -> bool:
    """Could `part` be a person's name? A `stated` one (a page's author field) may be in
    lower case; one read from the visible text must be capitalised like a name."""
    words = part.split()
    if not 1 <= len(words) <= 5 or _DIGITS.search(part) or _ROLE_WORDS.search(part):
        return False
    if len(words) == 1 and _CALENDAR_WORD.match(part):
        return False
    if _STOCK_AGENCIES.search(part) or _NOT_IN_NAME.search(part):
        return False
    # A short all-capital word is an acronym (РИА, BBC): an organisation, not a person;
    # one or two capitals are initials ("PJ Hamel", "Nicholas C Stabile").
    if any(w.isupper() and 3 <= len(w) <= 4 and w.isalpha() for w in words):
        return False
    return stated or all(w[0].isupper() or w.lower() in _PARTICLES for w in words if w[0].isalpha())


def _tidy(name: str) -> str:
    name = " ".join(name.strip(" ,:;-–—|").split())
    if name.isupper() and " " in name:  # shouted byline: "JOHN SMITH" (not "ТАСС")
        return name.title()
    # Russian papers print surnames in capitals ("Михаил ДЕРИШЕВ"); the archive should
    # file that under the same name as "Михаил Деришев".
    return " ".join(w.title() if w.isupper() and len(w) > 4 else w for w in name.split())


def split_byline(byline: str, *, stated: bool = False) -> list[str]:
    """The names in one byline string, in order, cleaned of labels and roles; none in a
    picture credit. `stated`: the byline is a page's author field, not visible text."""
    if _PICTURE_CREDIT.match(byline):
        return []
    text = _EMAIL_OR_URL.sub(" ", " ".join(byline.split()))
    # "Updated January 8, 2026 Written by Jane Doe": the names follow the label.
    if (label := _LABEL_INSIDE.search(text)) and label.start() > 0:
        text = text[label.start() :]
    text = _PREFIX.sub("", text, count=1)
    text = _SENTENCE_END.sub("", _AFTER_NAME.sub("", dates.beside_date(text)))
    names = []
    for part in _SPLIT.split(text):
        part = _PREFIX.sub("", _tidy(part), count=1)
        # "Jane Doe Senior Editor": the name is what comes before the role.
        if (role := _TITLE_START.search(part)) and len(part[: role.start()].split()) >= 2:
            part = part[: role.start()].strip()
        if part and _is_name(part, stated=stated):
            names.append(_tidy(part))
    return names


def is_organization(name: str) -> bool:
    """A credited name that is a desk, agency or outlet rather than a person."""
    return bool(_ORG_WORDS.search(name))


def organization_byline(byline: str, *, stated: bool = False) -> str | None:
    """A byline that credits an organisation by an acronym or an agency's name ("ТАСС",
    "TOI Lifestyle Desk", "dpa"), which `split_byline` does not take for a person.
    `stated`: a page's author field, where any short name that is no person's ("CBC
    Bank") is the organisation the page credits; so is a proper name after a byline's
    label ("By: FlowGuard EMEA", "Автор: Группа ЛСР")."""
    clean = " ".join(byline.split())
    labelled = is_labelled(clean)
    text = _PREFIX.sub("", clean, count=1).strip()
    text = _AFTER_NAME.sub("", text).strip() if labelled else text
    if (
        not text
        or len(text.split()) > 5
        or _PICTURE_CREDIT.match(byline)
        or _STOCK_AGENCIES.search(text)
        or _NOT_IN_NAME.search(text)
        or _DIGITS.search(text)
    ):
        return None
    if stated or is_organization(text):
        return text
    proper = all(w[0].isupper() for w in text.split()) and not _ROLE_WORDS.search(text)
    return text if labelled and proper else None


def unique(names: list[str]) -> list[str]:
    """Names in first-seen order without repeats (case- and spacing-insensitive)."""
    seen: set[str] = set()
    out = []
    for name in names:
        key = " ".join(name.casefold().split())
        if key and key not in seen:
            seen.add(key)
            out.append(name)
    return out


# The signature under an article: short, and either labelled ("Автор: ...", "Text: ...")
# or a name with its surname in capitals, as Russian and Ukrainian papers print it.
MAX_SIGNATURE_CHARS = 80
_CAPITAL_SURNAME = re.compile(r"^[^\W\d_][^\W\d_.]*\.?(?:\s+[^\W\d_]\.)?\s+[^\W\d_a-zа-яіїєґ]{3,}$")


# A label that surely introduces people: "by", an author box's "… автора", or any label with
# its colon or dash ("Text: Jane Doe", but "Text size" is a button).
_SURE_LABEL = re.compile(r"\bby\b|\sавтора\b|[:\-–—]\s*$", re.IGNORECASE)


def is_labelled(text: str) -> bool:
    """Does `text` start with a byline's label ("By", "Written by", "Автор:")?"""
    label = _PREFIX.match(text)
    return label is not None and _SURE_LABEL.search(label.group(0)) is not None


def is_bare_label(text: str) -> bool:
    """Is `text` a byline's label and nothing else ("By", "Автор:", "Contributors:"),
    with the names in the markup after it?"""
    return is_labelled(text) and not _PREFIX.sub("", text, count=1).strip()


def byline_at_end(text: str) -> list[str]:
    """The people signed at the end of an article's text, if its last paragraph is a
    signature."""
    last = text.rstrip().rpartition("\n\n")[2].strip()
    if not last or len(last) > MAX_SIGNATURE_CHARS or _PICTURE_CREDIT.match(last):
        return []
    if is_labelled(last) or all(_CAPITAL_SURNAME.match(part) for part in _SPLIT.split(last)):
        return split_byline(last)
    return []
