"""The hostile query list: one query per limit of the search service, timed.

Each query is something a user (or an attacker) can type; before the limits, several
of them held a worker for minutes (``"wind farm"~9999999``). Each must now be answered
with a message, within the search time budget, on any archive. ``tests/search/test_hostile.py``
checks the messages on a small archive; the benchmark reports the times at scale.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

from bench.measure import summary_ms


@dataclass(frozen=True)
class HostileQuery:
    limit: str  # the limit it runs into
    q: str
    message: str  # a part of the message the user must see
    params: dict[str, str] = field(default_factory=dict)  # other search parameters (page)
    large: bool = False  # past its limit only on a large archive (10,000 matches, 1,000 articles)


MANY_WORDS = " ".join(f"k{a}{b}m" for a in "aeiou" for b in "bdfgklmnpt")  # 50 made-up words

HOSTILE = [
    HostileQuery("phrase slop", '"wind farm"~9999999', "at most 50 words between"),
    HostileQuery("phrase slop", '"wind farm"~99999999999', "at most 50 words between"),
    HostileQuery("phrase slop", '"a b"~3000', "at most 50 words between"),
    HostileQuery("fuzzy distance", "tokaev~9", "at most 2 letters different"),
    HostileQuery("fuzzy word length", "ab~2", "at least three letters"),
    HostileQuery("wildcard prefix", "a*", "at least two letters"),
    HostileQuery("words in a query", MANY_WORDS, "too many words"),
    HostileQuery("query length", "wind " * 80, "too long"),
    HostileQuery("boost", "wind^99999", "boost"),
    HostileQuery("date value", "date:9999", "use years from"),
    HostileQuery("date span", "date:[0001 to 9999]", "use years from"),
    HostileQuery("expansions of a word range", "body:[a to zzz]", "different words"),
    HostileQuery("expansions of a field wildcard", "id:*", "different words", large=True),
    HostileQuery("page depth", "wind", "pages of results can be shown", {"page": "100000"}, large=True),
]


def answer(query: HostileQuery) -> str:
    """The message the search service gives for the query ("" when it answered with results)."""
    from search.query import QueryError, parse_query
    from search.service import run_search

    try:
        run_search(parse_query(query.q), page=int(query.params.get("page", 1)))
    except QueryError as error:
        return str(error)
    return ""


def run_hostile(*, repeat: int = 3) -> dict:
    """Each hostile query through the search service: its times and whether the message came."""
    figures = {}
    for query in HOSTILE:
        times, message = [], ""
        for _ in range(repeat):
            started = time.perf_counter()
            message = answer(query)
            times.append(time.perf_counter() - started)
        ms = summary_ms(times)
        figures[f"{query.limit}: {query.q[:40]}"] = {
            "ms": ms,
            "message": message,
            "answered_with_message": query.message.lower() in message.lower(),
        }
        print(f"      hostile {query.limit}: {query.q[:40]!r} at most {ms['max']} ms: {message[:60] or 'no message'}",
              file=sys.stderr, flush=True)
    return figures
