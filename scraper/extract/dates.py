"""Dates as pages write them, turned into ISO 8601.

Machine dates (ISO 8601, RFC 2822) are parsed with the standard library. Dates in words
("5 декабря 2023, 14:37", "вчора о 14:20", "2 hours ago") go to dateparser, which is
slow and so is imported lazily and called only on short candidate strings.

A date without a time stays a date ("2023-12-05"): inventing midnight would make it look
more precise than the page is. A time without a zone gets the source's zone when one is
configured, and otherwise stays naive, as the page gave it.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from functools import cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from lxml.html import HtmlElement

# A parsed date: a datetime when the page gave a time, a date when it gave only the day.
When = datetime | date

# Longer strings are sentences, not dates; dateparser would be slow and wrong on them.
MAX_DATE_TEXT = 80
# Languages dateparser tries when the page's own is unknown or unsupported.
DEFAULT_LANGUAGES = ("en", "ru", "uk")

_URL_DATE = re.compile(
    r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?=[/._-]|$)"
    r"|[/_-]((?:19|20)\d{2})-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(?=[/._-]|$)"
    r"|/((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])/"
)
# /2019/nov/18/: the month in words, read by dateparser.
_URL_WORD_DATE = re.compile(r"/((?:19|20)\d{2})/([a-z]{3,9})/(\d{1,2})/", re.IGNORECASE)
_ISO_DAY = re.compile(r"^\d{4}-?\d{2}-?\d{2}$")  # 2019-11-19 or 20191119
_FIRST_DIGIT = re.compile(r"\d")
_DOTTED_DAY = re.compile(r"\b\d{1,2}\.\d{1,2}\.\d{2,4}\b")
# RFC 2822 ("Tue, 05 Dec 2023 14:37:00 GMT"); the email parser is lenient enough to
# misread other English dates ("Dec 5, 2023 2:37 pm" as 02:37), so only this shape goes in.
_RFC_2822 = re.compile(r"^(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}")
# A clock time with nothing else ("11:02", "T11:02:00"): no day is given, so none is read.
_CLOCK_ONLY = re.compile(r"^T?\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?$")
# A length of time with no "ago" ("8 minutes", "5 min read", "3 хвилини читання") is a
# reading time, not a date counted back from now.
_DURATION = re.compile(
    r"^\d+\s*(?:min(?:ute)?s?|hours?|мин(?:ут[аы]?)?|хв(?:илин[аи]?)?|час(?:а|ов)?|годин[аи]?)"
    r"\.?(?:\s+(?:read|reading|чтения|читання|на чтение|на читання))?$",
    re.IGNORECASE,
)


@cache
def zone(name: str | None) -> ZoneInfo | None:
    """The IANA zone called `name`, or None when there is no such zone."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _localize(value: datetime, tz: ZoneInfo | None) -> datetime:
    return value.replace(tzinfo=tz) if value.tzinfo is None and tz else value


def _machine(text: str) -> When | None:
    """ISO 8601 or RFC 2822, the forms of structured data; None for anything else."""
    if _ISO_DAY.match(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(text.replace(" ", "T", 1) if " " in text else text)
    except ValueError:
        pass
    if not _RFC_2822.match(text):
        return None
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


# A date written in running text: 05.12.2023, 2023-12-05, 5 декабря 2023, December 5th,
# 2023, Jan. 5, 2023, and the European shapes: 5. Dezember 2023, 5 de diciembre de 2023,
# 5 grudnia 2023 r. With an optional time after it: "14:37", "в 14:37", "at 2:37 pm",
# "14:35 Uhr", "à 14h35", "alle ore 14:35", "a las 14:35", "- 14:35". Words are checked by
# dateparser.
_TEXT_DATE = re.compile(
    r"\b(?:\d{1,2}[./]\d{1,2}[./](?:19|20)\d{2}|(?:19|20)\d{2}-\d{2}-\d{2}"
    r"|\d{1,2}\.?\s+(?:de\s+)?[^\W\d_]{3,12}\.?,?\s+(?:del?\s+)?(?:19|20)\d{2}"
    r"|[^\W\d_]{3,12}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{2})"
    r"(?:\s+(?:року|года|р\.|г\.|r\.))?"
    r"(?:,?\s+(?:[-–—|]\s+)?(?:в|о|at|um|à|às|om|o|a\s+las|alle(?:\s+ore)?|ore)?\s*"
    r"\d{1,2}[:h]\d{2}(?:\s*[ap]\.?m\.?|\s+uhr\b|\s*h\b)?)?",
    re.IGNORECASE,
)
# Languages whose month and weekday names dateparser is asked to read when the page's
# language is not given (or not the dateline's): "5 dicembre 2023" with no lang attribute.
EUROPEAN_LANGUAGES = ("de", "fr", "es", "it", "nl", "pl", "pt")
_WORD = re.compile(r"[^\W\d_]{3,}")
_H_CLOCK = re.compile(r"\b(\d{1,2})h(\d{2})\b")


@cache
def _calendar_languages() -> dict[str, tuple[str, ...]]:
    """The European languages writing each month name or abbreviation ("dezember", "dez":
    de and pt; "grudnia": pl) and each weekday's whole name ("dinsdag": nl; abbreviations
    such as "die" and "mit" are common words), as dateparser's own locale data has them.
    English names ("december", "nov") are left out: English is tried anyway."""
    from calendar import day_name, month_name

    from dateparser.languages.loader import default_loader

    def names(code: str, key: str, shortest: int) -> set[str]:
        info = default_loader.get_locale(code).info
        return {name.lower() for name in info.get(key, ()) if len(name) >= shortest}

    found: dict[str, tuple[str, ...]] = {}
    keys = [(m.lower(), 3) for m in month_name[1:]] + [(d.lower(), 5) for d in day_name]
    for key, shortest in keys:
        english = names("en", key, shortest)
        for code in EUROPEAN_LANGUAGES:
            for name in names(code, key, shortest) - english:
                found[name] = (*found.get(name, ()), code)
    return found


def _calendar_hints(text: str) -> tuple[str, ...]:
    """The European languages whose month or weekday names `text` holds, in the order
    written."""
    named = _calendar_languages()
    codes = (code for word in _WORD.findall(text) for code in named.get(word.lower(), ()))
    return tuple(dict.fromkeys(codes))


@cache
def _languages(hint: str | None, named: tuple[str, ...] = ()) -> list[str]:
    """The page's language, the defaults, then those of the month and day names written."""
    from dateparser.languages.loader import LocaleDataLoader

    langs = list(DEFAULT_LANGUAGES)
    if hint and hint not in langs and hint in LocaleDataLoader().get_locale_map():
        langs.insert(0, hint)
    return langs + [code for code in named if code not in langs]


def _words(text: str, *, relative_base: datetime, language: str | None) -> When | None:
    """A date in words, by dateparser; relative dates count back from `relative_base`."""
    from dateparser.date import DateDataParser

    settings = {
        "RELATIVE_BASE": relative_base,
        "PREFER_DATES_FROM": "past",
        "RETURN_TIME_AS_PERIOD": True,
    }
    # Day first everywhere but in American English, and always with dots ("05.12.2023").
    if (language and language != "en") or _DOTTED_DAY.search(text):
        settings["DATE_ORDER"] = "DMY"
    text = _H_CLOCK.sub(r"\1:\2", text)  # "14h35": French reads it, Portuguese does not
    languages = _languages(language, _calendar_hints(text))
    parser = DateDataParser(languages=languages, settings=settings)
    # Labels around the date ("Опубліковано", "Published:", "8 min read") defeat
    # dateparser: retry with the date-shaped part, then from the first digit. The whole
    # string goes first so "вчора о 14:20" keeps its day.
    candidates = [text]
    if (shaped := _TEXT_DATE.search(text)) and shaped.group(0) != text:
        candidates.append(shaped.group(0))
    if (digit := _FIRST_DIGIT.search(text)) and digit.start() > 0:
        candidates.append(text[digit.start() :])
    # Last, let dateparser find the date inside the text ("First Published on Nov 20...").
    for candidate in (*candidates, None):
        if candidate is None:
            from dateparser.search import search_dates

            found = search_dates(text, languages=languages, settings=settings)
            if not found:
                return None
            candidate = found[0][0]
        if _DURATION.match(candidate):
            continue
        data = parser.get_date_data(candidate)
        # A year alone ("2023" found in "5. Dez. 2023" by a language that knows no "Dez")
        # is no day: dateparser would give it today's day and month.
        if data.date_obj is not None and data.period != "year":
            return data.date_obj if data.period == "time" else data.date_obj.date()
    return None


def parse_date(
    text: str | None,
    *,
    fetched_at: datetime,
    timezone: str | None = None,
    language: str | None = None,
) -> When | None:
    """Parse one date string from a page.

    `timezone` (IANA) is given to times without a zone; `fetched_at` anchors relative
    dates; `language` (ISO 639-1) is the page's, a hint for dates in words.
    """
    text = " ".join((text or "").split())
    if not text or len(text) > MAX_DATE_TEXT or _CLOCK_ONLY.match(text):
        return None
    tz = zone(timezone)
    found = _machine(text)
    if found is None and not text.isdigit():  # a bare number is an id, not a date
        base = fetched_at.astimezone(tz or UTC).replace(tzinfo=None)
        found = _words(text, relative_base=base, language=language)
        # A relative date is an instant counted from the fetch, so it has the fetch's zone.
        if isinstance(found, datetime) and found.tzinfo is None:
            found = found.replace(tzinfo=tz or UTC) if _is_relative(text) else found
    if isinstance(found, datetime):
        found = _localize(found, tz)
    return found if found is None or 1990 <= found.year <= 2100 else None


TEXT_DATE_WINDOW = 300  # characters of the article's start: a dateline sits there


def looks_like_date(text: str) -> bool:
    """Does `text` hold something shaped like a date (digits and a month or a year)?"""
    return _TEXT_DATE.search(text) is not None


def date_in_text(
    text: str, *, fetched_at: datetime, timezone: str | None = None, language: str | None = None
) -> When | None:
    """The first date in the opening of an article's text (a dateline), the last resort."""
    for match in _TEXT_DATE.finditer(text[:TEXT_DATE_WINDOW]):
        found = parse_date(
            match.group(0), fetched_at=fetched_at, timezone=timezone, language=language
        )
        if found is not None and not is_future(found, fetched_at):
            return found
    return None


def beside_date(text: str) -> str:
    """What a byline says beside its date: the text before the first date, or after it
    when the date comes first ("Jane Doe July 3, 2025", "Dec 17, 2025 Jane Doe")."""
    found = _TEXT_DATE.search(text)
    if not found:
        return text
    return text[: found.start()].strip() or text[found.end() :]


def outside_date(text: str) -> str:
    """`text` without its first date: what a line says around the date it shows."""
    found = _TEXT_DATE.search(text)
    return text if not found else f"{text[: found.start()]} {text[found.end() :]}".strip()


def _is_relative(text: str) -> bool:
    # Absolute dates in words always carry a year or a day number; relative ones need not
    # ("вчора", "2 години тому" has a digit but no year).
    return not re.search(r"(?:19|20)\d{2}", text) and ":" not in text


def date_from_url(url: str | None) -> date | None:
    """The day in an article URL (/2023/12/05/, -2023-12-05.html, /20231205/)."""
    if url and (words := _URL_WORD_DATE.search(url)):
        year, month, day = words.groups()
        found = _words(f"{day} {month} {year}", relative_base=datetime.now(), language="en")
        return found.date() if isinstance(found, datetime) else found
    if not url or not (match := _URL_DATE.search(url)):
        return None
    groups = [g for g in match.groups() if g]
    try:
        return date(int(groups[0]), int(groups[1]), int(groups[2]))
    except ValueError:
        return None


def htmldate_day(page: str | HtmlElement, url: str | None, *, fetched_at: datetime) -> date | None:
    """The publication day htmldate finds in a whole page (its markup, text and URL).

    `page` is the page's lxml.html tree (htmldate works on a copy) or, when lxml refused
    it, its text.

    htmldate gives a day, never a time, and nothing later than the fetch. Its extensive
    search ends with the copyright year as 1 January ("© 2023" becomes 2023-01-01): a
    year alone is no day, so 1 January stands only if the search without it finds it too.
    """
    from htmldate import find_date

    # htmldate downloads a string that looks like a URL; a page without a space is none.
    if isinstance(page, str) and " " not in page:
        return None
    options = {"url": url, "original_date": True, "max_date": fetched_at.date().isoformat()}
    try:
        found = find_date(page, **options)
        if found and found.endswith("-01-01"):
            found = find_date(page, extensive_search=False, **options)
    except (ValueError, TypeError):  # a page lxml cannot parse at all
        return None
    return date.fromisoformat(found) if found else None


def instant(value: When) -> datetime:
    """A comparable UTC datetime; naive times and bare days are taken as UTC."""
    if not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def is_future(value: When, fetched_at: datetime) -> bool:
    """Later than the fetch: a bare day counts as its whole day, so today is not future."""
    if not isinstance(value, datetime):
        return instant(value) > fetched_at + timedelta(days=1)
    # A naive time may be up to 14 hours off UTC: allow for it rather than reject today.
    slack = timedelta(hours=14) if value.tzinfo is None else timedelta(minutes=5)
    return instant(value) > fetched_at + slack


def isoformat(value: When) -> str:
    """ISO 8601, to the second; `Z` is written as `+00:00` like every other offset."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat()


def to_utc(iso: str | None) -> str | None:
    """The UTC copy of a stored date, for sorting; naive times and bare days unchanged."""
    if not iso:
        return None
    value = _machine(iso)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).isoformat(timespec="seconds")
    return iso
