"""Language-aware search text: one word -> one index term, the same for the index and the query.

The terms depend on the text alone, so a cluster node's extraction workers compute an
article's on their cores, and the one writer's index triggers (pipelines.textsearch) take
them as computed.

SQLite's FTS5 has no morphology, folds Cyrillic case but not ё, and splits words on
apostrophes. So the archive does not index the text itself: the FTS table is contentless
and is fed *terms*, and every query is rewritten into the same terms:

- lower case, ё -> е, apostrophes (’ ʼ ' ‘ `) dropped inside a word, hyphens split words
  ("из-за" -> "из за", which a query then matches as a phrase);
- Latin words: the English Snowball stemmer ("drones" -> "drone");
- Cyrillic words: pymorphy3's lemma (Ukrainian dictionary when the word is Ukrainian,
  Russian otherwise), then the Russian Snowball stemmer on the lemma ("Казахстану" ->
  "казахстан" -> "казахста", "Києві" -> "київ", "безпілотники" -> "безпілотник").

The term depends on the word alone, never on the article's `language` column: the query
side has no language, and a wrong or missing column must not make an article unfindable.
A word counts as Ukrainian when it has a letter Russian lacks (і ї є ґ), or when it has
none of Russian's own letters (ы э ъ ё) and only the Ukrainian dictionary knows it
("Харкова", "новини").
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import TYPE_CHECKING

import Stemmer

if TYPE_CHECKING:
    import pymorphy3

# A word: letters and digits, apostrophes allowed inside (Ukrainian "м’ясо", English "don't").
WORD = re.compile(r"[^\W_]+(?:['’ʼ‘`][^\W_]+)*")
APOSTROPHES = re.compile(r"['’ʼ‘`]")
CYRILLIC = re.compile(r"[а-яёіїєґ]")
UKRAINIAN_ONLY = frozenset("іїєґ")
RUSSIAN_ONLY = frozenset("ыэъё")


@cache
def _stemmer(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(language)


@cache
def _morph(language: str) -> pymorphy3.MorphAnalyzer:
    # Imported when first needed: its dictionaries take about 70 MB, which an extraction
    # worker that computes no terms must not pay (tests/test_parallel.py).
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang=language)


def _is_ukrainian(word: str) -> bool:
    letters = set(word)
    if letters & UKRAINIAN_ONLY:
        return True
    if letters & RUSSIAN_ONLY:
        return False
    return not _morph("ru").word_is_known(word) and _morph("uk").word_is_known(word)


def _ukrainian_lemma(word: str) -> str:
    # Parses tie on score ("Києві": the name Кий, the noun кий or Київ; "Львові": Львов or
    # Львів). A place or thing is searched for more often than a first name, and the longest
    # noun lemma keeps the stem (Київ, Харків, Львів): prefer those, in that order.
    parses = _morph("uk").parse(word)
    if not parses:
        return word
    best = max(
        parses,
        key=lambda p: (
            not ({"Name", "Surn", "Patr"} & p.tag.grammemes),
            p.tag.POS == "NOUN",
            len(p.normal_form),
        ),
    )
    return best.normal_form


@lru_cache(maxsize=200_000)
def term(word: str) -> str:
    """The index term of one word (as `WORD` finds it): case, ё, apostrophes and endings folded."""
    word = word.lower().replace("ё", "е")
    if not CYRILLIC.search(word):
        return _stemmer("english").stemWord(APOSTROPHES.sub("", word))
    word = APOSTROPHES.sub("'", word)  # pymorphy's dictionaries spell it ASCII
    # Only dictionary words are lemmatised: guessing the lemma of an unknown word (a name,
    # a typo) costs pymorphy3 ~1 ms, and Snowball handles those endings as well.
    if _is_ukrainian(word):
        lemma = _ukrainian_lemma(word) if _morph("uk").word_is_known(word) else word
    elif _morph("ru").word_is_known(word):
        lemma = _morph("ru").parse(word)[0].normal_form.replace("ё", "е")
    else:
        lemma = word
    # Snowball alone stems "Казахстан" and "Казахстану" apart; on the lemma it is stable,
    # and it still joins a word's Russian and Ukrainian lemmas where they share a stem.
    return _stemmer("russian").stemWord(APOSTROPHES.sub("", lemma))


def terms(text: str | None) -> str:
    """The text as index terms, space separated, in order (so phrases still match)."""
    if not text:
        return ""
    return " ".join(term(w) for w in WORD.findall(text))
