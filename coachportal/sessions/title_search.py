"""Title search of the library: every typed word must start a word of the title.

Word prefixes, not substrings, so the search stays bounded at a million sessions: on PostgreSQL it is a
full-text query (`'sprint':* & '3':*`, 'simple' configuration: lower-cased, no stemming or stop words)
served by a GIN index on the same expression (migration 0005). A substring search needs trigrams, and
the trigram lists of common letter groups ("ses", "ion") grow with the data. Other databases (the
embedded SQLite default) apply the same rule with a regular expression, after a LIKE that narrows the
rows cheaply.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connections
from django.db.models import QuerySet

# The indexed expression; the migration builds its index from this same object so the two agree.
TITLE_VECTOR = SearchVector("title", config="simple")


def search_words(text: str) -> list[str]:
    """The words of a search: separated by white space, each with at least one letter or digit."""
    return [word for word in (text or "").split() if any(char.isalnum() for char in word)]


def prefix_query(words: list[str]) -> str:
    """A raw tsquery in which each word is a quoted prefix: PostgreSQL's parser splits it like titles."""

    def quoted(word: str) -> str:
        return "'" + word.replace("\\", "\\\\").replace("'", "''") + "':*"

    return " & ".join(quoted(word) for word in words)


def filter_titles(sessions: QuerySet, text: str) -> QuerySet:
    words = search_words(text)
    if not words:
        return sessions
    if connections[sessions.db].vendor == "postgresql":
        query = SearchQuery(prefix_query(words), config="simple", search_type="raw")
        return sessions.alias(title_words=TITLE_VECTOR).filter(title_words=query)
    for word in words:
        if word.isascii():  # SQLite's LIKE folds only ASCII case
            sessions = sessions.filter(title__icontains=word)
        # Not preceded by a letter or digit: the word starts a word of the title.
        sessions = sessions.filter(title__iregex=r"(?<![^\W_])" + re.escape(word))
    return sessions
