"""Author names out of bylines: "By Jane Doe and John Roe, staff writers | Dec 5, 2023"
becomes ["Jane Doe", "John Roe"].

The byline words and roles below are the product's own knowledge of how outlets in the
languages we crawl write bylines; names themselves are never guessed at.
"""

from __future__ import annotations

import re

# Words that introduce a byline. Matched case-insensitively at the start, colon optional.
_PREFIX = re.compile(
    r"^\s*(?:(?:written|posted|reported|text|words|story|photos?)\s+)?"
    r"(?:by|from|author|authors|автор|авторка|автори|авторы|текст|подготовил[аи]?|"
    r"підготува(?:в|ла|ли)|von|par|por|di|door|przez)\b\s*[:\-–—]?\s*",
    re.IGNORECASE,
)
# Separators between several people in one byline.
_SPLIT = re.compile(r"\s*(?:,|;|\s&\s|\s(?:and|und|et|y|e|и|та|і|й|та)\s)\s*", re.IGNORECASE)
# Parts of a byline that are not names: what follows these is a role, date or place.
_AFTER_NAME = re.compile(r"\s*(?:\||•|·|/|—|–|\s-\s|\(|\bon\b|\bat\b|\bin\b).*$")
_ROLE_WORDS = re.compile(
    r"\b(?:editor|correspondent|reporter|writer|contributor|columnist|"
    r"photographer|journalist|producer|analyst|senior|chief|special|"
    r"редактор\w*|корреспондент\w*|кореспондент\w*|обозревател\w*|оглядач\w*|"
    r"журналист\w*|журналіст\w*|колумніст\w*|фотограф\w*|спецкор\w*)\b",
    re.IGNORECASE,
)
# Words that make a credited name an organisation ("Harbor Sun Staff", "News Nation Bureau").
_ORG_WORDS = re.compile(
    r"\b(?:staff|bureau|desk|team|newsroom|agency|press|news|service|wire|"
    r"редакция|редакція|агентство|агенція|служба|новости|новини)\b",
    re.IGNORECASE,
)
_EMAIL_OR_URL = re.compile(r"\S+@\S+|https?://\S+|www\.\S+|@\w+")
_DIGITS = re.compile(r"\d")
# "РИА PrimaMedia. Последние новости..." : a byline ends where a sentence does.
_SENTENCE_END = re.compile(r"(?<=[^\W\d_]{3})\.\s.*$")
# Lower-case particles that belong inside names.
_PARTICLES = {"van", "von", "der", "de", "da", "del", "la", "le", "bin", "al", "ibn", "di", "du"}


def _is_name(part: str) -> bool:
    words = part.split()
    if not 1 <= len(words) <= 5 or _DIGITS.search(part) or _ROLE_WORDS.search(part):
        return False
    # A short all-capital word is an acronym (РИА, BBC): an organisation, not a person.
    if any(w.isupper() and len(w) <= 4 and w.isalpha() for w in words):
        return False
    return all(w[0].isupper() or w.lower() in _PARTICLES for w in words if w[0].isalpha())


def _tidy(name: str) -> str:
    name = " ".join(name.strip(" ,:;-–—|").split())
    if name.isupper() and len(name) > 3:  # shouted byline: "JOHN SMITH"
        return name.title()
    # Russian papers print surnames in capitals ("Михаил ДЕРИШЕВ"); the archive should
    # file that under the same name as "Михаил Деришев".
    return " ".join(w.title() if w.isupper() and len(w) > 4 else w for w in name.split())


def split_byline(byline: str) -> list[str]:
    """The people named in one byline string, in order, cleaned of labels and roles."""
    text = _EMAIL_OR_URL.sub(" ", " ".join(byline.split()))
    text = _PREFIX.sub("", text, count=1)
    text = _SENTENCE_END.sub("", _AFTER_NAME.sub("", text))
    names = []
    for part in _SPLIT.split(text):
        part = _PREFIX.sub("", _tidy(part), count=1)
        if part and _is_name(part):
            names.append(_tidy(part))
    return names


def is_organization(name: str) -> bool:
    """A credited name that is a desk, agency or outlet rather than a person."""
    return bool(_ORG_WORDS.search(name))


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
