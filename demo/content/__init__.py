"""Article texts of the demo sites, one module per language (ru, uk, en).

Each language module defines SECTIONS, AUTHORS, CITIES, EXPERTS, TAGS, STORIES, POOLS, GENERIC,
QUOTES, SUBHEADS, LISTS and READ_ALSO; demo.generate combines them into articles.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Story:
    """What makes one article its own; the rest of its body comes from the shared pools."""

    section: str
    headline: str
    lead: str
    facts: list[str]
    slug: str | None = None  # fixed path slug (for pages other pages already link to)
    when: str | None = None  # fixed "YYYY-MM-DD HH:MM" local publication time
    tags: list[str] = field(default_factory=list)
