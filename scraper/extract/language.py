"""The language of an article, from its text; what the page declares is only a hint.

py3langid ships its model inside the package (no download at run time). The model is
loaded on first use (about 0.7 s), not at import, so the CLI starts fast.

Russian and Ukrainian share most letters, and a Ukrainian page quoting Russian (or the
other way round) can fool a character-n-gram model; letters that exist in only one of
the two alphabets settle it.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

# Below this many letters the text says too little, and the declaration wins.
MIN_LETTERS = 40
# The model must be at least this sure to overrule what the page declares.
MIN_CONFIDENCE = 0.9
# Enough text to decide; more only costs time.
MAX_CHARS = 5000

_UKRAINIAN_ONLY = re.compile(r"[іїєґІЇЄҐ]")
_RUSSIAN_ONLY = re.compile(r"[ыэъёЫЭЪЁ]")
_LETTER = re.compile(r"[^\W\d_]")
# Codes pages write that are not ISO 639-1 for the language meant.
_ALIASES = {"ua": "uk", "ru_ua": "ru", "iw": "he", "in": "id", "ji": "yi", "jw": "jv"}


@cache
def _identifier() -> LanguageIdentifier:
    # Imported here: py3langid brings numpy, which the CLI should not pay for at start.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def normalize_code(declared: str | None) -> str | None:
    """ISO 639-1 from a declaration such as "ru-RU", "uk_UA", "en-us" or "ua"."""
    if not declared:
        return None
    code = declared.strip().lower().replace("-", "_")
    code = _ALIASES.get(code, code).split("_")[0]
    code = _ALIASES.get(code, code)
    return code if re.fullmatch(r"[a-z]{2}", code) else None


def _russian_or_ukrainian(text: str) -> str | None:
    uk, ru = len(_UKRAINIAN_ONLY.findall(text)), len(_RUSSIAN_ONLY.findall(text))
    if uk > 2 * ru and uk >= 2:
        return "uk"
    if ru > 2 * uk and ru >= 2:
        return "ru"
    return None


def detect_language(text: str, hint: str | None = None) -> str | None:
    """ISO 639-1 code of `text`; `hint` is the page's declaration (any common form)."""
    hint = normalize_code(hint)
    text = text[:MAX_CHARS]
    if len(_LETTER.findall(text)) < MIN_LETTERS:
        return hint or (_russian_or_ukrainian(text) if text else None)
    code, confidence = _identifier().classify(text)
    if code in ("ru", "uk"):
        code = _russian_or_ukrainian(text) or code
    elif hint and confidence < MIN_CONFIDENCE:
        return hint
    return code
