"""The starter gazetteer: what the builder makes of the data packages, and how loading treats the archive."""

from __future__ import annotations

from io import StringIO

import pycountry
import pytest
from django.core.management import call_command

from archive import places
from archive.models import Alias, Entity, EntityKind
from archive.places import PlaceRecord, build_places, load_places
from archive.tagging import Gazetteer
from archive.text import fold
from tests.factories import make_entity

FEW = {"Kazakhstan", "China", "United States", "Astana", "Almaty", "Beijing", "Washington", "Almaty Region"}


@pytest.fixture(scope="module")
def records() -> list[PlaceRecord]:
    return build_places()


@pytest.fixture(scope="module")
def by_name(records) -> dict[str, PlaceRecord]:
    return {record.name: record for record in records}


@pytest.fixture(scope="module")
def few(records) -> list[PlaceRecord]:
    return [record for record in records if record.name in FEW]


def places_named(name: str) -> list[Entity]:
    return [e for e in Entity.objects.of_kind(EntityKind.PLACE) if fold(e.name) == fold(name)]


# Building


def test_kazakhstan_has_its_russian_name(by_name):
    assert "Казахстан" in by_name["Kazakhstan"].aliases


def test_china_has_its_chinese_and_russian_names(by_name):
    assert {"中国", "Китай"} <= set(by_name["China"].aliases)


def test_united_states_has_the_abbreviations_news_uses(by_name):
    assert {"USA", "U.S.", "United States of America"} <= set(by_name["United States"].aliases)


def test_countries_use_the_short_familiar_name(by_name):
    for name in ("Russia", "South Korea", "Iran", "Vietnam", "United Kingdom"):
        assert name in by_name
    assert "Russian Federation" in by_name["Russia"].aliases
    assert "Korea, Republic of" not in by_name


def test_cities_keep_their_old_and_other_script_names(by_name):
    assert {"Alma-Ata", "Алматы"} <= set(by_name["Almaty"].aliases)
    assert {"Nur-Sultan", "Астана"} <= set(by_name["Astana"].aliases)
    assert {"Peking", "北京"} <= set(by_name["Beijing"].aliases)
    assert "Capital of Kazakhstan" in by_name["Astana"].description


def test_no_alias_is_an_iso_code_that_is_also_a_word(records):
    codes = {c.alpha_2 for c in pycountry.countries} | {c.alpha_3 for c in pycountry.countries}
    used = {alias for record in records for alias in record.aliases if alias in codes}
    assert used <= {"US", "USA"}
    assert not {"AND", "CAN", "ARE", "AS", "IN", "IT"} & {a for r in records for a in r.aliases}


def test_no_city_alias_is_an_airport_code_or_lower_case_romanisation(by_name):
    aliases = set(by_name["Almaty"].aliases) | set(by_name["Beijing"].aliases)
    assert not {"ALA", "BJS", "almaty", "bei jing"} & aliases


def test_every_name_and_alias_belongs_to_one_place_only(records):
    seen: dict[str, str] = {}
    for record in records:
        for name in (record.name, *record.aliases):
            assert seen.setdefault(fold(name), record.name) == record.name, name


def test_regions_of_kazakhstan_have_english_names_and_keep_the_official_one(by_name):
    for name in ("Almaty Region", "West Kazakhstan Region", "Turkistan Region", "Aktobe Region", "Abay Region"):
        assert name in by_name, name
        assert "Region of Kazakhstan" in by_name[name].description
    assert "Almaty oblysy" in by_name["Almaty Region"].aliases
    assert "Западно-Казахстанская область" in by_name["West Kazakhstan Region"].aliases


def test_regions_of_china_are_present_and_municipalities_are_their_city(by_name):
    assert "新疆" in by_name["Xinjiang"].aliases
    assert "Guangxi Zhuang Autonomous Region" in by_name["Guangxi"].aliases
    assert "Beijing Shi" in by_name["Beijing"].aliases
    assert "Jilin Province" in by_name and "Jilin" in by_name


def test_a_city_state_is_one_place_and_cities_named_like_words_are_places_too(records, by_name):
    assert sum(fold(r.name) == "singapore" for r in records) == 1
    assert "Country" in by_name["Singapore"].description
    # The tagger, not the gazetteer, tells "Nice" the city from "nice weather".
    assert {"Nice", "Reading", "Bonn", "Cleveland"} <= set(by_name)


def test_records_carry_no_made_up_wikidata_ids(records):
    assert all(record.external_id == "" for record in records)


# Loading


@pytest.mark.django_db
def test_loading_twice_creates_nothing_the_second_time(records):
    first = load_places(records=records)
    counts = (Entity.objects.count(), Alias.objects.count())
    second = load_places(records=records)
    assert first.created == len(records) and first.aliases_added > len(records)
    assert (second.created, second.updated, second.aliases_added) == (0, 0, 0)
    assert second.unchanged == len(records)
    assert (Entity.objects.count(), Alias.objects.count()) == counts


@pytest.mark.django_db
def test_editors_description_and_alias_survive_a_second_run(few):
    load_places(records=few)
    almaty = places_named("Almaty")[0]
    almaty.description = "Kazakhstan's largest city, written by an editor."
    almaty.save()
    Alias.objects.create(entity=almaty, name="Southern Capital")
    Alias.objects.filter(entity=almaty, name="Alma-Ata").update(name="Alma-Ata (old name)")

    load_places(records=few)

    almaty.refresh_from_db()
    assert almaty.description == "Kazakhstan's largest city, written by an editor."
    assert {"Southern Capital", "Alma-Ata (old name)", "Алматы"} <= set(almaty.all_names())


@pytest.mark.django_db
def test_an_existing_place_is_reused_and_only_gains_what_it_lacks(few):
    astana = make_entity("Astana", kind=EntityKind.PLACE, aliases=["Nur-Sultan"], description="", external_id="Q1520")

    report = load_places(records=few)

    assert places_named("Astana") == [astana]
    astana.refresh_from_db()
    assert astana.external_id == "Q1520"
    assert "Capital of Kazakhstan" in astana.description  # it had none
    assert [a.name for a in astana.aliases.all()].count("Nur-Sultan") == 1
    assert "Астана" in astana.all_names()
    assert report.updated == 1 and report.created == len(few) - 1


@pytest.mark.django_db
def test_a_place_known_by_one_of_the_records_aliases_is_reused(few):
    old = make_entity("Peking", kind=EntityKind.PLACE)
    load_places(records=few)
    assert places_named("Beijing") == [] and "北京" in old.all_names()


@pytest.mark.django_db
def test_an_alias_another_entity_answers_to_stays_with_it(few):
    party = make_entity("PRC", kind=EntityKind.ORGANISATION)
    load_places(records=few)
    assert "PRC" not in places_named("China")[0].all_names()
    assert Gazetteer.from_database().find("The PRC said")[party.id] == 1


@pytest.mark.django_db
def test_after_loading_the_gazetteer_finds_places_by_any_name(few):
    load_places(records=few)
    astana, washington = places_named("Astana")[0], places_named("Washington")[0]
    found = Gazetteer.from_database().find("Talks in Nur-Sultan and Washington")
    assert found == {astana.id: 1, washington.id: 1}


@pytest.mark.django_db
def test_load_places_command_prints_a_summary_and_is_safe_to_run_again(few, monkeypatch):
    asked = []
    monkeypatch.setattr(places, "build_places", lambda **options: asked.append(options) or few)
    out = StringIO()
    call_command("load_places", "--min-city-population", "5000000", stdout=out)
    call_command("load_places", stdout=out)
    first, second = out.getvalue().splitlines()
    assert first.startswith(f"Places: {len(few)} places created, 0 updated, 0 unchanged,")
    assert second.startswith(f"Places: 0 places created, 0 updated, {len(few)} unchanged, 0 aliases added")
    assert asked == [{"min_city_population": 5_000_000}, {"min_city_population": places.DEFAULT_MIN_CITY_POPULATION}]


# The gazetteer a news desk needs (issue 11)


def test_countries_have_their_adjectives_and_continent(by_name):
    assert {"Swiss"} <= set(by_name["Switzerland"].adjectives)
    assert {"Dutch"} <= set(by_name["Netherlands"].adjectives)
    assert {"Kazakh", "Kazakhstani"} <= set(by_name["Kazakhstan"].adjectives)
    assert "Chinese" in by_name["China"].adjectives
    assert by_name["Kazakhstan"].parent == "Asia" and by_name["Asia"].place_type == "continent"
    assert "French" not in by_name["Réunion"].adjectives  # France's word, not the island's


def test_former_countries_are_places_of_their_own_with_their_successors(by_name):
    soviet = by_name["Soviet Union"]
    assert soviet.place_type == "former"
    assert {"USSR", "СССР"} <= set(soviet.aliases) and "Soviet" in soviet.adjectives
    assert {"Russia", "Kazakhstan", "Ukraine"} <= set(soviet.successors)
    assert "West German" in by_name["West Germany"].adjectives
    for name in ("Yugoslavia", "Czechoslovakia", "East Germany", "Zaire", "Burma"):
        assert by_name[name].place_type == "former", name


def test_uk_nations_continents_and_blocs_exist(by_name):
    for name in ("England", "Scotland", "Wales", "Northern Ireland"):
        assert by_name[name].parent == "United Kingdom" and by_name[name].place_type == "nation"
    assert {"Europe", "Africa", "Asia", "European Union", "Central Asia"} <= set(by_name)
    assert "EU" in by_name["European Union"].aliases


def test_cities_reach_down_to_news_size_with_their_parents(by_name):
    assert by_name["Bonn"].parent == "Germany"
    assert by_name["Cleveland"].parent == "Ohio" and by_name["Ohio"].parent == "United States"
    assert by_name["Almaty"].parent == "Kazakhstan"
    # Every town GeoNames lists in Kazakhstan, spelt as English-language news spells it.
    assert "Zhezkazgan" in by_name and "Zhezqazghan" in by_name["Zhezkazgan"].aliases
    assert "Frankfurt" in by_name["Frankfurt am Main"].aliases


def test_places_that_share_a_name_answer_to_it_in_context(by_name):
    state = by_name["Georgia (U.S. state)"]
    assert state.shared_names == ("Georgia",) and state.parent == "United States"
    assert by_name["Georgia"].needs_context  # the smaller Georgia needs the article's support
    assert by_name["Victoria (Australia)"].shared_names == ("Victoria",)
    assert "New York" in by_name["New York City"].shared_names and by_name["New York City"].parent == "New York"
    assert by_name["Stanley"].needs_context and by_name["Douglas"].needs_context


@pytest.mark.django_db
def test_loading_links_parents_adjectives_shared_names_and_successors(records):
    wanted = {"Asia", "Europe", "Kazakhstan", "Almaty", "Russia", "Soviet Union", "Georgia", "Georgia (U.S. state)",
              "United States", "Switzerland"}
    load_places(records=[r for r in records if r.name in wanted])
    almaty = places_named("Almaty")[0]
    assert almaty.parent.name == "Kazakhstan" and almaty.parent.parent.name == "Asia"
    assert almaty.place_type == "city"
    swiss = Alias.objects.get(name="Swiss")
    assert swiss.adjective and swiss.entity.name == "Switzerland"
    soviet = places_named("Soviet Union")[0]
    assert {e.name for e in soviet.successors.all()} == {"Kazakhstan", "Russia", "Georgia"}
    state = places_named("Georgia (U.S. state)")[0]
    assert "Georgia" in state.all_names() and places_named("Georgia")[0].needs_context
    gazetteer = Gazetteer.from_database()
    assert set(gazetteer.find("Farmers in Georgia, U.S. officials said, lost crops.")) == {
        state.id, places_named("United States")[0].id}
    assert set(gazetteer.find("Swiss banks and Soviet veterans.")) == {
        places_named("Switzerland")[0].id, soviet.id}


@pytest.mark.django_db
def test_an_editors_parent_is_kept(few):
    load_places(records=few)
    almaty = places_named("Almaty")[0]
    region = places_named("Almaty Region")[0]
    almaty.parent = region
    almaty.save()
    load_places(records=few)
    almaty.refresh_from_db()
    assert almaty.parent == region


def test_every_country_has_its_first_level_regions_and_the_uk_its_counties(by_name):
    # Rolled up, a region is its country: "farmers in Bavaria" is a German story.
    assert by_name["Bavaria"].parent == "Germany" and "Bayern" in by_name["Bavaria"].aliases
    assert by_name["Sabah"].parent == "Malaysia" and by_name["Sabah"].place_type == "region"
    # The UK's first level is its four nations, so the counties below them are loaded too.
    assert by_name["Devon"].parent == "England" and by_name["Highland"].parent == "Scotland"
    # A county that shares its name with a city elsewhere answers to it in context.
    assert by_name["Kent (United Kingdom)"].shared_names == ("Kent",)
    # A region named only with everyday words is a direction, not a place.
    assert not any(name in by_name for name in ("Central", "Western", "North East"))


def test_us_states_answer_to_the_wire_abbreviations(by_name):
    assert "Calif." in by_name["California"].aliases and "Okla." in by_name["Oklahoma"].aliases
    assert "W.Va." in by_name["West Virginia"].aliases


def test_towns_below_city_size_need_the_articles_support(by_name):
    town = by_name["Harrogate"]
    assert town.needs_context and town.parent == "United Kingdom"
    assert "Rugby" not in by_name  # a word far more often than the town
    # A town named like a country is left out rather than making the country doubtful.
    assert not any(name.startswith("Mexico (") for name in by_name)
    # Only a city of millions is also its state's plain name: "Oklahoma" is the state.
    assert "Oklahoma" not in by_name["Oklahoma City"].shared_names


def test_a_short_name_shared_with_another_city_is_shared_in_context(by_name):
    assert "Newcastle" in by_name["Newcastle upon Tyne"].shared_names


def test_continents_world_regions_and_russian_adjectives(by_name):
    assert "Asian" in by_name["Asia"].adjectives and "European" in by_name["Europe"].adjectives
    assert by_name["Western Europe"].parent == "Europe" and "Scandinavia" in by_name
    # From ISO's Russian official name ("Итальянская Республика") and from the short table.
    assert "итальянский" in by_name["Italy"].adjectives and "китайский" in by_name["China"].adjectives
    assert "Korean" in by_name["South Korea"].adjectives and "Argentine" in by_name["Argentina"].adjectives


def test_neighbours_are_named_as_the_gazetteer_names_countries():
    from archive.places import neighbours_by_name

    around = neighbours_by_name(["Georgia", "Atlantis"])
    assert set(around) == {"Georgia"} and {"Türkiye", "Russia", "Azerbaijan"} <= around["Georgia"]
