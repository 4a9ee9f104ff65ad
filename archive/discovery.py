"""Finding names that are not entities yet, for editors to review.

Pure: text in, candidates out. Three kinds of evidence:

- a person introduced by a title, before or after the name, in any case: "President
  Kassym-Jomart Tokayev", "CEO Li Wei", "actor Michael Douglas", "Liu Mingsheng, Chairman
  of the Board";
- an organisation by the word that ends or heads its name: "Samruk Energy Group",
  "China Development Bank", "Ministry of Energy", "Office for National Statistics";
- any capitalised name of two to five words ("Lake Balkhash", a place by its feature
  word), which is worth reviewing once it has been seen in several articles.

What is not read for names: lines in capitals or with every word capitalised
(headlines, where capitals say nothing: "NEW YORK STOCKS CLOSE HIGHER", "TH QTR NET"),
subheadings ("Forging Ties"), and dates ("Pay April 30. Record March 31."). Nor what
capitals glue to a name: text in capitals ("SANTA FE, N.M. -"), a common abbreviation
after it ("Vietnam GDP growth"), a word of grammar or a plural word and "of" before it
("Later Real Madrid", "Shares of Zealand Pharma").

Nor what capitals glue to a name at a sentence's start: sentence adverbs and verbs of saying
("Again Marat Zhumabekov", "Separately Brixton Chemical", "Said Walter Crane"), and titles,
which are evidence instead: "Treasury Secretary Howard Kellerman", "Sir Mark Rowley", "Mr. Gale"
are people; "Walter Crane, chairman of Harlan Industries" and "Harlan Industries Inc chairman
Walter Crane" give a person and an organisation, "the Mayor of Greater Manchester" a place. A
generic office ("the Finance Ministry said": every government has one) is no name.

Each article gives each name the kind its evidence there says; a name's kind is what most of
its articles say (``vote_kind``), not what the first one said.

Given the gazetteer, a name that is part of a known entity's name, or a known name with
a title or more words around it, is not a new entity: it is offered as an alias of that
entity ("President Tokayev" -> Kassym-Jomart Tokayev, "Ministry of Energy" -> Ministry
of Energy of the Republic of Kazakhstan), or dropped when it is the mention itself.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from archive.models import EntityKind
from archive.person_names import person_names
from archive.tagging import CYRILLIC, FUNCTION_WORDS, is_common_word, is_headline, morph, parses, sentence_initial
from archive.text import sentence_around

# A name opens for review once seen in this many articles, however it was introduced; until then it is
# watched. On wire collections most companies and officials named once or twice are never named again,
# and an editor's queue of them grows with every import (issue 11: at most one open per five articles).
MIN_ARTICLES_FOR_REVIEW = 3

# Words of grammar that start a sentence ("Later Real Madrid signed"); not the points of the
# compass, which start names ("Central Asia", "West Germany").
_LEADING_FILLER = FUNCTION_WORDS - set(
    "north south east west northern southern eastern western central one two three four five six seven eight nine "
    "ten".split())

def _letter_class(test) -> str:
    """A regex character class of the Latin letters (accented ones too) for which ``test`` holds."""
    letters = [chr(code) for code in range(0x41, 0x250) if chr(code).isalpha() and test(chr(code))]
    ranges, first = [], None
    for i, letter in enumerate(letters):
        first = first or letter
        if i + 1 == len(letters) or ord(letters[i + 1]) != ord(letter) + 1:
            ranges.append(first if first == letter else f"{first}-{letter}")
            first = None
    return "[" + "".join(ranges) + "]"


# Latin capitals and small letters, accented ones included: "Urs Brändli", "Raúl Sabattini", "Jório
# Meirelles" are whole names (ASCII classes cut them at the accent: "Urs Br"). Cyrillic is read apart.
_UP = _letter_class(str.isupper)
_LOW = _letter_class(str.islower)
# "McDonnell", "MacArthur": a capital inside a word is still one word (else "Donnell Douglas" is suggested).
# An acronym is a whole word: "LOS ANGELES" never gives "ANGELE".
# "Faisal al-Mansour": an Arabic particle joined to the next word is part of the name; so is an elided
# French or Italian one ("Compagnie Générale d'Emballage").
# A legal form written with a capital at its end is one word: "Gruppo Fontana SpA", "Heinz Bauer GmbH"; so
# is a plural possessive before the rest of a name: "Leeds Magistrates' Court", "Farmers' Union".
_NAME_WORD = (
    rf"(?:{_UP}{_LOW}+(?:{_UP}{_LOW}+)*(?:[-'’]{_UP}?{_LOW}+)*(?:{_UP}(?![^\W\d_])|(?<=s)['’](?=\s+{_UP}))?"
    rf"|(?<=\s)(?:al|el|bin|ibn)-{_UP}{_LOW}+|(?<=\s)[dl]['’]{_UP}{_LOW}+|{_UP}{{2,6}}(?![^\W\d_]))"
)
# Small words inside a name between capitalised ones: "Petróleos de Venezuela", "Banco de Levante",
# "Ludwig van Beethoven", "Tour de France". Never at a name's start or end.
_PARTICLE = r"(?:de|da|do|dos|das|del|della|di|du|des|van|von|der|den|ter|y)\s+"
# Every pattern starts at the start of a capitalised word. Said first, as a lookahead for a
# capital, it lets the regex engine pass over the other positions quickly: matching costs half.
_WORD_START = rf"(?={_UP})(?<![\w'’-])"
_TITLES = (
    r"President|Vice President|Prime Minister|Deputy Prime Minister|Minister|Foreign Minister|Chairman|"
    r"Chancellor of the Exchequer|Director-General|Director General|"
    r"Chairwoman|Chair|CEO|Chief Executive|Chief Executive Officer|Managing Director|General Director|"
    r"Director|Ambassador|Governor|Mayor|Akim|Senator|Premier|Secretary-General|Secretary General|"
    r"Spokesman|Spokeswoman|Spokesperson|Founder|Professor|Dr\.?|"
    # What a story calls a person before the name: "actor Michael Douglas", "striker Li Lei".
    r"Actor|Actress|Singer|Author|Writer|Artist|Director|Coach|Striker|Midfielder|Goalkeeper|Player|Captain|"
    r"Judge|Analyst|Economist|Lawyer|Attorney|Publicist|Commissioner|Envoy|Mr\.?|Mrs\.?|Ms\.?|Sir|Dame|"
    # Wire and parliamentary usage: "Treasury Secretary X", "Trade Representative X", "Sen. X", "Labour leader X".
    r"Secretary|Representative|Chancellor|Treasurer|Sen\.|Rep\.|Gov\.|Lord|Leader|Boss|Curator|Prof\.?|"
    # Police and military ranks as BBC-style stories abbreviate them: "Det Insp Sarah Greaves".
    r"Det|Insp|Supt|Sgt|Ch Insp|Gen\.|Col\.|Capt\.?|Lt\.?|"
    # Ranks written in full, and honorifics: "Detective Sergeant X", "House Speaker X", "Alhaji X".
    r"Detective|Sergeant|Constable|Inspector|Superintendent|Councillor|Cllr|Speaker|Alhaji|Alhaja|Imam|Rabbi|"
    r"Bishop|Archbishop|Cardinal|Reverend|Rev\.|Sheikh"
)
# One name word is enough after an abbreviated title: "Mr. Gale said" (without the full stop, capitals join
# title and name into one run, which the run of capitalised words below reads as a title and a name).
_PERSON = re.compile(
    rf"(?={_UP})\b(?P<title>{_TITLES})\s+(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}})(?![\w-])"
)
# A title in lower case ("former president Jimmy Carter") is looked for before each capitalised
# name found, not by a regex over the text: that is four times faster.
_LOWER_WORD_BEFORE = re.compile(r"(?<![\w'’-])([a-z][a-z-]*\.?)\s+$")
# "Liu Mingsheng, Chairman of the Board": a name, a comma, a title.
_PERSON_BEFORE_TITLE = re.compile(
    rf"(?={_UP})(?<![\w-])(?P<name>{_NAME_WORD}(?:\s+{_NAME_WORD}){{1,2}}),\s+(?:the\s+|a\s+|its\s+|his\s+|her\s+)?"
    rf"(?i:(?:(?:deputy|vice|first|executive|senior|former|chief)\s+)?(?:{_TITLES}))(?![\w-])"
)
# The comma and title after such a name, found first (a cheap scan): few commas are followed by a title.
_TITLE_AFTER_COMMA = re.compile(
    r",\s+(?:the\s+|a\s+|its\s+|his\s+|her\s+)?"
    rf"(?i:(?:(?:deputy|vice|first|executive|senior|former|chief)\s+)?(?:{_TITLES}))(?![\w-])"
)
_NAME_BEFORE_TITLE_REACH = 240  # three name words of up to 80 letters; a longer "name" is no name


# Where a word starts with a capital (nothing of a word just before it): every match of _PERSON, _ORG and
# _PLAIN starts at one. A pattern that starts with a letter class is scanned for in one tight loop; those
# patterns start with lookarounds, which the engine tries at every position of the text instead.
_CAPITAL_START = re.compile(rf"{_UP}(?<!\w.)")


def capital_starts(text: str) -> list[int]:
    """Where the words that start with a capital letter start in ``text``."""
    return [match.start() for match in _CAPITAL_START.finditer(text)]


def _matches_at(pattern: re.Pattern, text: str, starts: list[int]):
    """What ``pattern.finditer(text)`` finds, for a pattern that only matches at ``starts``: tried there only."""
    position = 0
    match_at = pattern.match
    for start in starts:
        if start >= position:
            match = match_at(text, start)
            if match is not None:
                yield match
                position = match.end()


_WORD_AFTER_TITLE = re.compile(rf"[ \t]+(?P<word>{_UP}{_LOW}+)")


def _introduces_the_next_name(text: str, end: int) -> bool:
    """Whether the title ending at ``end`` stands before a capitalised name ("chief executive Ulugbek
    Rakhmatov"): then it is that person's, and the name before the comma is no person."""
    after = _WORD_AFTER_TITLE.match(text, end)
    return after is not None and not is_title_word(after.group("word")) and (
        after.group("word").casefold() not in FUNCTION_WORDS)


def _persons_before_titles(text: str):
    """What ``_PERSON_BEFORE_TITLE.finditer(text)`` finds, looked for only before a comma and a title:
    the regex is tried from each capital of a text, this from each comma followed by a title."""
    searched_to = 0
    for title in _TITLE_AFTER_COMMA.finditer(text):
        position = max(searched_to, title.start() - _NAME_BEFORE_TITLE_REACH)
        for match in _PERSON_BEFORE_TITLE.finditer(text, position, title.end()):
            if match.end("name") == title.start():
                searched_to = match.end()
                yield match
                break
# What a person heads, leads or speaks for is an organisation ("chairman of Harlan Industries", "a
# spokesman for the Rail Delivery Group"); what a mayor or governor is of, a place ("Mayor of Greater
# Manchester"). Titles here in either case.
# Found from the preposition (a cheap scan), then the role word before it is checked.
# Each word starts with its letter and then looks back for the space before it: a pattern that starts with
# a letter lets the regex engine skip to the next "o", "f" or "a" in one tight loop (40 % cheaper).
_ROLE_OF = re.compile(
    rf"(?:o(?<=[ \t]o)f|f(?<=[ \t]f)or|a(?<=[ \t]a)t)\s+(?:the\s+)?"
    rf"(?P<name>(?={_UP}){_NAME_WORD}(?:\s+(?:of\s+|for\s+|on\s+|and\s+)?{_NAME_WORD}){{0,5}})"
)
_ROLE_BEFORE = re.compile(
    r"(?<![\w-])(?i:(?P<role>chairman|chairwoman|chair|president|chief executive|managing director|director|"
    r"director[- ]general|general secretary|secretary[- ]general|spokesman|spokeswoman|spokesperson|head|founder|"
    r"chief economist|leader|curator|manager|treasurer|mayor|governor|akim))\s+$"
)
_PLACE_ROLES = {"mayor", "governor", "akim"}
# "Harlan Industries Inc chairman Walter Crane", "Liberal Democrat leader Sir Ed Davey": the name before a
# role word in lower case and a person is what that person heads.
_ROLE_AFTER = re.compile(
    r",?\s+(?:chairman|chairwoman|president|chief executive|boss|spokesman|spokeswoman|leader|director|"
    r"general secretary|secretary-general|vice chairman|analyst|economist|strategist|chief economist)\s+(?=[A-Z])"
)
_ORG_ENDINGS = (
    r"Group|Corporation|Corp\.?|Company|Co\.?|Ministry|Party|Service|Office|Department|University|Holding|Holdings|Bank|Fund|Agency|Authority|Association|"
    r"Institute|Council|Commission|Committee|Exchange|Partners|Consortium|Ltd\.?|LLP|JSC|Inc\.?|PLC|Plc|AG|SA|"
    r"SpA|GmbH|NV|BV|Srl|"
    # What else only institutions and companies are called: "Federal Home Loan Bank Board", "Qantas Airways".
    r"Board|Administration|Organization|Organisation|Federation|Society|Trust|Museum|League|Airways|Airlines|"
    r"Railroad|Railway|Industries|Securities|Police"
)
# Institutions named "<head> of <what>": "Ministry of Energy", "Bank of Canada", "Office for National Statistics".
_ORG_HEADS = (
    r"Ministry|Department|Office|Bureau|Bank|University|Institute|Council|Commission|Committee|Agency|Authority|"
    r"Federation|Union|Fund|Association|Chamber"
)
# The next word is not a title: "Bank of Japan Governor Satoshi Iwamura" ends the bank's name at "Governor".
_NOT_TITLE = rf"(?!(?:{_TITLES})(?![\w-]))"
_ORG = re.compile(
    rf"{_WORD_START}(?:(?P<ministry>(?:{_NAME_WORD}\s+)?(?:{_ORG_HEADS})\s+(?:of|for)\s+{_NAME_WORD}(?:\s+{_NOT_TITLE}{_NAME_WORD}){{0,2}}"
    # "... of Trade and Industry", "... for Health and Care Excellence"; a list ends with "and".
    rf"(?:(?:,\s+{_NAME_WORD})*\s+and\s+{_NAME_WORD}(?:\s+{_NAME_WORD})?)?)"
    # "Royal Bank of Canada", "European Bank for Reconstruction and Development": the name goes on.
    # "Merrill Lynch & Co Inc", "Procter & Gamble Co": an ampersand joins a company's name.
    rf"|(?P<name>(?:{_NAME_WORD}\s+(?:&\s+)?){{1,5}}(?:{_ORG_ENDINGS})"
    # "National Institute for Health and Care Excellence"; "Bank of Japan" ends before "Governor".
    rf"(?:\s+(?:of|for)\s+{_NAME_WORD}(?:\s+(?:and\s+)?{_NOT_TITLE}{_NAME_WORD}){{0,2}})?)(?![\w-]))"
)


def _by_first_letter(alternatives: str) -> str:
    """``alternatives`` (words separated by "|", each starting with a plain letter) as a pattern that
    starts with a letter, for the engine's quick scan, and needs no word character just before it."""
    groups: dict[str, list[str]] = {}
    for alternative in alternatives.split("|"):
        groups.setdefault(alternative[0], []).append(alternative[1:])
    return "(?:" + "|".join(rf"{first}(?<!\w.)(?:{'|'.join(rest)})" for first, rest in groups.items()) + ")"


# Every _ORG match holds one of these words (its end, or its head before "of"), a few words from its start.
_ORG_WORD = re.compile(_by_first_letter(f"{_ORG_HEADS}|{_ORG_ENDINGS}"))
_ORG_REACH = 400  # characters from a name's start to its organisation word: five long words and more


def _organisations(text: str, starts: list[int]):
    """What ``_ORG.finditer(text)`` finds, tried only at the capitalised words (``starts``) that start
    at most ``_ORG_REACH`` characters before an organisation word: a third of the cost of trying at each."""
    position = 0
    match_at = _ORG.match
    for word in _ORG_WORD.finditer(text):
        if word.start() < position:
            continue  # inside the last match
        first = bisect_left(starts, max(position, word.start() - _ORG_REACH))
        for start in starts[first:bisect_right(starts, word.start())]:
            match = match_at(text, start)
            if match is not None:
                yield match
                position = match.end()
                break
        else:
            # No match holds this word; one that starts after it holds a later word, found next.
            position = word.start() + 1


# "and" is left out: "Kazakhstan and China" is two names, not one.
# "and" and "on" join words here, and _plain_runs cuts the run again where they join two names ("Kazakhstan
# and China", "Helmut Kohl on Tuesday") rather than name one thing ("General Agreement on Tariffs and Trade",
# "Navoi Mining and Metallurgical Combinat").
_PLAIN = re.compile(
    rf"{_WORD_START}(?P<name>{_NAME_WORD}(?:\s+(?:of\s+|the\s+|on\s+|{_PARTICLE})?{_NAME_WORD}){{1,4}})")
_ON = re.compile(r"\s+(?:on|the)\s+")
_AND_ONE_WORD = re.compile(rf" and ({_NAME_WORD})(?![\w'’-]| (?:of |the |on )?{_UP})")
# Capitalised words that start sentences or are not names by themselves.
_NOT_NAMES = {
    "The", "A", "An", "In", "On", "At", "By", "For", "From", "With", "As", "But", "And", "Or", "If", "It", "Its",
    "This", "That", "These", "Those", "Officials", "Mr", "Mrs", "Ms", "He", "She", "They", "We", "Our", "His",
    "Her", "Their", "After", "Before", "During", "While", "When", "Since", "According", "Monday", "Tuesday",
    "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "January", "February", "March", "April", "May",
    "June", "July", "August", "September", "October", "November", "December", "Both", "Such", "Some", "Many",
    "Other", "Last", "Next", "Several", "Under", "Over", "About", "Speaking", "Asked",
}
_DATE_WORDS = {
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "Monday",
    "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Qtr", "Qtly",
}
_TITLE_WORDS = {word.casefold() for word in re.split(r"\||\s+", _TITLES.replace("\\.?", "").replace("\\.", ""))
                if word and word.casefold() not in FUNCTION_WORDS} | {
    "mr", "mrs", "ms", "dr", "sir", "general", "kazakh", "chinese"}
_TAIL_OF_LONGER_NAME = re.compile(rf"(?:(?P<previous>{_UP}[\w'’-]*)\s+)?(?P<word>{_UP}[\w'’-]*)\s+(?:and|&|for)\s+$")
# Words that end the name of a place ("Caspian Sea", "Suez Canal", "Channel Islands"), or start it.
_PLACE_LAST_WORDS = frozenset(
    "Sea Ocean Canal River Lake Islands Island Isles Mountains Strait Bay Peninsula Desert Valley Riviera Basin "
    "Plateau Steppe Coast Darya Stadium Arena Park Square Street Avenue".split())
_PLACE_FIRST_WORDS = frozenset("Lake Mount Cape Gulf Strait Bay".split())
_STREET_WORDS = frozenset("Park Square Street Avenue".split())
# "in Port Talbot", "near Tewkesbury": a name after these (not "in Tata Steel's plant") is where something is.
_PLACE_PREPOSITIONS = frozenset("in near outside across".split())
# What follows a name says what it names: an age or "said he" a person; "said it" or a possessive
# with what companies have an organisation.
_PERSON_AFTER = re.compile(r",\s+\d{2},|\s+\(\d{2}\)|\s+(?:said|says|told|added)\s+(?:he|she|his|her)\b")
_ORGANISATION_AFTER = re.compile(
    r"\s+(?:said|says)\s+(?:it|its)\b|['’]s\s+(?:shares|board|chief executive|chairman|profits?|plant|factory|"
    r"staff|employees|workers|headquarters|subsidiary|shareholders)\b"
)
_WHERE_PREPOSITIONS = _PLACE_PREPOSITIONS | {"at", "from", "inside", "outside"}
_POSSESSIVE = re.compile(r"['’]s?\b")


def _plain_runs(text: str, gazetteer=None, starts: list[int] | None = None):
    """The runs of capitalised words ``_PLAIN`` finds, with their offsets; "and" joins two runs into one
    name, and "on" is kept inside one, only where they join ordinary words (``_joined``). ``starts`` are
    the text's ``capital_starts`` when the caller has them."""
    pieces = []
    for match in _matches_at(_PLAIN, text, capital_starts(text) if starts is None else starts):
        run, offset = match.group("name"), match.start("name")
        if " on " in run or " the " in run:
            piece = 0
            for joiner in _ON.finditer(run):
                if not _joined(run[piece:joiner.start()].split(), run[joiner.end():].split(),
                               joiner.group().strip(), gazetteer):
                    pieces.append((run[piece:joiner.start()], offset + piece))
                    piece = joiner.end()
            run, offset = run[piece:], offset + piece
        if pieces and text[pieces[-1][1] + len(pieces[-1][0]):offset] == " and " and _joined(
                pieces[-1][0].split(), run.split(), "and", gazetteer):
            pieces[-1] = (text[pieces[-1][1]:offset + len(run)], pieces[-1][1])
        else:
            pieces.append((run, offset))
        # One word after "and" is no run of its own: "General Agreement on Tariffs and Trade".
        last = _AND_ONE_WORD.match(text, offset + len(run))
        if last and _joined(run.split(), [last.group(1)], "and", gazetteer):
            pieces[-1] = (text[pieces[-1][1]:last.end(1)], pieces[-1][1])
    return [(run, offset) for run, offset in pieces if " " in run]


def _ends_its_own_name(previous: str | None, word: str, name: str) -> bool:
    """Whether the word before "and" ends a name of its own, so that the name after "and" is a second name
    ("Snake Pass and Woodhead Pass", "... Operating Company and National Electric Grid"), not the tail of
    one ("Belt and Road Initiative", "the University and College Union")."""

    own = word in _NAME_LAST_WORDS and previous is not None and previous not in _NOT_NAMES
    return own or word == name.split()[-1] or not is_common_word(word)


def _joined(head: list[str], tail: list[str], joiner: str, gazetteer) -> bool:
    """Whether "and" or "on" between these words is inside one name: after an ordinary word, with the
    name going on after it or begun with "of" or "on" ("Belt and Road Initiative", "Navoi Mining and
    Metallurgical Combinat", "General Agreement on Tariffs and Trade", "Council on Foreign Relations").
    Not after a name ("Kazakhstan | China", "Helmut Kohl | Tuesday"), nor between two complete names
    ("Snake Pass | Woodhead Pass", "Grid Operating Company | National Grid")."""

    if joiner == "the":
        return len(tail) == 1  # "Alexander the Great"; not "in Washington the United States said"
    before, after = head[-1], tail[0]
    if not is_common_word(before) or before in _DATE_WORDS or after in _DATE_WORDS or (
            gazetteer is not None and (gazetteer.known(before) or gazetteer.known(after))):
        return False
    if joiner == "on":
        return True
    if before in _NAME_LAST_WORDS and len(head) > 1 and head[-2] not in _NOT_NAMES or head[-1] == tail[-1]:
        return False  # ("The University and College Union": no name ends at a lone "University")
    return len(tail) >= 2 or any(word in ("of", "on") for word in head[1:])


def is_title_word(word: str) -> bool:
    """Whether a word is a title that can stand before a name ("president", "Mr.")."""
    return word.strip(".,").casefold() in _TITLE_WORDS


@dataclass(frozen=True)
class Candidate:
    name: str
    kind: str
    sentence: str
    strong: bool  # found by a title or an organisation word, not just capitals
    alias_of: int | None = None  # a known entity this is another name of
    guessed: bool = False  # the kind is a guess from the name's form, not what the text says

    @property
    def vote(self) -> str:
        """What this sighting says of the name's kind, for ``vote_kind``: a guess counts apart."""
        return f"{self.kind}{_GUESS}" if self.guessed else self.kind


def vote_kind(votes: Counter[str]) -> str:
    """The kind most sightings of a name give it, from what the text says; else from the name's form.

    ``votes`` counts ``Candidate.vote``: evidence ("person") outvotes any number of guesses
    ("person?"); among either, a tie between the leading kinds gives "other", and so does no vote.
    """
    for guessed in (False, True):
        typed = Counter()
        for key, count in votes.items():
            kind = key.removesuffix(_GUESS)
            if kind != EntityKind.OTHER and key.endswith(_GUESS) == guessed:
                typed[kind] += count
        if typed:
            (first, best), *rest = typed.most_common(2)
            return EntityKind.OTHER if rest and rest[0][1] == best else first  # conflicting: abstain
    return EntityKind.OTHER


_GUESS = "?"


def _without_headlines(text: str) -> str:
    """The text with headlines, subheadings and lines in capitals blanked out (positions kept)."""

    kept = []
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped:
            kept.append(line)
            continue
        subheading = stripped.startswith("#") or (
            len(stripped) <= 80 and stripped[-1] not in ".!?:;\"”»)" and not _LOWER_CONTENT.search(stripped)
        )
        # A paragraph dense with names ("President Reagan named William Verity to be Commerce Secretary,
        # the White House said.") can look like a headline in title case; a headline is short.
        headline = is_headline(line) and (len(stripped) <= _LONGEST_TITLE_CASE_HEADLINE or _in_capitals(stripped))
        kept.append(" " * len(line) if subheading or headline else line)
    return "\n".join(kept)


_LONGEST_TITLE_CASE_HEADLINE = 140
_CAPS_RUN = re.compile(r"[A-Z]{2,}")


def _in_capitals(line: str) -> bool:
    letters = sum(ch.isalpha() for ch in line)
    return bool(letters) and sum(len(run) for run in _CAPS_RUN.findall(line)) >= 0.6 * letters


_LOWER_CONTENT = re.compile(r"[a-zа-яё](?<![\w'’-].)[\w'’-]{3,}")  # letter first: see tagging._UPPER_WORD


_PARTICIPLE = re.compile(r"[A-Z][a-z]+-[a-z]+ed$")


def _trim(name: str) -> str:
    name = re.sub(r"['’]s?$", "", name).rstrip(".,")  # Tokayev's -> Tokayev; "Qantas Airways Ltd." at a full stop
    words = name.split()
    # Leading filler, a possessive owner ("China's Ministry of Commerce"), a participle ("Liberian-registered
    # Sea Empress", "London-based Acme Capital").
    while words and (words[0] in _NOT_NAMES or is_sentence_adverb(words[0]) or words[0].endswith(("'s", "’s"))
                     or _PARTICIPLE.match(words[0])):
        words = words[1:]
    while words and words[-1] in {"of", "the", "and", "for"}:
        words = words[:-1]
    return " ".join(words)


# Adverbs and conjunctions that start a sentence, glued by capitals to the name after them
# ("Again Marat Zhumabekov said", "Separately Brixton Chemical said"). Closed classes, so a short
# list; adverbs in -ly are told by their ending (a word like "Italy" or "Kelly" is no such adverb).
_SENTENCE_ADVERBS = frozenset(
    "again also thus therefore nevertheless nonetheless furthermore moreover besides overall indeed meanwhile "
    "however separately earlier later still yet now today yesterday tomorrow instead otherwise then so hence "
    "likewise similarly elsewhere afterwards altogether anyway perhaps maybe".split())
_ADVERB_ENDING = re.compile(r"(?:al|ate|ous|ent|ant|ed|ive|ful|ible|able|ic|ar|ing)ly$")


@lru_cache(maxsize=4096)
def is_sentence_adverb(word: str) -> bool:
    """A word of grammar or a sentence adverb that capitals glue to the name after it."""
    lower = word.lower()
    return lower in _LEADING_FILLER or lower in _SENTENCE_ADVERBS or bool(_ADVERB_ENDING.search(lower))


_GENERIC_OFFICE = re.compile(rf"^(?P<word>{_UP}{_LOW}+) (?:Ministry|Ministries|Department|Committee|Exchange)$")


def _generic_office(name: str) -> bool:
    """ "Finance Ministry", "Labor Department", "Stock Exchange", "Central Committee": an ordinary word before
    the word for the institution, no country or name: every government, market or party has one."""

    match = _GENERIC_OFFICE.match(name)
    return bool(match) and is_common_word(match.group("word"))


def _office(name: str) -> bool:
    """ "Prime Minister", "Petroleum Resources Minister", "Minister of Foreign Economic Relations": a title
    with ordinary words around it is an office, whoever holds it, not an entity."""

    words = name.split()
    head = words[words.index("of") - 1] if "of" in words[1:] else words[-1]
    return is_title_word(head) and all(
        word in _JOINING_WORDS or is_title_word(word) or is_common_word(word) for word in words)


_JOINING_WORDS = frozenset("of the and for on".split())
# "Energy and Mines Minister Arturo Peñalver": the words before "and" belong to the office after it.
_OFFICE_AFTER = re.compile(rf"\s+and\s+(?:{_NAME_WORD}\s+){{0,3}}(?:{_TITLES})(?![\w-])")
# "the Dow Jones industrial average", "the Hang Seng index": a market's index is named with these words.
_INDEX_AFTER = re.compile(r" (?:(?:industrial|composite|transportation|utilities|all-share|share|stock) )?"
                          r"(?:average|index)(?![\w-])")
# "chairman of the Board of Huaxin": the board is the organisation's own, its name is what follows.
_OWN_BOARD = re.compile(r"(?:(?:Supervisory|Executive|Management)\s+)?Board(?:\s+of\s+Directors)?\s+of\s+(?:the\s+)?")


def _without_titles(name: str) -> str:
    """A person's name without the titles before it: "Sir Mark Rowley" -> "Mark Rowley"."""
    words = name.split()
    while len(words) > 2 and is_title_word(words[0]):
        words = words[1:]
    return " ".join(words)


# A company's legal form ends its name: "Mitsuhama Smelting Co Ltd of Japan" is "Mitsuhama Smelting Co Ltd".
_AFTER_LEGAL_FORM = re.compile(r"(\b(?:Inc|Ltd|LLP|JSC|PLC|Plc|Corp|Co))\.?\s+(?:of|for)\s+.*$")
# "Lone Star Savings Association of Amarillo": the city a company or a society is in, after its name, is no
# part of it; a country is ("State Grid Corporation of China", "Educational Institute of Scotland"), and a
# bank, a ministry or a university is named by the place it serves ("Federal Reserve Bank of Dallas").
_OF_WHERE = re.compile(r" (?P<head>[A-Z]\w+) of (?:the )?(?P<place>[^,;:()]+)$")
_KEEPS_ITS_PLACE = frozenset(
    "Bank Banks University Ministry Department Government Council Church College Bureau Office Commission "
    "Authority Republic Kingdom State States Chamber Archdiocese Diocese".split())
# "Securities and Exchange Commission": the capitalised words before "and" belong to the name found after it.
_JOINED_BEFORE = re.compile(rf"(?<![\w'’.-])((?:{_UP}{_LOW}[\w'’-]*\s+){{0,2}}{_UP}{_LOW}[\w'’-]*)\s+(?:and|&)\s+$")


_ROMAN = re.compile(r"[IVX]{2,4}")
_COUNTRY_CODES = frozenset({"UK", "US", "USA"})
def _plain_name(name: str, *, sentence_start: bool = False, gazetteer=None) -> str:
    """A run of capitalised words without what capitals alone glued to it; "" when no name is left."""

    words = name.split()
    if all(word.isupper() for word in words):
        return ""  # "SANTA FE", "TH QTR NET": text in capitals, not a name written in capitals
    # "Vietnam GDP growth", "Apple CEO": a common abbreviation after a name is not part of it.
    while (len(words) > 1 and words[-1].isupper() and is_common_word(words[-1]) and words[-1] not in _CLUB_LAST_WORDS
           and not _ROMAN.fullmatch(words[-1]) and not (words[-1] in _COUNTRY_CODES and len(words) > 2)):
        words.pop()  # ("Hibernian FC" keeps its FC, "North-South Link II" its number, "Cancer Research UK" its UK)
    # "Shares of Zealand Pharma", "Leaders of China": a plural common word capitalised because it
    # starts the sentence, then "of" ("Department of Agriculture" keeps its head, and so do "the
    # States of Jersey" inside a sentence).
    if sentence_start and len(words) >= 3 and words[1] == "of" and words[0].endswith("s") and is_common_word(
            words[0]):
        words = words[2:]
        if len(words) < 2:
            return ""
    # "Forecaster Hannah Rowley", "Opposition Social Democrats", "Frenchman Hugo Lemaire": what someone is,
    # capitalised because it starts the sentence, or a nationality, is no part of the name after it.
    while len(words) >= 3 and _glued_before_name(words, sentence_start=sentence_start, gazetteer=gazetteer):
        words = words[1:]
        sentence_start = True  # "Detective Sergeant Amir Haddad": one glued word after another
    return " ".join(words)


def _glued_before_name(words: list[str], *, sentence_start: bool, gazetteer=None) -> bool:
    """Whether the first of these capitalised words is only glued to the name after it: an ordinary word of
    the language capitalised at a sentence's start ("Student", "Pensioner", "Opposition", "PC"), or a
    nationality anywhere ("American", "Frenchman"). Not a word names start with ("New York Times", "Royal
    Dutch Shell", "North Sea"), a given name ("Mary Ann Evans"), nor before an institution or a place
    ("Royal College of Nursing", "Golden Gate Bridge"): what is left must be a name of its own."""

    first, rest = words[0], words[1:]
    if (first.lower() in _NAME_OPENERS or first in _PLACE_FIRST_WORDS or not rest[0][:1].isupper()
            or any(word in _JOINING_WORDS for word in rest) or rest[-1] in _NAME_LAST_WORDS
            or rest[-1] in _COMPANY_LAST_WORDS):
        return False
    if gazetteer is not None and gazetteer.known(f"{first} {rest[0]}"):
        return False  # "New York", "Hong Kong"
    if first in _demonyms():
        return True
    if not sentence_start or first in person_names()[0] or (gazetteer is not None and gazetteer.known(first)):
        return False  # a given name, or a name ("China Energy Engineering")
    return is_common_word(first) or bool(_PERSON_NOUN_ENDING.search(first)) and _seen_in_english(first)


def _describes_a_person(word: str) -> bool:
    """Whether a word glued before a name says it is a person's: what someone does or is ("Organiser",
    "Teenager", "Resident", "Midwife"), a rank ("PC", "Sergeant") or a nationality ("Frenchman")."""
    return (bool(_PERSON_NOUN_ENDING.search(word)) or word.isupper() or is_title_word(word)
            or word.lower() in _PERSON_NOUNS or word in _demonyms())


# Adjectives names start with; a closed class: points of the compass, numbers, rank and age.
_NAME_OPENERS = frozenset(
    "north south east west northern southern eastern western central new old royal general united great grand "
    "national federal international imperial standard holy saint st upper lower greater little big first second "
    "third supreme golden".split())
# What a person is called by what they do: forecaster, pensioner, organiser, midwife, chairwoman.
_PERSON_NOUN_ENDING = re.compile(r"(?:er|or|ist|ant|ent|ian|ee|wife|man|woman)$")


@lru_cache(maxsize=4096)
def _seen_in_english(word: str) -> bool:
    """A word English writes, if rarely ("forecaster"), rather than a name never seen ("Dilys")."""
    from wordfreq import zipf_frequency

    return zipf_frequency(word.lower(), "en") >= _RARE_WORD_ZIPF - 1.5


@lru_cache(maxsize=1)
def _demonyms() -> frozenset[str]:
    """What a country's people are called, as adjective and noun: "American", "Swiss", "Frenchman"."""
    import pycountry
    from countryinfo import CountryInfo

    from archive.places import EXTRA_ADJECTIVES

    found = {adjective for adjectives in EXTRA_ADJECTIVES.values() for adjective in adjectives if " " not in adjective}
    for country in pycountry.countries:
        try:
            demonym = CountryInfo(country.alpha_2).info().get("demonym") or ""
        except Exception:  # noqa: BLE001 - countryinfo lacks some territories, and says so in several ways
            continue
        found.update(part for part in demonym.split(",") if part.isalpha() and part[:1].isupper())
    found |= {f"{adjective}{suffix}" for adjective in found if adjective.endswith(("ch", "sh", "ss"))
              for suffix in ("man", "woman", "men", "women")}  # Frenchman, Dutchwoman, Englishmen
    return frozenset(found)


def _plain_kind(name: str) -> str:
    words = name.split()
    # "Royal College of Nursing", "House of Commons", "Group of Seven": the word before "of" heads it.
    head = words[words.index("of") - 1] if "of" in words[1:] else words[-1]
    if words[-1] in _PLACE_LAST_WORDS or words[0] in _PLACE_FIRST_WORDS:
        if not (words[-1] in _STREET_WORDS and words[0] in person_names()[0]):
            return EntityKind.PLACE  # "Celtic Park", "Downing Street", not the film-maker Nick Park
    if words[-1] in _EVENT_LAST_WORDS:
        return EntityKind.EVENT
    if words[-1] in _PROJECT_LAST_WORDS:
        return EntityKind.PROJECT
    if words[-1] in _ORG_LAST_WORDS or head in _ORG_HEAD_WORDS:
        return EntityKind.ORGANISATION
    if words[-1] in _COMPANY_LAST_WORDS and (
            words[0].isupper() or not is_common_word(words[0]) or words[0] in person_names()[0]):
        # "EDF Energy", "Tata Steel", "Zealand Pharma", "Philip Morris Cos"; not "Renewable Energy"
        return EntityKind.ORGANISATION
    return EntityKind.OTHER


# The word that ends the name of an event, a project or (besides those _ORG finds) an organisation:
# "Venice Economic Summit", "Six Nations Championship", "Export Enhancement Program", "Royal College of Nursing".
_EVENT_LAST_WORDS = frozenset(
    "Summit Forum Conference Congress Festival Fringe Games Olympics Cup Championship Championships Open Expo "
    "Round Prize Awards Week Fair Marathon Derby Rally Talks".split())
_PROJECT_LAST_WORDS = frozenset(
    "Program Programme Project Pipeline Initiative Scheme Plan Farm Station Dam Bridge Tunnel Terminal Line "
    "Corridor Railway".split())
_ORG_LAST_WORDS = frozenset(
    "College School Hospital Foundation Institution Network Charity Union UK Community Premiership".split())
_ORG_HEAD_WORDS = _ORG_LAST_WORDS | frozenset("House Group Bank Council Institute Court".split())
# What companies are called after their own name; the name before it must be no ordinary word.
_COMPANY_LAST_WORDS = frozenset(
    "Energy Pharma Pharmaceuticals Steel Oil Gas Petroleum Motors Power Water Mining Capital Media Telecom "
    "Systems Technologies Technology Foods Chemical Chemicals Electric Electronics Brands Resources Logistics "
    "Insurance Bakeries Brewery Breweries Shipping Textiles Aerospace Semiconductor Software Solar Motor Cos "
    "Stores Brothers Bros Trading Petrochemical Refining Minerals Metals Cement Construction".split())
# Words that end a complete name: of an organisation ("Company", "Bank"), a place, an event, a project.
_NAME_LAST_WORDS = frozenset(
    {word.replace("\\.?", "") for word in _ORG_ENDINGS.split("|")} | _PLACE_LAST_WORDS | _EVENT_LAST_WORDS
    | _PROJECT_LAST_WORDS | _ORG_LAST_WORDS)
# A title that starts a run of capitalised words makes the rest a person: "President Reagan", "Mr Keating".
_LEADING_TITLES = frozenset(
    "president minister chancellor senator sen rep gov governor mayor mr mrs ms dr sir dame lord king queen "
    "prince princess pope sheikh secretary ambassador premier commissioner chairman".split())


# ---- What else says a name's kind ------------------------------------------------------------
#
# Evidence is what the text says around a name: a title, an age, "said he", "shares of", "beat
# Inter 2-1". A name's form is only a guess: a given name first ("Jane Roe"), a Chinese surname first
# ("Zhao Ziyang"), a Russian or Kazakh surname ending ("Marat Zhumabekov"). A guess counts only for a
# name that no article gives evidence for: "Morgan Stanley" starts with a given name, and the stories
# that say "Morgan Stanley said it" or "analysts at Morgan Stanley" outvote all those that say nothing.
# Where the evidence in one article disagrees, the article abstains.

# Given names, surnames and Chinese surnames of some 80 locales: archive.person_names.
# A word this frequent that no locale lists as a surname ends no person's name: "Jordan Valley", "Grace Road".
_RARE_WORD_ZIPF = 3.5
_SURNAME_ENDING = re.compile(
    r"(?:ov|ev|yev|iev|ova|eva|yeva|ovich|evich|ovic|evic|ovna|evna|enko|sky|skiy|skyi|ski|skaya|uly|kyzy|"
    r"shvili|dze)$")


@lru_cache(maxsize=20_000)
def _ends_a_name(word: str) -> bool:
    """Whether a word can be a person's last name: a listed surname, a rare word, a Slavic ending."""
    from wordfreq import zipf_frequency

    _, surnames, _ = person_names()
    return word in surnames or bool(_SURNAME_ENDING.search(word)) or zipf_frequency(
        word.lower(), "en") < _RARE_WORD_ZIPF


def person_by_form(name: str, gazetteer=None) -> bool:
    """Whether a name of two or three words is shaped like a person's (a guess, not evidence)."""
    words = name.split()
    if not 2 <= len(words) <= 3 or any(not word[:1].isupper() or word.isupper() for word in words):
        return False
    given, _, chinese = person_names()
    first, last = words[0], words[-1].split("-")[-1]
    if first in chinese and len(words) == 2:
        shaped = _ends_a_name(words[1])  # "Zhao Ziyang", "Li Wei", not "Long Beach"
    elif first in given or (_SURNAME_ENDING.search(last) and len(words) == 2):
        shaped = _ends_a_name(last)
    else:
        return False
    # "Chase Manhattan", "Paris Hilton": a known place in it, no guess either way.
    return shaped and not (gazetteer is not None and any(gazetteer.known(word) for word in (words[0], words[-1])))


# Words that end a sports club's name; "City" and "United" only in a story about sport ("Leicester
# City", not "Mexico City"), so both are checked against the story.
_CLUB_LAST_WORDS = frozenset("FC AFC CF SC Rovers Athletic Wanderers Albion Hotspur Rangers".split())
_CLUB_LAST_WORDS_IN_SPORT = frozenset("City United Town County".split())
_CLUB_FIRST_WORDS = frozenset("FC AC AS SC SV".split())
_CLUB_FIRST_WORDS_IN_SPORT = frozenset("Real Atletico Athletic Sporting Olympique Dynamo Dinamo Inter".split())
_SPORT = re.compile(
    r"\b(?:\d{1,2}-\d{1,2}|goals?|striker|midfielder|goalkeeper|defender|penalty|derby|league|season|squad|"
    r"matchday|fixture|semi-final|quarter-final|champions|relegation|kick-off|half-time|stadium|tournament|"
    r"straight-sets|quarterback|innings|wickets|coach|manager)\b")
# Competing: "AC Milan beat Inter", "a win over Brighton", "Carlos Alcaraz beat Novak Djokovic". Both
# clubs and players compete: the name's form says which.
_COMPETES_AFTER = re.compile(
    r"\s+(?:beat|defeated|thrashed|drew|lost\s+to|edged|overcame|clinched|won\s+(?:the|their|his|her|its)|"
    r"(?:have|has)\s+(?:signed|beaten|won|drawn|lost))\b")
_COMPETES_BEFORE = frozenset("beat defeated against versus vs vs.".split())
_COMPETES_BEFORE_PAIRS = frozenset({("lost", "to"), ("drew", "with")} | {
    (result, word) for result in ("win", "victory", "defeat", "draw")
    for word in ("over", "against", "to", "by", "with")})
# What only people do in news copy ("Mohamed Salah scored twice", "Paris Hilton launched her
# perfume"), what a person has ("Michael Jordan's sneakers"), and how a person is described after
# the name ("Martin Hale, who retires", "Rachel Springall, a finance expert at Moneyfacts").
# "Outside Downing Street, the prime minister said": after a comma, who speaks is no apposition.
_NOT_SPEAKING = r"(?!,?\s+(?:said|says|told|added|warned|insisted|argued|announced))"
_PERSON_DOES = re.compile(
    r"(?:,\s+\d{1,3},|\s+\(\d{2}\)|,\s+who\b|\s+\w+(?:ed|s)\s+(?:his|her|himself|herself)\b|"
    r"\s+(?:scored|netted|kicked|told\s+(?:reporters|journalists)|was\s+born|died|"
    r"retired|resigned|married|wrote|sang|starred)\b|"
    r"['’]s?\s+(?:wife|husband|son|daughter|mother|father|brother|sister|family|widow|career|funeral|death|"
    r"birthday|lawyers?|sneakers|memoirs?|autobiography|goal|goals|debut)\b|"
    r",\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,3}?(?:expert|analyst|economist|strategist|spokesman|spokeswoman|nurse|"
    r"teacher|doctor|consultant|surgeon|lawyer|student|pensioner|worker|mother|father|novelist|author|"
    r"researcher|scientist|professor|lecturer|engineer|farmer|resident|campaigner|councillor|mp|officer|"
    r"manager|coach|player|striker|midfielder|defender|goalkeeper|captain|executive|director|founder|owner|"
    rf"chairman|chairwoman|president|minister|secretary|official|leader)\b(?!['’]){_NOT_SPEAKING}|"
    r"\s+and\s+(?:his|her)\s+(?:wife|husband|son|daughter|family|partner)\b)")
# What a person is called before the name, in lower case ("novelist Esi Edugyan", "buffer stock
# manager Juergen Plambeck"), besides the titles above.
_PERSON_NOUNS = frozenset("""
    novelist author writer poet nurse teacher doctor manager coach striker midfielder defender goalkeeper winger
    forward captain player singer actor actress director presenter journalist correspondent analyst economist
    strategist chairman chairwoman spokesman spokeswoman councillor mp senator congressman congresswoman
    businessman businesswoman entrepreneur billionaire financier investor banker lawyer founder star champion
    pensioner campaigner widow colleague fly-half scrum-half full-back centre-back vice-chancellor
    administrator commissioner prosecutor detective inspector constable sergeant headteacher headmaster
    chancellor""".split())
# Whose someone is: "the charity's Nigel Bourn", "the club's Bukayo Saka".
_PERSON_NOUNS_BEFORE = _PERSON_NOUNS | {"succeeding", "replacing"}
_PERSON_OF = re.compile(r"(?:charity|company|club|team|firm|bank|group|party|council|government|ministry|agency|"
                        r"union)['’]s")
# What an organisation is or has: "shares of Zealand Pharma", "Zealand Pharma shares", "analysts at
# Morgan Stanley", "a stake in Dunmore Mining", "Tata Steel, the steelmaker,".
_ORGANISATION_HELD = frozenset("shares stock stake stakes holding holdings investment investors customers clients "
                                "shareholders".split())
_ORGANISATION_STAFF = frozenset(
    "analyst analysts economist economists strategist strategists trader traders dealer dealers broker brokers "
    "researcher researchers expert experts engineer engineers executive executives official officials staff "
    "employees workers".split())
_ORGANISATION_PAIRS = frozenset({("merger", "with"), ("takeover", "of"), ("acquisition", "of"), ("bid", "for"),
                                 ("offer", "for"), ("subsidiary", "of"), ("unit", "of"), ("division", "of"),
                                 ("owned", "by"), ("listed", "on")})
_ORGANISATION_DOES = re.compile(
    r"\s+(?:shares|stock)\b(?!\s+(?:of|in)\b)|"
    r",\s+(?:the|a|an)\s+(?:[\w-]+\s+){0,3}?(?:company|firm|group|bank|charity|carrier|airline|newspaper|"
    r"broadcaster|insurer|retailer|lender|miner|steelmaker|carmaker|utility|regulator|watchdog|operator|"
    r"manufacturer|maker|producer|supplier|developer|club|union|website|agency|organisation|organization|"
    rf"association|body|trust|fund|publisher|chain|brand)\b(?!['’]){_NOT_SPEAKING}")
# What happens in an event: "the opening match of the Six Nations", "a squad for the Six Nations".
_EVENT_NOUNS = frozenset("match matches game games final round stage edition leg squad opening start".split())
# Where something is: "the province of Zhejiang", "Zhejiang province".
_PLACE_UNITS = frozenset(
    "province region oblast county district prefecture state city town village port island capital suburb suburbs "
    "outskirts".split())
_PLACE_AFTER = re.compile(
    r"\s+(?:province|region|oblast|county|district|prefecture|municipality|township|metropolitan\s+area)\b")


# What follows a name, in one pattern (one match per name); at most one of these can follow.
_SAID_AFTER = re.compile(
    rf"(?P<person>{_PERSON_AFTER.pattern}|{_PERSON_DOES.pattern})"
    rf"|(?P<organisation>{_ORGANISATION_AFTER.pattern}|{_ORGANISATION_DOES.pattern})"
    rf"|(?P<place>{_PLACE_AFTER.pattern})|(?P<compete>{_COMPETES_AFTER.pattern})")
_AFTER_KINDS = {"person": EntityKind.PERSON, "organisation": EntityKind.ORGANISATION, "place": EntityKind.PLACE}


def _said_before(text: str, start: int) -> set[str]:
    """The kinds the few words just before a name say it is of (the words, not a regex over a window: a
    dozen set lookups cost less than one search), with "compete" for a rival in a contest."""
    if start < 2 or text[start - 1] not in " \t":
        return set()
    words = [word.lstrip("\"'“‘(") for word in text[max(0, start - 40):start].lower().split()[-4:]]
    if not words:
        return set()
    kinds = set()
    last = words[-1]
    if last in _PERSON_NOUNS_BEFORE or _PERSON_OF.fullmatch(last):
        kinds.add(EntityKind.PERSON)  # "novelist Esi Edugyan", "the charity's Nigel Bourn"
    if len(words) >= 3 and last == "the" and words[-2] in ("of", "for", "at") and words[-3] in _EVENT_NOUNS:
        kinds.add(EntityKind.EVENT)  # "the opening match of the Six Nations"
    if last == "the":
        words = words[:-1]  # "shares of the", "analysts at the"
    if len(words) >= 2:
        pair = (words[-2], words[-1])
        if (pair in _ORGANISATION_PAIRS or words[-2] in _ORGANISATION_HELD and words[-1] in ("of", "in")
                or words[-2] in _ORGANISATION_STAFF and words[-1] in ("at", "for", "from", "with")):
            kinds.add(EntityKind.ORGANISATION)  # "shares of Zealand Pharma", "analysts at Morgan Stanley"
        if words[-1] == "of" and words[-2] in _PLACE_UNITS and last != "the":
            kinds.add(EntityKind.PLACE)  # "the province of Zhejiang"
        if pair in _COMPETES_BEFORE_PAIRS:
            kinds.add("compete")  # "a win over Brighton"
    if last in _COMPETES_BEFORE:
        kinds.add("compete")  # "Carlos Alcaraz beat Novak Djokovic"
    return kinds


def _strength(kind: str, guessed: bool) -> int:
    return 0 if kind == EntityKind.OTHER else 1 if guessed else 2


def _kind_in_context(text: str, name: str, start: int, end: int, before, in_sport, gazetteer
                     ) -> tuple[str, bool]:
    """The kind what surrounds a capitalised name says (evidence), else its form's guess; "other" when
    nothing says, or the evidence disagrees. ``in_sport()`` says whether the story is about sport."""
    words = name.split()
    if words[-1] in _CLUB_LAST_WORDS or words[0] in _CLUB_FIRST_WORDS or (
            words[-1] in _CLUB_LAST_WORDS_IN_SPORT or words[0] in _CLUB_FIRST_WORDS_IN_SPORT) and in_sport():
        return EntityKind.ORGANISATION, False  # "Hibernian FC", "AC Milan", "Leicester City" in a match report
    if len(words) == 2 and words[0].isupper() and gazetteer is not None and gazetteer.known(words[1]):
        return EntityKind.ORGANISATION, False  # "NHS England", "BBC Scotland": a body and where it works
    kinds = _said_before(text, start)
    competes = "compete" in kinds
    kinds.discard("compete")
    if before and before.group(1) in _PLACE_PREPOSITIONS and not _POSSESSIVE.match(text, end):
        kinds.add(EntityKind.PLACE)  # "workers in Port Talbot"
    after = _SAID_AFTER.match(text, end)  # "William Verity, 70,", "Tata Steel said it", "Zhejiang province"
    if after:
        if after.lastgroup == "compete":
            competes = True
        else:
            kinds.add(_AFTER_KINDS[after.lastgroup])
    if competes and in_sport():
        # Players and clubs both win and lose: a person's name is a player; a name with a place in it a
        # club ("Bayern Munich", "Cleveland Browns"); others say nothing ("Kyogo Furuhashi").
        if person_by_form(name, gazetteer):
            kinds.add(EntityKind.PERSON)
        elif gazetteer is not None and any(gazetteer.known(word) for word in words):
            kinds.add(EntityKind.ORGANISATION)
    if len(kinds) == 1:
        return kinds.pop(), False
    if kinds:
        return EntityKind.OTHER, False
    return (EntityKind.PERSON, True) if person_by_form(name, gazetteer) else (EntityKind.OTHER, False)


def _person_after_role_word(words: list[str]) -> str | None:
    """ "Brendan Rodgers" from "Manager Brendan Rodgers": ordinary words or an acronym, then a given name
    and a surname. None when the run is not shaped so."""
    if len(words) < 3:
        return None

    given, _, _ = person_names()
    for cut in range(max(1, len(words) - 3), len(words) - 1):
        head, rest = words[:cut], words[cut:]
        if not (head[-1].lower() in _PERSON_NOUNS or rest[0] in given):
            continue
        if not all((word.isupper() or is_common_word(word)) and word not in given for word in head):
            continue
        if head[-1].lower() in _PERSON_NOUNS or person_by_form(" ".join(rest)):
            return " ".join(rest)  # "Councillor Kye Dudd", "Financier Leon Barrow"
    return None


# ---- Russian copy ----------------------------------------------------------------------------
#
# In Russian only names are capitalised inside a sentence (an organisation's name has one capital:
# "Министерство энергетики"), so two or three capitalised words are a name; a person's when one is a
# patronymic ("Иван Петрович Сидоров"), a surname follows initials ("А. Иванов"), or the last word has a
# surname's ending in the nominative ("Марат Жумабеков", "Айгуль Нурланова"). A company is named in
# quotes after its legal form: АО «Самрук-Энерго», ТОО «Кайнар», ПАО «Газпром».
_CYRILLIC_WORD = r"[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?"
_RUSSIAN_LEGAL_FORMS = r"АО|АООТ|ОАО|ЗАО|ПАО|ООО|ТОО|НАК|НК|АК|ГК|ФГУП|МУП|ГУП|РГП|ГКП"
# One scan for all three, starting at a capital (or "компания"), so the regex engine passes over the
# other positions quickly: a company in quotes after its legal form, initials and a surname, a run of
# capitalised words.
_RUSSIAN_NAMES = re.compile(
    rf"(?=[А-ЯЁкх])(?:(?<![\w-])(?:{_RUSSIAN_LEGAL_FORMS}|[Кк]омпания|[Кк]орпорация|[Кк]онцерн|[Хх]олдинг)\s+"
    r"«(?P<company>[^«»\n]{2,60})»"
    r"|(?<![\w.])(?P<initials>[А-ЯЁ]\.\s?(?:[А-ЯЁ]\.\s?)?[А-ЯЁ][а-яё]{2,}(?:-[А-ЯЁ][а-яё]+)?)(?![\w-])"
    rf"|(?<![\w«\"-])(?P<run>{_CYRILLIC_WORD}(?:\s+{_CYRILLIC_WORD}){{1,3}})(?![\w-]))")
_CYRILLIC_SURNAME = re.compile(r"(?:ов|ев|ёв|ин|ын|ский|цкий|ова|ева|ёва|ина|ына|ская|цкая|енко|ұлы|улы|қызы|кызы)$")
_CYRILLIC_PATRONYMIC = re.compile(r"(?:ович|евич|ич|овна|евна|ична|инична)$")

@lru_cache(maxsize=20_000)
def _russian_common_word(word: str) -> bool:
    """A word of pymorphy3's dictionary that is no given name, surname or patronymic ("Президент",
    "Казахстана"); unknown words ("Алмасадам", "Жумабеков") are names."""

    return morph().word_is_known(word.lower()) and not (
        {"Name", "Surn", "Patr"} & set(parses(word)[0].tag.grammemes))


def _russian_person(words: list[str], gazetteer=None) -> tuple[list[str], bool] | None:
    """The person's name in a run of capitalised Cyrillic words, and whether the evidence is certain (a
    patronymic); None when the run is no person's name."""

    def ordinary(word: str) -> bool:
        # "Президент", "Министр", "Казахстана": a word of the dictionary that is no given name or surname.
        return _russian_common_word(word) or (gazetteer is not None and gazetteer.known(word))

    while words and ordinary(words[0]):
        words = words[1:]
    if not 2 <= len(words) <= 3:
        return None
    if len(words) == 3 and _CYRILLIC_PATRONYMIC.search(words[1]):
        return words, True
    if not _CYRILLIC_SURNAME.search(words[-1]) or any(ordinary(word) for word in words[1:]):
        return None
    if words[-1].endswith(("ова", "ева", "ёва", "ина", "ына")) and "gent" in parses(words[0])[0].tag:
        return None  # "Марата Жумабекова": the genitive of a man's name, not a woman's
    return words, False


def _russian_person_in_any_case(words: list[str]) -> tuple[list[str], int, int, bool] | None:
    """A given name and the surname after it, in the same case, as the nominative: "Ерболом
    Досмагамбетовым" -> "Ербол Досмагамбетов", "Динары Сейткали" -> "Динара Сейткали". Returns the words,
    where they start and end in ``words``, and whether the dictionary knows the given name and the surname
    (or a patronymic) as such; None when no given name is followed by a surname that agrees with it."""
    fallback = None
    for i, word in enumerate(words[:-1]):
        if _russian_common_word(word):
            continue  # "Председатель", "Посол", "Алматы" before the name
        given_parses = [p for p in parses(word) if "Name" in p.tag and "sing" in p.tag]
        if not given_parses:
            # A given name the dictionary lacks ("Нурболом"): read in the case of a surname it does know.
            given_parses = [p for p in parses(word) if p.tag.POS == "NOUN" and "sing" in p.tag]
            known_name = False
        else:
            known_name = True
        for given in given_parses:
            tag = given.tag
            nominative = [given.inflect({"nomn"})]
            end, certain = i + 1, False
            patronymic = next((p for p in parses(words[end]) if "Patr" in p.tag and p.tag.case == tag.case),
                              None)
            if patronymic is not None and end + 1 < len(words):
                nominative.append(patronymic.inflect({"nomn"}))
                end, certain = end + 1, True
            if None in nominative:
                continue
            surname = _surname_in_nominative(words[end], tag.case, tag.gender, strict=not known_name)
            if surname is None:
                continue
            found = ([_capitalised(p.word) for p in nominative] + [surname[0]], i, end + 1,
                     known_name and (certain or surname[1]))
            if surname[1] or certain:
                return found
            fallback = fallback or found
        if fallback:
            return fallback
    return fallback


def _surname_in_nominative(word: str, case: str, gender: str | None, *, strict: bool = False
                           ) -> tuple[str, bool] | None:
    """The surname ``word`` in the nominative, given the case and gender of the given name before it, and
    whether the dictionary reads it as a surname in that case; None when it cannot be that name's surname.
    ``strict``: only a surname the dictionary reads so."""
    surnames = [parse for parse in parses(word) if "Surn" in parse.tag]
    for parse in surnames:
        if parse.tag.case == case and (gender is None or parse.tag.gender is None or parse.tag.gender == gender
                                       or "ms-f" in parse.tag):
            nominative = parse.inflect({"nomn", "sing"} if "sing" in parse.tag else {"nomn"})
            if nominative is not None:
                return _capitalised(nominative.word), True
    if strict or _russian_common_word(word):
        return None
    if case == "nomn":
        # Not a surname declined in another case ("Тлеубаевой" is no nominative).
        return None if surnames and all(parse.tag.case != "nomn" for parse in surnames) else (word, False)
    for ending, replacement in _SURNAME_CASE_ENDINGS.get(gender, ()):
        if word.endswith(ending) and len(word) > len(ending) + 2:
            return word[: -len(ending)] + replacement, False
    # A surname that is not declined ("Сейткали", "Хосе Гарсиа") stays as it is.
    return (word, False) if word[-1:] in "иоуеэы" else None


# How the surnames English copy calls Russian and Kazakh end in the other cases, and their nominative.
_SURNAME_CASE_ENDINGS = {
    "masc": (("овым", "ов"), ("евым", "ев"), ("ёвым", "ёв"), ("иным", "ин"), ("ыным", "ын"), ("ова", "ов"),
             ("ева", "ев"), ("ина", "ин"), ("ову", "ов"), ("еву", "ев"), ("ину", "ин"), ("ове", "ов"), ("еве", "ев"),
             ("ине", "ин"), ("ским", "ский"), ("ского", "ский"), ("скому", "ский"), ("ском", "ский")),
    "femn": (("овой", "ова"), ("евой", "ева"), ("иной", "ина"), ("ову", "ова"), ("еву", "ева"), ("ину", "ина"),
             ("ской", "ская"), ("скую", "ская")),
}


def _capitalised(word: str) -> str:
    return "-".join(part[:1].upper() + part[1:] for part in word.split("-"))


# «Тулпар Грид», «Аллюр», «Север — Юг II»: a name in quotes, capitalised, short, with no sentence in it.
_QUOTED_NAME = re.compile(r"«(?P<quoted>[A-ZА-ЯЁ][^«»\n,.!?:;]{0,60}?)»")
# What the word before a name in quotes says it names (in the dictionary form).
_QUOTED_KINDS = {
    **dict.fromkeys(
        "компания оператор завод фонд банк холдинг корпорация концерн агентство газета партия союз ассоциация "
        "предприятие группа фабрика комбинат организация клуб авиакомпания производитель разработчик "
        "перевозчик акимат".split(), EntityKind.ORGANISATION),
    **dict.fromkeys(
        "проект ветропарк станция электростанция месторождение трубопровод газопровод нефтепровод программа "
        "комплекс терминал линия вэс сэс гэс тэц аэс".split(), EntityKind.PROJECT),
    **dict.fromkeys("конгресс форум выставка ярмарка фестиваль конференция саммит".split(), EntityKind.EVENT),
}
_WORD_BEFORE_QUOTE = re.compile(r"([а-яёА-ЯЁ]+)\s*$")


def _quoted_name(text: str, match: re.Match) -> tuple[str, str] | None:
    """The name in quotes, in the nominative, and the kind the word before it says; None for a quotation."""
    quoted = match.group("quoted").strip()
    words = quoted.split()
    if len(words) > 6:
        return None
    best = [parses(word)[0] for word in words if CYRILLIC.search(word)]  # each Cyrillic word's best reading
    if any(parse.tag.POS in ("VERB", "INFN", "GRND", "PRTS") and parse.is_known for parse in best):
        return None  # «Мы построим» is a quotation
    before = _WORD_BEFORE_QUOTE.search(text, max(0, match.start() - 30), match.start())
    lemma = parses(before.group(1))[0].normal_form if before else ""
    kind = _QUOTED_KINDS.get(lemma, EntityKind.OTHER)
    if kind == EntityKind.OTHER and len(words) == 1 and _russian_common_word(words[0]):
        return None  # "Слово «Привет»": an ordinary word in quotes, and nothing before it says it is a name
    if lemma not in _QUOTED_KINDS and len(words) > 1 and words[1][:1].islower() and CYRILLIC.search(
            words[0]):
        # "глава «Национальных электрических сетей Узбекистана»": a Russian name (one capital) is declined
        # with the sentence; after a word like "компанией", or a name in capitals ("Барки Точик"), it stays.
        first = best[0]
        if first.is_known and first.tag.case not in (None, "nomn") and first.tag.POS in ("ADJF", "NOUN"):
            nominative = []
            for number, word in enumerate(words):
                parse = parses(word)[0]
                inflected = parse.inflect({"nomn", parse.tag.number or "sing"})
                if inflected is None:
                    break
                nominative.append(_capitalised(inflected.word) if number == 0 else inflected.word)
                if parse.tag.POS == "NOUN":
                    nominative += words[number + 1:]
                    break
            else:
                nominative = []
            if len(nominative) == len(words):
                quoted = " ".join(nominative)
    return quoted, kind


def find_candidates(text: str, gazetteer=None, *, known: list[tuple[int, int, int]] | None = None) -> list[Candidate]:
    """Names in ``text`` that look like entities, each with the sentence it was found in.

    With a ``gazetteer`` (archive.tagging.Gazetteer), names of known entities and the
    pieces of them are left out, and a known name with more words around it, or the
    start of a known name the text names in full elsewhere, is offered as its alias.
    ``known`` is ``gazetteer.spans(text)`` when the caller has it already.
    """
    original = text
    text = _without_headlines(text)
    found: dict[str, Candidate] = {}
    taken: list[tuple[int, int]] = []
    if known is None:
        known = gazetteer.spans(original) if gazetteer is not None else []
    named_here = {entity_id: original[start:end] for start, end, entity_id in known}

    def alias_of(name: str, start: int, end: int) -> int | None | bool:
        """The entity this name is another name of; False when it is only a piece of a known mention."""
        for k_start, k_end, entity_id in known:
            if k_start <= start and end <= k_end:
                return False  # "Ministry of Energy" inside "Ministry of Energy of the Republic of Kazakhstan"
            if start < k_start < end < k_end or k_start < start < k_end < end:
                return False  # "Second Belt" across "Belt and Road Forum": cut out of a known name
            if start <= k_start and k_end <= end:
                extra = (original[start:k_start] + " " + original[k_end:end]).split()
                if all(is_title_word(word) for word in extra):
                    return entity_id  # "President Tokayev" around "Tokayev"
                return None  # "Morgan Stanley" is a name of its own, not more of Stanley
        words = name.casefold().split()
        for entity_id, mention in named_here.items():
            if mention.casefold().split()[: len(words)] == words:
                return entity_id  # "Ministry of Energy" for the ministry named in full elsewhere
        return None

    conflicted: set[str] = set()
    sport: list[bool] = []

    def in_sport() -> bool:
        """Whether the story is about sport; looked for once, and only when a name needs to know."""
        if not sport:
            sport.append(bool(_SPORT.search(text)))
        return sport[0]

    def person_after_place(start: int, end: int) -> int | None:
        """Where a person's name starts after a known place that capitals glued before it ("head of Central
        Asia Huseyin Ozhan-Bey"); None when the words after the place are not shaped like a person's name."""
        for k_start, k_end, entity_id in known:
            if k_start == start and k_end < end and entity_id in gazetteer.places and text[k_end:k_end + 1] == " ":
                rest = text[k_end + 1:end]
                return k_end + 1 if person_by_form(rest, gazetteer) else None
        return None

    def words_after_comma_of_a_place(name: str, start: int) -> bool:
        """ "Representative Joan Whitlock, Democrat of California, said": one ordinary word and "of" a known
        place, after a comma, says what someone is and where from; it names nothing."""

        words = name.split()
        return (gazetteer is not None and len(words) >= 3 and words[1] == "of" and text.endswith(", ", 0, start)
                and is_common_word(words[0]) and gazetteer.known(" ".join(words[2:])))

    def city_at(start: int, end: int) -> bool:
        """Whether a known city is named just there ("of Amarillo"; not a country: "of China", "of Scotland")."""
        return any(k_start == start and k_end == end and getattr(gazetteer.places.get(entity_id), "place_type", "")
                   == "city" for k_start, k_end, entity_id in known)

    def add(name: str, kind: str, start: int, end: int, strong: bool, guessed: bool = False) -> None:
        raw = text[start:end]
        name = _trim(name)
        if kind == EntityKind.PERSON:
            name = _without_titles(name)
        if kind == EntityKind.ORGANISATION:
            # "Ministry of Energy Minister Ivanov": the title starts the next name.
            words = name.split()
            while len(words) > 3 and is_title_word(words[-1]):
                words.pop()
            name = _AFTER_LEGAL_FORM.sub(r"\1", " ".join(words))
            where = _OF_WHERE.search(name)
            if where and where.group("head") not in _KEEPS_ITS_PLACE and gazetteer is not None:
                at = start + max(raw.find(name), 0)
                if city_at(at + where.start("place"), at + where.end("place")):
                    name = name[:where.end("head")]  # "Lone Star Savings Association of Amarillo": where it is
        if name and name in raw:
            start += raw.find(name)
            end = start + len(name)
        if kind == EntityKind.ORGANISATION and strong and not any(
                k_start < end and k_end > start for k_start, k_end, _ in known):
            # "Securities and Exchange Commission", "China National Oil and Gas Exploration and Development Corp".
            for _ in range(3):
                joined = _JOINED_BEFORE.search(text, max(0, start - 60), start)
                if not joined:
                    break
                head = _trim(joined.group(1))
                head_start = joined.start(1) + joined.group(1).find(head)
                if not head or any(is_title_word(word) for word in head.split()) or any(
                        k_start <= head_start and k_end >= head_start + len(head) for k_start, k_end, _ in known):
                    break  # "Kazakhstan and China Development Bank": a known name before "and" is a name of its own
                start = head_start
                name = text[start:end]
        if _generic_office(name) or _office(name):
            return  # "the Finance Ministry said": every government has one; the name says not whose
        # Two words at least: a lone "Ministry" or "Bank" left after trimming is no name.
        minimum = 1 if kind == EntityKind.PERSON or text[start - 1:start] == "«" else 2  # АО «Самрук-Энерго»
        if len(name.split()) < minimum or len(name) < 4 or len(name) > 120:
            return
        if any(word in _DATE_WORDS for word in name.split()):
            return  # "Pay April", "Record March": dividend dates, not names
        if any(start < t_end and end > t_start for t_start, t_end in taken):
            return
        tail = None if strong else _TAIL_OF_LONGER_NAME.search(text, max(0, start - 40), start)
        if tail and not _ends_its_own_name(tail.group("previous"), tail.group("word"), name):
            return  # "Road Initiative" in "Belt and Road Initiative"
        taken.append((start, end))
        target = alias_of(name, start, end) if known else None
        if target is False:
            return
        key = name.casefold()
        seen = found.get(key)
        if seen is None:
            found[key] = Candidate(name, kind, sentence_around(original, start, end), strong, target, guessed)
            return
        # One vote per article: evidence over a guess over nothing; evidence that disagrees abstains.
        strength, seen_strength = _strength(kind, guessed), _strength(seen.kind, seen.guessed)
        if key in conflicted or (strength == seen_strength == 2 and kind != seen.kind):
            conflicted.add(key)
            kind, guessed = EntityKind.OTHER, False
        elif strength <= seen_strength:
            kind, guessed = seen.kind, seen.guessed
        found[key] = Candidate(seen.name, kind, seen.sentence, seen.strong or strong, seen.alias_of or target,
                               guessed)

    starts = capital_starts(text)
    for match in _matches_at(_PERSON, text, starts):
        if " " in match.group("name") or match.group("title").endswith("."):
            add(match.group("name"), EntityKind.PERSON, match.start("name"), match.end("name"), True)
    for match in _persons_before_titles(text):
        before = _LOWER_WORD_BEFORE.search(text, max(0, match.start("name") - 30), match.start("name"))
        if before and before.group(1) in _WHERE_PREPOSITIONS:
            continue  # "Standing outside Downing Street, the prime minister said": where, not who
        if _introduces_the_next_name(text, match.end()):
            continue  # "... for its Atyrau Polymer Complex, director Galym Nurtazin said": the title is his
        add(match.group("name"), EntityKind.PERSON, match.start("name"), match.end("name"), True)
    for match in _organisations(text, starts):
        group = "name" if match.group("name") else "ministry"
        add(match.group(group), EntityKind.ORGANISATION, match.start(group), match.end(group), True)
    for match in _ROLE_OF.finditer(text):
        role = _ROLE_BEFORE.search(text, max(0, match.start() - 24), match.start())
        if role is None:
            continue
        kind = EntityKind.PLACE if role.group("role").lower() in _PLACE_ROLES else EntityKind.ORGANISATION
        board = _OWN_BOARD.match(text, match.start("name"))
        start = board.end() if board else match.start("name")
        if gazetteer is not None and (person := person_after_place(start, match.end("name"))) is not None:
            # "EBRD head of Central Asia Huseyin Ozhan-Bey": the region headed, then who heads it.
            add(text[person:match.end("name")], EntityKind.PERSON, person, match.end("name"), False)
            continue
        add(text[start:match.end("name")], kind, start, match.end("name"), True)
    for run, run_start in _plain_runs(text, gazetteer, starts):
        trimmed = _trim(run)
        first = run_start + run.find(trimmed)
        name = _plain_name(trimmed, sentence_start=sentence_initial(text, first), gazetteer=gazetteer)
        if " " not in name:
            continue  # one word left once the filler is trimmed ("The Chancellor"): no name of two words
        start = run_start + run.find(name)
        end = start + len(name)
        if _OFFICE_AFTER.match(text, end):
            continue  # "Energy and Mines Minister X": part of the office, like "Energy Minister X"
        board = _OWN_BOARD.match(name) if text.endswith("of the ", 0, start) else None
        if board:
            name, start = name[board.end():], start + board.end()  # "Chairman of the Board of Huaxin Power"
            if " " not in name:
                continue
        if gazetteer is not None and (person := person_after_place(start, end)) is not None:
            add(text[person:end], EntityKind.PERSON, person, end, False)  # "Central Asia Huseyin Ozhan-Bey said"
            continue
        if words_after_comma_of_a_place(name, start):
            continue  # "Joan Whitlock, Democrat of California,": what the person is, and where from
        index = _INDEX_AFTER.match(text, end)
        if index:
            end = index.end()  # "the Dow Jones industrial average": the index, not the company
            name = text[start:end]
        before = _LOWER_WORD_BEFORE.search(text, max(0, start - 30), start)
        words = name.split()
        glued = trimmed[:-len(name)].split() if trimmed != name and trimmed.endswith(name) else []
        if before and is_title_word(before.group(1)) and 2 <= len(words) <= 3:
            add(name, EntityKind.PERSON, start, end, True)
        elif glued and _describes_a_person(glued[-1]):
            add(name, EntityKind.PERSON, start, end, False)  # "Pensioner Dilys Morgan", "Frenchman Hugo Lemaire"
        elif (len(words) <= 4 and words[0].strip(".").casefold() in _LEADING_TITLES and not is_title_word(words[1])
              and words[1][:1].isupper() and _plain_kind(" ".join(words[1:])) == EntityKind.OTHER):
            # Not "Minister of Energy" (an office) nor "Queen Elizabeth Hospital" (a hospital).
            rest = start + len(name) - len(" ".join(words[1:]))
            if any(k_start == rest and k_end == end for k_start, k_end, _ in known):
                add(name, EntityKind.PERSON, start, end, True)  # "President Tokayev": offered as an alias
            else:
                add(" ".join(words[1:]), EntityKind.PERSON, rest, end, True)  # "President Reagan": Reagan
        elif _ROLE_AFTER.match(text, end):
            add(name, EntityKind.ORGANISATION, start, end, True)
        elif (person := _person_after_role_word(words)) is not None:
            # "Manager Brendan Rodgers", "FAA Administrator Donald Engen": what a person is, capitalised
            # at a sentence's start, then a given name.
            rest = end - len(person)
            add(person, EntityKind.PERSON, rest, end, False)
        else:
            kind, guessed = _plain_kind(name), False
            if kind == EntityKind.OTHER:
                kind, guessed = _kind_in_context(text, name, start, end, before, in_sport, gazetteer)
            add(name, kind, start, end, False, guessed)
    if CYRILLIC.search(text):
        for match in _RUSSIAN_NAMES.finditer(text):
            if match.group("company"):
                add(match.group("company").strip(), EntityKind.ORGANISATION, match.start("company"),
                    match.end("company"), True)
            elif match.group("initials"):
                add(match.group("initials"), EntityKind.PERSON, match.start("initials"), match.end("initials"), False)
            elif (person := _russian_person(match.group("run").split(), gazetteer)) is not None:
                words, certain = person
                end = match.end("run")
                start = end - len(" ".join(words)) if " ".join(words) in match.group("run") else match.start("run")
                add(text[start:end], EntityKind.PERSON, start, end, False, not certain)
            elif (declined := _russian_person_in_any_case(match.group("run").split())) is not None:
                # "акимом Алматы Ерболом Досмагамбетовым": the name and surname, found in any case, named in
                # the nominative.
                words, first, last, certain = declined
                run_words = match.group("run").split()
                start = match.start("run") + match.group("run").find(" ".join(run_words[first:last]))
                end = start + len(" ".join(run_words[first:last]))
                add(" ".join(words), EntityKind.PERSON, start, end, False, not certain)
        if "«" in text:
            for match in _QUOTED_NAME.finditer(text):
                named = _quoted_name(text, match)
                if named is not None:
                    add(named[0], named[1], match.start("quoted"), match.end("quoted"), named[1] != EntityKind.OTHER)
    return list(found.values())
