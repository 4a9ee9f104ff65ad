"""The person-name lists discovery guesses by are what the pinned packages give (archive.person_names)."""

import json

from archive.person_names import DATA_FILE, derive, person_names, serialise


def test_the_data_file_is_what_the_installed_packages_give():
    # Fails after an upgrade of Faker, wordfreq or anyascii that changes the lists: run
    # `python -m archive.person_names` and commit the file it writes.
    assert DATA_FILE.read_text("utf-8") == serialise(derive())


def test_the_lists_hold_names_of_many_locales_and_not_ordinary_words():
    given, surnames, chinese = person_names()
    assert {"Nurlan", "Gennady", "Jurgen", "Hiroshi", "Sarah"} <= given  # as written and transliterated
    assert not {"Royal", "Golden", "General"} & given  # ordinary English words that one locale lists
    assert {"Smith", "Müller", "Tanaka", "Ivanov"} <= surnames
    assert {"Zhang", "Wang", "Li"} <= chinese


def test_the_data_file_records_what_it_was_derived_from():
    data = json.loads(DATA_FILE.read_text("utf-8"))
    assert set(data["derived_from"]) == {"Faker", "wordfreq", "anyascii"}
    assert data["given"] == sorted(data["given"])
