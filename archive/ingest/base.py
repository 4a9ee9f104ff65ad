"""What every parser produces, and the checks every article must pass.

Parsers are pure: text in, ``ParsedArticle`` or ``ParseFailure`` out, no database.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from archive.models import EntityKind
from archive.text import clean_text, derive_title, normalise_whitespace, shorten

MAX_TITLE_CHARS = 300
MAX_BODY_CHARS = 500_000
MAX_TAGS = 50
MAX_ENTITIES = 500
EARLIEST_YEAR = 1800

_HEADING_LINE = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$")
_FINAL_PUNCTUATION = tuple(".!?:;…,\"'”’»)")
_url_validator = URLValidator(schemes=["http", "https"])
_ISO_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])")
# A place in capitals ("ASTANA", "NUR-SULTAN", "ST. PETERSBURG"), optionally with a
# country or a day in ordinary case ("ALMATY, Kazakhstan", "BEIJING, March 3") and
# an agency in brackets ("(Xinhua)"), then a dash with spaces around it.
_DATELINE = re.compile(
    r"^(?P<place>[A-ZÀ-ÞА-ЯЁ][A-ZÀ-ÞА-ЯЁ.'’ -]*?[A-ZÀ-ÞА-ЯЁ.])"
    r"(?:,\s*[A-Z][\w .'-]{1,40}?)?(?:\s*\([^()\n]{1,40}\))?\s*[–—-]{1,2}\s+(?P<rest>\S.*)$",
    re.DOTALL,
)

KIND_SYNONYMS = {
    "organization": EntityKind.ORGANISATION,
    "org": EntityKind.ORGANISATION,
    "company": EntityKind.ORGANISATION,
    "people": EntityKind.PERSON,
    "location": EntityKind.PLACE,
    "facility": EntityKind.PROJECT,
}


class InvalidArticle(ValueError):
    """An article that cannot be stored; the message says why, for the import report."""


@dataclass(frozen=True)
class ParsedEntity:
    name: str
    kind: str
    aliases: tuple[str, ...] = ()


@dataclass
class ParsedArticle:
    title: str
    body: str
    published: dt.date | None  # None: the story carries no date (stored as undated)
    source: str = ""
    url: str = ""
    language: str = "en"
    dateline: str = ""
    lede: str = ""
    tags: list[str] = field(default_factory=list)
    entities: list[ParsedEntity] = field(default_factory=list)
    author: str = ""
    line: int | None = None  # where the article starts in its file (a line, a record, an entry)
    unit: str = "line"  # what ``line`` counts


@dataclass(frozen=True)
class ParseFailure:
    reason: str
    line: int | None = None
    unit: str = "line"


@dataclass(frozen=True)
class Skipped:
    """Something in the file that is not an article and was not meant to be (a WARC's request record)."""

    reason: str
    line: int | None = None
    unit: str = "record"


ParseResult = ParsedArticle | ParseFailure | Skipped


def split_dateline(text: str) -> tuple[str, str]:
    """('ASTANA', rest of the paragraph) or ('', text) when the story has no dateline."""
    match = _DATELINE.match(text)
    if not match:
        return "", text
    return match.group("place").strip(), match.group("rest")


def parse_date(value: object) -> dt.date | None:
    """An ISO 8601 date or date-time (or an e-mail style date, as feeds write them); None when absent.

    The calendar day as written is what counts.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if not isinstance(value, str):
        raise InvalidArticle("the date must be text such as 2024-03-29")
    text = value.strip()
    iso = _ISO_DAY.match(text)
    if iso:
        try:
            day = dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        except ValueError:
            raise InvalidArticle(f"the date {shorten(text, 40)!r} does not exist") from None
        if len(text) > 10:
            try:
                dt.datetime.fromisoformat(text.replace("Z", "+00:00"))  # the time must make sense too
            except ValueError:
                raise InvalidArticle(f"bad time in the date {shorten(text, 40)!r}") from None
    else:
        try:
            day = email.utils.parsedate_to_datetime(text).date()
        except (ValueError, TypeError, IndexError):
            raise InvalidArticle(
                f"bad date {shorten(text, 40)!r} (write dates as YYYY-MM-DD, such as 2024-03-29)"
            ) from None
    if day.year < EARLIEST_YEAR:
        raise InvalidArticle(f"the date {day.isoformat()} is implausibly early")
    if day > dt.date.today() + dt.timedelta(days=2):
        raise InvalidArticle(f"the date {day.isoformat()} is in the future")
    return day


def canonical_body(text: str, *, detect_headings: bool) -> str:
    """Paragraphs separated by one blank line, subheadings marked with '## '.

    With ``detect_headings`` a short one-line block without final punctuation is
    a subheading (the plain-text convention); the first block never is.
    """
    blocks = []
    for index, raw in enumerate(re.split(r"\n[ \t]*\n", text.replace("\r\n", "\n").replace("\r", "\n"))):
        lines = [line.strip() for line in raw.strip().split("\n") if line.strip()]
        if not lines:
            continue
        heading = _HEADING_LINE.match(lines[0]) if len(lines) == 1 else None
        if heading:
            blocks.append("## " + normalise_whitespace(heading.group(1)))
            continue
        joined = normalise_whitespace(" ".join(lines))
        if detect_headings and index > 0 and looks_like_subheading(lines):
            blocks.append("## " + joined)
        else:
            blocks.append(joined)
    return "\n\n".join(blocks)


def looks_like_subheading(lines: list[str]) -> bool:
    if len(lines) != 1:
        return False
    line = lines[0]
    return (
        len(line) <= 80
        and not line.endswith(_FINAL_PUNCTUATION)
        and not line[0].islower()
        and len(line.split()) <= 12
    )


def first_paragraph(body: str) -> str:
    for block in body.split("\n\n"):
        if not block.startswith("## "):
            return block
    return ""


# A two-letter code, alone or as the start of a language tag as pages and feeds write them
# ("en-US", "ru_RU", "zh-Hans-CN"): the archive keeps the language, not the region or script.
_LANGUAGE_TAG = re.compile(r"([A-Za-z]{2})(?:[-_][A-Za-z0-9]{1,8})*")


def clean_language(value: object) -> str:
    if value in (None, ""):
        return "en"
    tag = _LANGUAGE_TAG.fullmatch(value.strip()) if isinstance(value, str) else None
    if tag is None:
        raise InvalidArticle(f"bad language {shorten(str(value), 20)!r} (expected a two-letter code such as en)")
    return tag.group(1).lower()


def clean_url(value: object) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str) or len(value) > 500:
        raise InvalidArticle("the url is not a string of at most 500 characters")
    try:
        _url_validator(value.strip())
    except ValidationError:
        raise InvalidArticle(f"bad url {shorten(value, 60)!r}") from None
    return value.strip()


def clean_short_text(value: object, what: str, limit: int) -> str:
    if value in (None, ""):
        return ""
    if not isinstance(value, str):
        raise InvalidArticle(f"the {what} must be text")
    text = normalise_whitespace(clean_text(value))
    if len(text) > limit:
        raise InvalidArticle(f"the {what} is longer than {limit} characters")
    return text


def clean_dateline(value: object) -> str:
    place = clean_short_text(value, "dateline", 100)
    # Wire copy writes datelines in capitals; the archive shows and filters them as names.
    return place.title() if place.isupper() else place


def clean_tags(value: object) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        raise InvalidArticle("tags must be a list of names")
    tags = []
    for tag in value:
        name = normalise_whitespace(clean_text(tag))
        if not name:
            continue
        if len(name) > 100:
            raise InvalidArticle("a tag is longer than 100 characters")
        if name.casefold() not in {t.casefold() for t in tags}:
            tags.append(name)
    if len(tags) > MAX_TAGS:
        raise InvalidArticle(f"more than {MAX_TAGS} tags")
    return tags


def clean_entities(value: object) -> list[ParsedEntity]:
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise InvalidArticle("entities must be a list of objects with a name and a kind")
    if len(value) > MAX_ENTITIES:
        raise InvalidArticle(f"more than {MAX_ENTITIES} entities")
    entities = []
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"].strip():
            raise InvalidArticle("each entity needs a name")
        name = clean_short_text(item["name"], "entity name", 200)
        raw_kind = str(item.get("kind") or "other").strip().lower()
        kind = KIND_SYNONYMS.get(raw_kind, raw_kind)
        if kind not in EntityKind.values:
            raise InvalidArticle(
                f"unknown entity kind {shorten(raw_kind, 30)!r} for {name!r} "
                f"(one of {', '.join(EntityKind.values)})"
            )
        aliases = item.get("aliases") or []
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise InvalidArticle(f"the aliases of {name!r} must be a list of names")
        clean_aliases = tuple(
            dict.fromkeys(clean_short_text(a, "alias", 200) for a in aliases if a.strip() and a.strip() != name)
        )
        entities.append(ParsedEntity(name=name, kind=str(kind), aliases=clean_aliases))
    return entities


def _take_dateline(body: str, given: str) -> tuple[str, str]:
    """The body without a dateline at its start, and the dateline (the given one first).

    A dateline written into the text ("SHYMKENT – The regional ...") is the same
    whatever the format: it leaves the text and becomes the article's dateline.
    """
    first = body.split("\n\n", 1)
    if first[0].startswith("## "):
        return body, given
    place, rest = split_dateline(first[0])
    if not place or not rest.strip() or (given and fold_place(given) != fold_place(place)):
        return body, given
    return "\n\n".join([rest, *first[1:]]), given or place


def fold_place(name: str) -> str:
    return normalise_whitespace(name).casefold()


def build_article(
    *,
    title: object,
    body: object,
    date: object,
    detect_headings: bool,
    line: int | None = None,
    unit: str = "line",
    source: object = "",
    url: object = "",
    language: object = "en",
    dateline: object = "",
    lede: object = "",
    tags: object = None,
    entities: object = None,
    author: object = "",
) -> ParsedArticle:
    """Check every field and return the article, or raise ``InvalidArticle`` with the reason.

    Text is cleaned of what no database can store the same way (see ``clean_text``);
    a missing date gives an undated article.
    """
    if not isinstance(body, str):
        raise InvalidArticle("the body must be text")
    if len(body) > MAX_BODY_CHARS:
        raise InvalidArticle(f"the body is longer than {MAX_BODY_CHARS:,} characters")
    canonical = canonical_body(clean_text(body), detect_headings=detect_headings)
    if not first_paragraph(canonical):
        raise InvalidArticle("the body is empty")
    published = parse_date(date)
    clean_place = clean_dateline(dateline)
    canonical, place = _take_dateline(canonical, clean_place)
    if place != clean_place:
        clean_place = clean_dateline(place)
    clean_title = clean_short_text(title, "title", MAX_TITLE_CHARS) if title else ""
    if not clean_title:
        clean_title = derive_title(first_paragraph(canonical))
    return ParsedArticle(
        title=clean_title,
        body=canonical,
        published=published,
        source=clean_short_text(source, "source name", 200),
        url=clean_url(clean_text(url) if isinstance(url, str) else url),
        language=clean_language(language),
        dateline=clean_place,
        lede=clean_short_text(lede, "summary", 2000),
        tags=clean_tags(tags),
        entities=clean_entities(entities),
        author=shorten(clean_short_text(author, "author", 10_000), 200) if author else "",
        line=line,
        unit=unit,
    )
