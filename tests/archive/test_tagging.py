"""The gazetteer matcher: each rule with sentences that must match and sentences that must not.

Sentences are written for this project in the style of the collections that showed the
failures (wire copy, general news, health and sports stories, Russian news).
"""

import hypothesis
import pytest
from hypothesis import strategies as st

from archive.tagging import Gazetteer, PlaceInfo, russian_stem

(SPIC, STATE_POWER, TOKAYEV, SANY, KAZAKHSTAN, CHINA, ALMATY, STANLEY, FALKLANDS, DOUGLAS, ISLE_OF_MAN, MADRID,
 SPAIN, MEXICO, NEW_MEXICO, USA, GEORGIA, GEORGIA_STATE, ATLANTA, TBILISI, MALE, MALDIVES, ORAL, JERSEY,
 NEW_JERSEY, TOGO, ZHAMBYL, SOVIET_UNION, SWITZERLAND, VICTORIA_SC, SEYCHELLES, VICTORIA_AU, AUSTRALIA,
 NYC, NEW_YORK_STATE, MANHATTAN, UK, NORTHERN_IRELAND, IRELAND, PORTO, ASTANA, ZIYANG, PEST, MILAN, ITALY,
 RUSSIA, ASIA) = range(1, 48)

PLACES = {
    KAZAKHSTAN: PlaceInfo(ASIA, "country"), CHINA: PlaceInfo(ASIA, "country"), ALMATY: PlaceInfo(KAZAKHSTAN, "city"),
    STANLEY: PlaceInfo(FALKLANDS, "city", needs_context=True), FALKLANDS: PlaceInfo(None, "country"),
    DOUGLAS: PlaceInfo(ISLE_OF_MAN, "city", needs_context=True), ISLE_OF_MAN: PlaceInfo(None, "country"),
    MADRID: PlaceInfo(SPAIN, "city"), SPAIN: PlaceInfo(None, "country"), MEXICO: PlaceInfo(None, "country"),
    NEW_MEXICO: PlaceInfo(USA, "region"), USA: PlaceInfo(None, "country"),
    GEORGIA: PlaceInfo(ASIA, "country", needs_context=True), GEORGIA_STATE: PlaceInfo(USA, "region"),
    ATLANTA: PlaceInfo(GEORGIA_STATE, "city"), TBILISI: PlaceInfo(GEORGIA, "city"),
    MALE: PlaceInfo(MALDIVES, "city"), MALDIVES: PlaceInfo(ASIA, "country"), ORAL: PlaceInfo(KAZAKHSTAN, "city"),
    JERSEY: PlaceInfo(None, "country"), NEW_JERSEY: PlaceInfo(USA, "region"), TOGO: PlaceInfo(None, "country"),
    ZHAMBYL: PlaceInfo(KAZAKHSTAN, "region"), SOVIET_UNION: PlaceInfo(None, "former"),
    SWITZERLAND: PlaceInfo(None, "country"), VICTORIA_SC: PlaceInfo(SEYCHELLES, "city", needs_context=True),
    SEYCHELLES: PlaceInfo(None, "country"), VICTORIA_AU: PlaceInfo(AUSTRALIA, "region"),
    AUSTRALIA: PlaceInfo(None, "country"), NYC: PlaceInfo(NEW_YORK_STATE, "city"),
    NEW_YORK_STATE: PlaceInfo(USA, "region"), MANHATTAN: PlaceInfo(NEW_YORK_STATE, "city"),
    UK: PlaceInfo(None, "country"), NORTHERN_IRELAND: PlaceInfo(UK, "nation"), IRELAND: PlaceInfo(None, "country"),
    PORTO: PlaceInfo(None, "city"), ASTANA: PlaceInfo(KAZAKHSTAN, "city"), ZIYANG: PlaceInfo(CHINA, "city"),
    PEST: PlaceInfo(None, "city"), MILAN: PlaceInfo(ITALY, "city"), ITALY: PlaceInfo(None, "country"),
    RUSSIA: PlaceInfo(None, "country"), ASIA: PlaceInfo(None, "continent"),
}
NAMES = [
    (SPIC, "State Power Investment Corporation"), (SPIC, "SPIC"), (STATE_POWER, "State Power"),
    (TOKAYEV, "Kassym-Jomart Tokayev"), (TOKAYEV, "Tokayev"), (TOKAYEV, "Токаев"), (SANY, "Sany"),
    (KAZAKHSTAN, "Kazakhstan"), (KAZAKHSTAN, "Казахстан"), (KAZAKHSTAN, "Kazakh"), (CHINA, "China"),
    (CHINA, "Chinese"), (CHINA, "Китай"), (ALMATY, "Almaty"), (ALMATY, "Алматы"),
    (STANLEY, "Stanley"), (FALKLANDS, "Falkland Islands"), (DOUGLAS, "Douglas"), (ISLE_OF_MAN, "Isle of Man"),
    (MADRID, "Madrid"), (SPAIN, "Spain"), (SPAIN, "Spanish"), (MEXICO, "Mexico"), (NEW_MEXICO, "New Mexico"),
    (USA, "United States"), (USA, "U.S."), (GEORGIA, "Georgia"), (GEORGIA, "Georgian"),
    (GEORGIA_STATE, "Georgia (U.S. state)"), (GEORGIA_STATE, "Georgia"), (ATLANTA, "Atlanta"),
    (TBILISI, "Tbilisi"), (MALE, "Malé"), (MALDIVES, "Maldives"), (ORAL, "Oral"), (ORAL, "Uralsk"),
    (JERSEY, "Jersey"), (NEW_JERSEY, "New Jersey"), (TOGO, "Togo"), (TOGO, "Того"),
    (ZHAMBYL, "Zhambyl Region"), (ZHAMBYL, "Жамбылская область"), (SOVIET_UNION, "Soviet Union"),
    (SOVIET_UNION, "USSR"), (SOVIET_UNION, "Soviet"), (SWITZERLAND, "Switzerland"), (SWITZERLAND, "Swiss"),
    (VICTORIA_SC, "Victoria"), (SEYCHELLES, "Seychelles"), (VICTORIA_AU, "Victoria (Australia)"),
    (VICTORIA_AU, "Victoria"), (AUSTRALIA, "Australia"), (AUSTRALIA, "Australian"), (NYC, "New York City"),
    (NYC, "New York"), (NEW_YORK_STATE, "New York"), (MANHATTAN, "Manhattan"), (UK, "United Kingdom"),
    (UK, "British"), (NORTHERN_IRELAND, "Northern Ireland"), (IRELAND, "Ireland"), (PORTO, "Porto"),
    (PORTO, "Порто"), (ASTANA, "Astana"), (ASTANA, "Астана"), (ZIYANG, "Ziyang"), (PEST, "Pest"),
    (MILAN, "Milan"), (ITALY, "Italy"), (RUSSIA, "Russia"), (RUSSIA, "Россия"),
]
ADJECTIVES = [(KAZAKHSTAN, "Kazakh"), (CHINA, "Chinese"), (SPAIN, "Spanish"), (GEORGIA, "Georgian"),
              (SOVIET_UNION, "Soviet"), (SWITZERLAND, "Swiss"), (AUSTRALIA, "Australian"), (UK, "British")]


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer(NAMES, places=PLACES, adjectives=ADJECTIVES, persons=[TOKAYEV])


def found(gazetteer, text, **parts):
    return dict(gazetteer.mentions(body=text, **parts))


# ---- Basic matching --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Tokayev's visit ended on Friday.", {TOKAYEV: 1}),
        ("The Kazakhstan-China pipeline is full.", {KAZAKHSTAN: 1, CHINA: 1}),
        ("State Power Investment Corporation signed.", {SPIC: 1}),
        ("SPIC and State Power Investment Corporation are one company.", {SPIC: 2}),
        ("The State Power plant closed.", {STATE_POWER: 1}),
        ("Президент Токаев выступил.", {TOKAYEV: 1}),
        ("Álmaty with an accent, and ALMATY in capitals in a sentence.", {ALMATY: 2}),
        ("Sany builds cranes.", {SANY: 1}),
        ("Kassym-Jomart Tokayev spoke; Tokayev later left.", {TOKAYEV: 2}),
    ],
)
def test_sentences_that_must_match(gazetteer, sentence, expected):
    assert found(gazetteer, sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "Sanyo sold televisions.",  # word boundary
        "The spic and span kitchen.",  # acronyms only in capitals
        "Chinatown was busy.",
        "Tokayevs is not a word here.",
        "exports to kazakhstan, in lower case, are not a proper noun.",
    ],
)
def test_sentences_that_must_not_match(gazetteer, sentence):
    assert found(gazetteer, sentence) == {}


def test_empty_gazetteer_finds_nothing():
    assert dict(Gazetteer([]).find("Kazakhstan")) == {}


# ---- A name inside a longer capitalised name -------------------------------------------------

@pytest.mark.parametrize(
    "sentence",
    [
        "Morgan Stanley said profit rose 12 percent.",
        "McDonnell Douglas won an Air Force contract.",
        "The actor Michael Douglas will star in the film.",
        "Real Madrid signed a Brazilian striker.",
        "Oil platforms in the Gulf of Mexico were evacuated.",
        "A former aide to Zhao Ziyang was released.",
        "Georgia Gulf Corp posted lower profit.",
        "Shares of Chase Manhattan rose.",
        "AC Milan beat Inter in the derby.",
    ],
)
def test_a_name_inside_a_longer_name_is_not_that_entity(gazetteer, sentence):
    assert not set(found(gazetteer, sentence)) & {STANLEY, DOUGLAS, MADRID, MEXICO, ZIYANG, GEORGIA,
                                                  GEORGIA_STATE, MANHATTAN, MILAN}


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The governor of New Mexico signed the bill.", {NEW_MEXICO}),
        ("Unemployment in Northern Ireland fell.", {NORTHERN_IRELAND}),
        ("Office rents in Manhattan rose again.", {MANHATTAN}),
        ("Rebels fought near Madrid in 1936.", {MADRID}),
        ("Mexico's state oil company found a field.", {MEXICO}),
        ("The fashion week in Milan opened.", {MILAN}),
        ("The city of Ziyang in China will get a railway.", {ZIYANG, CHINA}),
        ("President Tokayev met Chinese officials.", {TOKAYEV, CHINA}),
        ("The Ministry of Energy of Kazakhstan said so.", {KAZAKHSTAN}),
        ("Swiss Re and the U.S. Treasury agreed.", {SWITZERLAND, USA}),
        ("Президент Казахстана Касым-Жомарт Токаев выступил.", {KAZAKHSTAN, TOKAYEV}),
    ],
)
def test_a_name_of_its_own_or_after_a_title_or_of_an_institution_still_matches(gazetteer, sentence, expected):
    assert set(found(gazetteer, sentence)) == expected


# ---- Ordinary words ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "sentence",
    [
        "Male smokers are three times more likely to develop gum disease.",
        "The study followed 2,000 male and female patients.",
        "Oral contraceptives lower the risk, a study suggests.",
        "The box tree caterpillar has become a serious pest.",
        "He will wear the number nine jersey.",
        "Того же мнения придерживаются эксперты.",
        "Кроме того, тарифы вырастут.",
        "Порт расширит терминал.",  # a stem of Порто, but an ordinary word
        "MALE PATIENTS WAIT LONGER FOR SURGERY",
    ],
)
def test_ordinary_words_are_not_places(gazetteer, sentence):
    assert found(gazetteer, sentence) == {}


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The airport near the capital, Malé, has a new terminal.", {MALE}),
        ("Male is the capital of the Maldives.", {MALE, MALDIVES}),
        ("A gas plant opened near Oral in western Kazakhstan.", {ORAL, KAZAKHSTAN}),
        ("Jersey approved a new tax.", {JERSEY}),
        ("Officials in Stanley, the capital of the Falkland Islands, agreed.", {STANLEY, FALKLANDS}),
    ],
)
def test_the_same_words_as_proper_nouns_are_places(gazetteer, sentence, expected):
    assert set(found(gazetteer, sentence)) == expected


# ---- Places that share a name, or need context ----------------------------------------------------

@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Peanut farmers in Georgia expect losses, officials in Atlanta said.", {GEORGIA_STATE, ATLANTA}),
        ("Georgia signed a gas deal, officials in Tbilisi said.", {GEORGIA, TBILISI}),
        ("The premier of Victoria called an election, Australian media said.", {VICTORIA_AU, AUSTRALIA}),
        ("Tourism in Victoria, Seychelles, grew.", {VICTORIA_SC, SEYCHELLES}),
        ("Stocks rose in New York on Tuesday.", {NYC}),
        ("Farmers in New Jersey lost crops.", {NEW_JERSEY}),
    ],
)
def test_a_shared_name_is_the_place_the_article_supports(gazetteer, sentence, expected):
    assert set(found(gazetteer, sentence)) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "Sales at Victoria's Secret stores fell.",
        "Georgia voters went to the polls.",
        "Douglas won an Academy Award.",
        "Stanley Cup finals begin on Friday.",
    ],
)
def test_a_shared_or_ambiguous_name_without_support_is_not_tagged(gazetteer, sentence):
    assert not set(found(gazetteer, sentence)) & {VICTORIA_SC, VICTORIA_AU, GEORGIA, GEORGIA_STATE, DOUGLAS,
                                                  STANLEY}


# ---- Demonyms, former countries -------------------------------------------------------------------

@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Swiss banks reported higher profits.", {SWITZERLAND}),
        ("Kazakh wheat exports to China doubled.", {KAZAKHSTAN, CHINA}),
        ("Veterans recall the Soviet withdrawal.", {SOVIET_UNION}),
        ("The USSR's harvest fell short of plan.", {SOVIET_UNION}),
        ("The Chinese Communist Party met.", {CHINA}),
    ],
)
def test_adjectives_and_former_countries_are_mentions(gazetteer, sentence, expected):
    assert set(found(gazetteer, sentence)) == expected


# ---- Datelines and Russian endings --------------------------------------------------------------

def test_datelines_are_mentions_in_the_text_or_in_their_own_field(gazetteer):
    assert found(gazetteer, "ASTANA – On March 29 the ministry said so.") == {ASTANA: 1}
    assert found(gazetteer, "NEW YORK, April 17 - Stocks rose.") == {NYC: 1}
    assert found(gazetteer, "ORAL, Kazakhstan, Aug 20 - A plant opened.") == {ORAL: 1, KAZAKHSTAN: 1}
    assert found(gazetteer, "The ministry said so.", dateline="ASTANA") == {ASTANA: 1}
    assert found(gazetteer, "The ministry said so.", dateline="Astana") == {ASTANA: 1}


def test_a_dateline_needs_a_dash_and_capitals():
    gazetteer = Gazetteer([(1, "Astana")], places={1: PlaceInfo()})
    assert found(gazetteer, "Astana is cold in winter.") == {1: 1}  # a plain mention, not a dateline
    assert found(gazetteer, "Some say - astana - is cold.") == {}


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("В Жамбылской области запущена станция.", {ZHAMBYL: 1}),
        ("Товарооборот Казахстана с Китаем вырос.", {KAZAKHSTAN: 1, CHINA: 1}),
        ("Экспорт из Казахстана в Китай и в Китае.", {KAZAKHSTAN: 1, CHINA: 2}),
        ("В Астане и Алматы прошли форумы.", {ASTANA: 1, ALMATY: 1}),
        ("Переговоры с Россией и о России.", {RUSSIA: 2}),
        ("Встреча с Токаевым прошла в Астане.", {TOKAYEV: 1, ASTANA: 1}),
        ("НПЗ Казахстана остановлен.", {KAZAKHSTAN: 1}),
    ],
)
def test_russian_names_match_in_any_case(gazetteer, sentence, expected):
    assert found(gazetteer, sentence) == expected


def test_russian_stems_are_the_same_for_every_case_of_a_name():
    for forms in (("Китай", "Китая", "Китае", "Китаем"), ("Казахстан", "Казахстана", "Казахстане"),
                  ("Жамбылская", "Жамбылской", "Жамбылскую"), ("Астана", "Астаны", "Астане", "Астаной")):
        assert len({russian_stem(form) for form in forms}) == 1, forms


def test_names_only_in_the_title_count_once(gazetteer):
    assert found(gazetteer, "The ministry said so.", title="Kazakhstan raises tariffs") == {KAZAKHSTAN: 1}
    assert found(gazetteer, "Kazakhstan and Kazakhstan.", title="Kazakhstan") == {KAZAKHSTAN: 2}


def test_known_names_are_recognised_in_any_script(gazetteer):
    assert gazetteer.known("Kazakhstan") and gazetteer.known("Казахстана") and gazetteer.known("SPIC")
    assert not gazetteer.known("Kazakhstan Temir Zholy")


@pytest.mark.django_db
def test_the_gazetteer_from_the_database_follows_every_change_of_names():
    from archive.models import Alias, EntityKind
    from tests.factories import make_entity

    entity = make_entity("Eurasian Development Bank", kind=EntityKind.ORGANISATION)
    first = Gazetteer.from_database()
    assert Gazetteer.from_database() is first  # nothing changed: the same automaton serves again
    assert not first.find("The EDB lent money.")
    Alias.objects.create(entity=entity, name="EDB")
    assert Gazetteer.from_database().find("The EDB lent money.") == {entity.id: 1}
    entity.__class__.objects.filter(pk=entity.pk).update(name="Asian Infrastructure Bank")  # no save(), no signal
    renamed = Gazetteer.from_database()
    assert renamed.find("The Asian Infrastructure Bank lent money.") == {entity.id: 1}
    assert not renamed.find("The Eurasian Development Bank lent money.")


# ---- Places that share a name: which one the text means --------------------------------------

(CANADA, US, ONTARIO_PROVINCE, ONTARIO_CITY, QUEBEC_PROVINCE, QUEBEC_CITY, CALIFORNIA, OKLAHOMA, OKLAHOMA_CITY,
 TEXAS, SAN_JOSE_CR, COSTA_RICA, SAN_JOSE_CA, JAMAICA, KINGSTON_JM, KINGSTON_CA, INDIANA,
 LAGOS_STATE, LAGOS, NIGERIA) = range(101, 121)
SHARED_PLACES = {
    CANADA: PlaceInfo(None, "country"), US: PlaceInfo(None, "country"), COSTA_RICA: PlaceInfo(None, "country"),
    ONTARIO_PROVINCE: PlaceInfo(CANADA, "region"), ONTARIO_CITY: PlaceInfo(CALIFORNIA, "city"),
    QUEBEC_PROVINCE: PlaceInfo(CANADA, "region"), QUEBEC_CITY: PlaceInfo(CANADA, "city"),
    CALIFORNIA: PlaceInfo(US, "region"), OKLAHOMA: PlaceInfo(US, "region"), TEXAS: PlaceInfo(US, "region"),
    OKLAHOMA_CITY: PlaceInfo(OKLAHOMA, "city"), INDIANA: PlaceInfo(US, "region"),
    SAN_JOSE_CR: PlaceInfo(COSTA_RICA, "city"), SAN_JOSE_CA: PlaceInfo(CALIFORNIA, "city"),
    JAMAICA: PlaceInfo(None, "country"), KINGSTON_JM: PlaceInfo(JAMAICA, "city"),
    KINGSTON_CA: PlaceInfo(CANADA, "city"), NIGERIA: PlaceInfo(None, "country"),
    LAGOS_STATE: PlaceInfo(NIGERIA, "region"), LAGOS: PlaceInfo(NIGERIA, "city"),
}
SHARED_NAMES = [
    (CANADA, "Canada"), (US, "United States"), (US, "U.S."), (COSTA_RICA, "Costa Rica"),
    (ONTARIO_CITY, "Ontario"), (ONTARIO_PROVINCE, "Ontario (Canada)"), (ONTARIO_PROVINCE, "Ontario"),
    (QUEBEC_CITY, "Québec"), (QUEBEC_PROVINCE, "Quebec (Canada)"), (QUEBEC_PROVINCE, "Quebec"),
    (CALIFORNIA, "California"), (CALIFORNIA, "Calif."), (OKLAHOMA, "Oklahoma"), (OKLAHOMA, "Okla."),
    (TEXAS, "Texas"), (OKLAHOMA_CITY, "Oklahoma City"), (OKLAHOMA_CITY, "Oklahoma"), (INDIANA, "Indiana"),
    (INDIANA, "Ind."), (SAN_JOSE_CR, "San José"), (SAN_JOSE_CA, "San Jose (California)"),
    (SAN_JOSE_CA, "San Jose"), (JAMAICA, "Jamaica"), (KINGSTON_JM, "Kingston"), (KINGSTON_CA, "Kingston"),
    (NIGERIA, "Nigeria"), (LAGOS, "Lagos"), (LAGOS_STATE, "Lagos (Nigeria)"), (LAGOS_STATE, "Lagos"),
]


@pytest.fixture(scope="module")
def shared():
    return Gazetteer(SHARED_NAMES, places=SHARED_PLACES)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A US state's wire abbreviation after a town is the state, and it tells which town.
        ("SAN JOSE, Calif., June 3 - A chip maker said it would hire 200 people.", {SAN_JOSE_CA, CALIFORNIA}),
        ("Workers at a steel mill in Hammond, Ind., went on strike.", {INDIANA}),
        ("EDMOND, Okla., May 2 - The bank raised its dividend.", {OKLAHOMA}),
        # A country given after the dateline's town is the country, and the town is the one there.
        ("KINGSTON, Jamaica, April 9 - Bauxite exports rose.", {KINGSTON_JM, JAMAICA}),
        # Named with another place of one kind, a shared name is that kind.
        ("Rain fell across Texas and Oklahoma, the U.S. weather service said.", {TEXAS, OKLAHOMA, US}),
        ("Power prices rose in Ontario and Quebec, Canada's regulator said.", {ONTARIO_PROVINCE, QUEBEC_PROVINCE,
                                                                              CANADA}),
        # Supported by two countries, the province beats the foreign city of the same name.
        ("Canada and the United States traded power; demand in Ontario peaked.", {CANADA, US, ONTARIO_PROVINCE}),
        # In one country the city is meant rather than the region named after it.
        ("Traffic in Lagos came to a halt, Nigeria's police said.", {LAGOS, NIGERIA}),
    ],
)
def test_the_text_tells_which_of_places_sharing_a_name_it_means(shared, text, expected):
    assert set(found(shared, text)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Miss. Smith said the Ind. candidate would run.",  # abbreviations not after a place
        "The Calif. plan was dropped.",
    ],
)
def test_a_state_abbreviation_is_the_state_only_after_a_place(shared, text):
    assert not set(found(shared, text)) & {CALIFORNIA, INDIANA}


def test_in_one_country_the_city_beats_its_region_even_with_a_namesake_abroad():
    bangla, india, city, division, town = range(201, 206)
    places = {bangla: PlaceInfo(None, "country"), india: PlaceInfo(None, "country"),
              city: PlaceInfo(bangla, "city"), division: PlaceInfo(bangla, "region"),
              town: PlaceInfo(india, "city", needs_context=True)}
    names = [(bangla, "Bangladesh"), (india, "India"), (city, "Rangpur"), (division, "Rangpur (Bangladesh)"),
             (division, "Rangpur"), (town, "Rangpur (India)"), (town, "Rangpur")]
    gazetteer = Gazetteer(names, places=places)
    text = "India and Bangladesh agreed a rail link, officials said in Rangpur."
    assert set(found(gazetteer, text)) == {india, bangla, city}


# ---- Adjectives of continents and of countries in Russian ----------------------------------

(EUROPE_C, AFRICA_C, KOREA_S, JAPAN_C) = range(301, 305)
ADJECTIVE_PLACES = {EUROPE_C: PlaceInfo(None, "continent"), AFRICA_C: PlaceInfo(None, "continent"),
                    KOREA_S: PlaceInfo(None, "country"), JAPAN_C: PlaceInfo(None, "country")}
ADJECTIVE_NAMES = [(EUROPE_C, "Europe"), (EUROPE_C, "European"), (AFRICA_C, "Africa"), (AFRICA_C, "African"),
                   (KOREA_S, "South Korea"), (KOREA_S, "Korean"), (KOREA_S, "южнокорейский"),
                   (JAPAN_C, "Japan"), (JAPAN_C, "японский")]


@pytest.fixture(scope="module")
def adjectival():
    adjectives = [(EUROPE_C, "European"), (AFRICA_C, "African"), (KOREA_S, "Korean"), (KOREA_S, "южнокорейский"),
                  (JAPAN_C, "японский")]
    return Gazetteer(ADJECTIVE_NAMES, places=ADJECTIVE_PLACES, adjectives=adjectives)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mills must meet European safety rules from May.", {EUROPE_C}),
        ("Korean builders won the contract for the bridge.", {KOREA_S}),
        ("Завод выпускает станки японского производства.", {JAPAN_C}),
        ("Южнокорейские подрядчики начали работы.", {KOREA_S}),
        # A continent's adjective inside the name of an institution is not the continent.
        ("The European Commission opened an inquiry.", set()),
        ("The African Development Bank lent $50 million.", set()),
    ],
)
def test_adjectives_name_their_continent_or_country(adjectival, text, expected):
    assert set(found(adjectival, text)) == expected


# ---- Russian names in every case, short words and agreeing adjectives included ----------------

(C_ASIA, S_KOREA, NETHERLANDS_R, EUROPE_R, KARAGANDA_R, CENTRALNY) = range(401, 407)
RUSSIAN_PLACES = {C_ASIA: PlaceInfo(None, "region"), S_KOREA: PlaceInfo(None, "country"),
                  NETHERLANDS_R: PlaceInfo(None, "country"), EUROPE_R: PlaceInfo(None, "continent"),
                  KARAGANDA_R: PlaceInfo(None, "region"), CENTRALNY: PlaceInfo(None, "city")}
RUSSIAN_NAMES = [(C_ASIA, "Центральная Азия"), (S_KOREA, "Южная Корея"), (NETHERLANDS_R, "Нидерланды"),
                 (EUROPE_R, "Европа"), (KARAGANDA_R, "Карагандинская область"), (CENTRALNY, "Центральный")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Поставки в страны Центральной Азии выросли.", {C_ASIA}),
        ("Делегация Южной Кореи прибыла в Астану.", {S_KOREA}),
        ("Компания из Нидерландов купила долю.", {NETHERLANDS_R}),
        ("Зерно везут в Европу по морю.", {EUROPE_R}),
        ("В Карагандинской области открыли шахту.", {KARAGANDA_R}),
        ("Центральный банк снизил ставку.", set()),  # a word, not the town
    ],
)
def test_short_russian_words_and_agreeing_adjectives_match_in_any_case(text, expected):
    gazetteer = Gazetteer(RUSSIAN_NAMES, places=RUSSIAN_PLACES)
    assert set(found(gazetteer, text)) == expected


# ---- Lists of regions, and languages ---------------------------------------------------------

(KZ_C, AKTAU_TOWN, ATYRAU_TOWN, ATYRAU_REGION, MANGYSTAU_REGION, AKTOBE_TOWN, AKTOBE_REGION, FRANCE_C, IRELAND_C,
 SPAIN_C) = range(501, 511)
LIST_PLACES = {KZ_C: PlaceInfo(None, "country"), AKTAU_TOWN: PlaceInfo(KZ_C, "city"),
               ATYRAU_TOWN: PlaceInfo(KZ_C, "city"), ATYRAU_REGION: PlaceInfo(KZ_C, "region"),
               MANGYSTAU_REGION: PlaceInfo(KZ_C, "region"), AKTOBE_TOWN: PlaceInfo(KZ_C, "city"),
               AKTOBE_REGION: PlaceInfo(KZ_C, "region"), FRANCE_C: PlaceInfo(None, "country"),
               IRELAND_C: PlaceInfo(None, "country"), SPAIN_C: PlaceInfo(None, "country")}
LIST_NAMES = [(KZ_C, "Kazakhstan"), (AKTAU_TOWN, "Aktau"), (ATYRAU_TOWN, "Atyrau"), (ATYRAU_TOWN, "Атырау"),
              (ATYRAU_REGION, "Atyrau Region"), (ATYRAU_REGION, "Атырауская область"),
              (MANGYSTAU_REGION, "Mangystau Region"), (MANGYSTAU_REGION, "Мангистауская область"),
              (AKTOBE_TOWN, "Aktobe"), (AKTOBE_TOWN, "Актюбинск"), (AKTOBE_REGION, "Aktobe Region"),
              (AKTOBE_REGION, "Актюбинская область"), (FRANCE_C, "France"), (FRANCE_C, "French"),
              (IRELAND_C, "Ireland"), (IRELAND_C, "Irish"), (SPAIN_C, "Spain"), (SPAIN_C, "Spanish")]
LIST_ADJECTIVES = [(FRANCE_C, "French"), (IRELAND_C, "Irish"), (SPAIN_C, "Spanish")]


@pytest.fixture(scope="module")
def listed():
    return Gazetteer(LIST_NAMES, places=LIST_PLACES, adjectives=LIST_ADJECTIVES)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Wells in the Atyrau and Mangystau regions were shut.", {ATYRAU_REGION, MANGYSTAU_REGION}),
        ("Farms in Aktobe and Atyrau regions lost crops.", {AKTOBE_REGION, ATYRAU_REGION}),
        ("Засуха затронула фермы Актюбинской и Атырауской областей.", {AKTOBE_REGION, ATYRAU_REGION}),
        ("A new plant opened in Aktobe and another in Atyrau.", {AKTOBE_TOWN, ATYRAU_TOWN}),
    ],
)
def test_names_listed_before_regions_are_the_regions(listed, text, expected):
    assert set(found(listed, text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("More pupils are taking Irish and Spanish this year.", set()),
        ("The guide is printed in French.", set()),
        ("French and Irish farmers protested.", {FRANCE_C, IRELAND_C}),
        ("Officials said the French would object.", {FRANCE_C}),
    ],
)
def test_a_language_is_not_its_country(listed, text, expected):
    assert set(found(listed, text)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Neighbouring Spain raised its rates too.", {SPAIN}),
        ("Frost hit Mexico de Abajo farms.", set()),  # a particle and a capitalised word make a longer name
        ("Exports to Mexico de facto stopped.", {MEXICO}),
    ],
)
def test_a_sentences_first_participle_and_romance_particles(gazetteer, text, expected):
    assert set(found(gazetteer, text)) == expected


def test_two_shared_names_in_a_list_are_the_kind_under_which_they_share_a_country():
    turkey, city_a, region_a, city_b, region_b = range(601, 606)
    places = {turkey: PlaceInfo(None, "country"), city_a: PlaceInfo(turkey, "city"),
              region_a: PlaceInfo(turkey, "region"), city_b: PlaceInfo(turkey, "city"),
              region_b: PlaceInfo(turkey, "region")}
    names = [(turkey, "Turkey"), (city_a, "Izmir"), (region_a, "Izmir"), (city_b, "Bursa"), (region_b, "Bursa")]
    gazetteer = Gazetteer(names, places=places)
    # Cities or provinces alike lie in Turkey: the list says nothing, and the city is meant.
    assert set(found(gazetteer, "Turkey said plants in Izmir and Bursa would close.")) == {turkey, city_a, city_b}


TURKEY_N = 701


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Gas will flow through Georgia to Turkey from May.", {GEORGIA, TURKEY_N}),
        ("Газ пойдёт через Грузию в Турцию.", {GEORGIA, TURKEY_N}),
        # A neighbour supports the country; with nothing else named, Georgia stays doubtful.
        ("Peach growers in Georgia had a poor year.", set()),
    ],
)
def test_a_doubtful_country_is_supported_by_a_neighbour(text, expected):
    places = {**PLACES, TURKEY_N: PlaceInfo(ASIA, "country")}
    names = [*NAMES, (GEORGIA, "Грузия"), (TURKEY_N, "Turkey"), (TURKEY_N, "Турция")]
    gazetteer = Gazetteer(names, places=places, adjectives=ADJECTIVES, neighbours={GEORGIA: {TURKEY_N}})
    assert set(found(gazetteer, text)) == expected


def test_doubtful_places_of_one_country_support_each_other():
    uk, us, kent_uk, surrey_uk, kent_us, lincoln_us, lincoln_uk = range(801, 808)
    places = {uk: PlaceInfo(None, "country"), us: PlaceInfo(None, "country"),
              kent_uk: PlaceInfo(uk, "region", needs_context=True),
              surrey_uk: PlaceInfo(uk, "region", needs_context=True), kent_us: PlaceInfo(us, "city"),
              lincoln_us: PlaceInfo(us, "city"), lincoln_uk: PlaceInfo(uk, "city", needs_context=True)}
    names = [(uk, "United Kingdom"), (us, "United States"), (kent_us, "Kent"), (kent_uk, "Kent"),
             (surrey_uk, "Surrey"), (lincoln_us, "Lincoln"), (lincoln_uk, "Lincoln")]
    gazetteer = Gazetteer(names, places=places)
    text = "Roads in Kent and Surrey were closed, and a bus was stuck near Lincoln."
    assert set(found(gazetteer, text)) == {kent_uk, surrey_uk, lincoln_uk}
    # One doubtful place alone is not enough.
    assert set(found(gazetteer, "Roads in Surrey were closed.")) == set()


# ---- Letter-first patterns find what the same patterns with their look-behind first find ----------------

@hypothesis.given(st.text(alphabet="aAzZЖжЁё'’-_9. \n", max_size=60))
@hypothesis.settings(max_examples=500, deadline=None)
def test_letter_first_word_patterns_match_as_their_look_behind_first_forms(text):
    import re

    from archive.discovery import _LOWER_CONTENT
    from archive.tagging import _CAPS_WORD, _UPPER_WORD

    for pattern, plain in ((_UPPER_WORD, r"(?<![\w'’-])[A-ZА-ЯЁ]"),
                           (_CAPS_WORD, r"(?<![\w'’-])[A-ZА-ЯЁ]{2,}(?![\w'’-])"),
                           (_LOWER_CONTENT, r"(?<![\w'’-])[a-zа-яё][\w'’-]{3,}")):
        assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in re.finditer(plain, text)]


def test_offsets_are_characters_whatever_the_script_before_the_name():
    # The automaton works on UTF-8 bytes inside; the offsets it gives must be Python's character offsets.
    gazetteer = Gazetteer([(1, "Astana"), (2, "Нур-Султан"), (3, "Ürümqi"), (4, "Urumqi Airport")])
    text = "🙂 Жители Нур-Султана — Ürümqi 🚀 Astana, Urumqi Airport."
    assert [(text[start:end], pk) for start, end, pk in gazetteer.spans(text)] == [
        ("Нур-Султана", 2), ("Ürümqi", 3), ("Astana", 1), ("Urumqi Airport", 4)]
