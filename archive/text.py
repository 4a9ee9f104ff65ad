"""Small text helpers shared by the models, the parsers and the tagger.

Pure functions only, except ``unique_slug``, which asks the database which slugs
are taken.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from anyascii import anyascii
from django.utils.text import slugify

TITLE_MAX_CHARS = 110
TITLE_IDEAL_CHARS = 90
TITLE_MIN_CHARS = 35
SENTENCE_MAX_CHARS = 300
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)]*\s+(?=[A-Z0-9\"“‘(])")
# Abbreviations that end with a full stop but do not end a sentence.
_ABBREVIATIONS = ("Mr.", "Mrs.", "Ms.", "Dr.", "St.", "U.S.", "U.K.", "Jan.", "Feb.", "Aug.", "Sept.", "Oct.",
                  "Nov.", "Dec.", "No.", "Co.", "Corp.", "Inc.", "Ltd.", "Gov.", "Gen.", "Prof.", "vs.", "e.g.", "i.e.")


_COMBINING_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def fold(text: str) -> str:
    """Lower-case and strip accents, for comparisons that should not care about either."""
    if text.isascii():
        return text.lower()
    stripped = _COMBINING_MARKS.sub("", unicodedata.normalize("NFKD", text))
    return unicodedata.normalize("NFC", stripped).casefold()


def normalise_whitespace(text: str) -> str:
    return " ".join(text.split())


# Lone UTF-16 surrogates (from JSON escapes such as "\ud800") cannot be encoded as UTF-8:
# the fingerprint, SQLite and PostgreSQL would all refuse them.
_SURROGATES = re.compile("[\ud800-\udfff]")
# NUL is refused by PostgreSQL and stored raw by SQLite; the other control characters
# (C0 except tab and line breaks, DEL, C1) and the non-characters are never text.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_CONTROL_SPACES = re.compile("[\x0b\x0c\u2028\u2029\x85]")
_ANYTHING_TO_CLEAN = re.compile(f"{_SURROGATES.pattern}|{_CONTROLS.pattern}|{_CONTROL_SPACES.pattern}")


def clean_text(text: str) -> str:
    """``text`` as every database and the fingerprint can take it, the same on all of them.

    Lone surrogates become U+FFFD (the reader sees that something was there), vertical
    tabs, form feeds and Unicode line separators become line breaks, and other
    control characters are dropped.
    """
    if (text.isascii() and text.isprintable()) or not _ANYTHING_TO_CLEAN.search(text):
        return text  # most text: one scan instead of three substitutions
    text = _SURROGATES.sub("\ufffd", text)
    text = _CONTROL_SPACES.sub("\n", text)
    return _CONTROLS.sub("", text)


def _comparable_words(body: str) -> list[str]:
    """The body's words as both fingerprints compare them: folded, without heading marks."""
    return fold(body.replace("#", " ")).split()


def body_fingerprint(body: str) -> str:
    """Same words in the same order give the same fingerprint, whatever the spacing or case."""
    return _words_digest(_comparable_words(body))


def _words_digest(words: list[str]) -> str:
    return hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()


LEAD_WORDS = 40
# Query parameters that say how a reader arrived, not which story it is.
_TRACKING = re.compile(
    r"^(?:utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|yclid|igshid|_ga|ref|ref_src|cmpid|ocid)$", re.IGNORECASE
)


def lead_fingerprint(body: str) -> str:
    """A hash of the opening words: a copy re-sent with a new headline or a changed
    ending shares it with the original. Empty for bodies too short to tell."""
    return _lead_digest(_comparable_words(body))


def _lead_digest(words: list[str]) -> str:
    return _words_digest(words[:LEAD_WORDS]) if len(words) >= LEAD_WORDS else ""


def fingerprints(body: str) -> tuple[str, str]:
    """(``body_fingerprint``, ``lead_fingerprint``) of one body, folding it once for both."""
    words = _comparable_words(body)
    return _words_digest(words), _lead_digest(words)


def url_key(url: str) -> str:
    """The story a URL names: no scheme, no www., no tracking parameters, no fragment, host in lower case.

    http://www.example.org/a?utm_source=rss#top and https://example.org/a are one key.
    """
    if not url:
        return ""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower().removeprefix("www.")
        port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    except ValueError:
        return url.strip()[:500]
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    path = parts.path.rstrip("/") or ""
    key = f"{host}{port}{path}" + (f"?{urlencode(sorted(query))}" if query else "")
    return key[:500]


def clean_url_for_storage(url: str) -> str:
    """The URL as stored: tracking parameters and the fragment removed, the rest as given."""
    if not url:
        return ""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def first_sentence(paragraph: str) -> str:
    text = normalise_whitespace(paragraph)
    start = 0
    for match in _SENTENCE_END.finditer(text):
        candidate = text[: match.start()].rstrip()
        if any(candidate.endswith(abbr) for abbr in _ABBREVIATIONS):
            continue
        if len(candidate) - start < 3:
            continue
        return candidate
    return text


def shorten(text: str, limit: int = TITLE_MAX_CHARS) -> str:
    """Cut at the last word boundary before ``limit`` and mark the cut with an ellipsis."""
    text = normalise_whitespace(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:–—-") + "…"


TITLE_WHOLE_CHARS = 200  # a longer first sentence is cut, a shorter one kept whole when it cannot be cut well
# Words that open a clause or an adjunct after the main clause: a cut before one
# leaves the main clause whole ("Freight has slowed sharply | as both countries ...").
_TRAILING = (
    r"as|while|whereas|because|although|though|amid|despite|which|where|when|after|before|since|"
    r"according|including|thanks|but|following|with|without|during|ahead"
)
_AFTER_COMMA = re.compile(rf"[,;]\s+(?=(?:{_TRAILING}|and|who|\w+ing)\b)|\s[–—-]\s|:\s", re.IGNORECASE)
_BARE = re.compile(r"\s(?=(?:while|whereas|because|although|amid|despite|as|after|since|following)\s)")
# ", officials said" / ", President Tokayev told a summit": the attribution ends the story's claim.
_ATTRIBUTION = re.compile(r"[,;]\s+(?=[^,;]{0,80}?\b(?:said|says|say|told|reported|announced|added)\b)")
_PREPOSITION = re.compile(r"\s(?=(?:in|on|at|for|from|to|by|with|under|over)\s)")


def _cut_at(sentence: str, ends: list[int], upper: int) -> str | None:
    fitting = [end for end in ends if TITLE_MIN_CHARS <= end <= upper]
    if not fitting:
        return None
    ideal = [end for end in fitting if end <= TITLE_IDEAL_CHARS]
    return sentence[: ideal[-1] if ideal else fitting[0]].rstrip(" ,;:–—-")


def derive_title(first_paragraph: str) -> str:
    """A readable title from the story's first sentence, for files that have none.

    Wire copy often opens with "On March 29, 2024, the ministry said ..."; the date
    clause tells the reader nothing a title needs, so it is dropped. A long sentence
    is cut where its main clause ends (before ", officials said", ", as ...",
    "while ...", a dash), never inside a phrase and never with an ellipsis; one
    that cannot be cut there is kept whole when it is not very long.
    """
    sentence = first_sentence(first_paragraph)
    sentence = re.sub(
        r"^(?:On|In|By|Since)\s+(?:\w+\s+)?\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?,\s+"
        r"|^(?:On|In)\s+\w+\s+\d{4},\s+",
        "",
        sentence,
    )
    sentence = sentence.rstrip(".!? ")
    if sentence and sentence[0].islower():
        sentence = sentence[0].upper() + sentence[1:]
    if len(sentence) <= TITLE_IDEAL_CHARS:
        return sentence
    clause_ends = sorted(
        {m.start() for pattern in (_AFTER_COMMA, _ATTRIBUTION, _BARE) for m in pattern.finditer(sentence)}
    )
    title = _cut_at(sentence, clause_ends, TITLE_MAX_CHARS)
    if title:
        return title
    if len(sentence) <= TITLE_WHOLE_CHARS:
        return sentence
    # Very long sentences only: the last clause end that fits, else the last phrase boundary.
    return (
        _cut_at(sentence, clause_ends, TITLE_WHOLE_CHARS)
        or _cut_at(sentence, [m.start() for m in _PREPOSITION.finditer(sentence)], TITLE_WHOLE_CHARS)
        or shorten(sentence, TITLE_WHOLE_CHARS)
    )


_DASHES = re.compile("[\u2010-\u2015\u2212]")


def slug_base(text: str, *, fallback: str, max_length: int = 200) -> str:
    """The slug ``text`` would get if no other row had it."""
    # Dashes separate words ("China–Central Asia" -> china-central-asia), and other
    # scripts are spelt in Latin letters ("Токаев" -> tokaev), so every slug is readable ASCII.
    ascii_text = anyascii(_DASHES.sub(" - ", text))
    base = slugify(ascii_text)[:max_length].strip("-")
    return base or fallback


def unique_slug(model, text: str, *, fallback: str, max_length: int = 200, taken: set[str] = frozenset()) -> str:
    """A slug for ``text`` that no row of ``model`` has yet, nor ``taken`` (``-2``, ``-3`` … when needed)."""
    base = slug_base(text, fallback=fallback, max_length=max_length)
    slug, n = base, 1
    while slug in taken or model._default_manager.filter(slug=slug).exists():
        n += 1
        slug = f"{base[: max_length - len(str(n)) - 1]}-{n}"
    return slug


def is_binary(data: bytes) -> bool:
    """NUL bytes or many control characters mean this is not a text file."""
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    return bool(sample) and controls / len(sample) > 0.05


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence holding text[start:end], in one line and at most a few hundred characters."""
    boundaries = [text.rfind(mark, 0, start) for mark in (". ", "! ", "? ", "\n")]
    left = max(boundaries)
    left = left + 2 if left >= 0 and text[left] != "\n" else left + 1
    ends = [i for i in (text.find(mark, end) for mark in (". ", "! ", "? ", "\n")) if i != -1]
    right = min(ends) + 1 if ends else len(text)
    sentence = " ".join(text[left:right].split()).lstrip("# ")
    if len(sentence) > SENTENCE_MAX_CHARS:
        offset = max(0, start - left - SENTENCE_MAX_CHARS // 2)
        sentence = "…" + sentence[offset : offset + SENTENCE_MAX_CHARS - 2].strip() + "…"
    return sentence
