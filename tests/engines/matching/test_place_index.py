"""Place search across scripts and typos: one ranked hit per place, saying which name matched."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homeward.engines.matching.place_index import NameEntry, PlaceIndex

SHUSHA = "shusha"
SHUSHAKEND = "shushakend"

GAZETTEER = {
    SHUSHA: (
        4000,
        [
            ("Şuşa", "az", "Latn", "official"),
            ("Shusha", "en", "Latn", "official"),
            ("Шуша", "ru", "Cyrl", "official"),
            ("Շուշի", "hy", "Armn", "variant"),
            ("Shushi", "other", "Latn", "variant"),
        ],
    ),
    SHUSHAKEND: (
        900,
        [
            ("Şuşakənd", "az", "Latn", "official"),
            ("Shushakand", "en", "Latn", "official"),
            ("Шушаканд", "ru", "Cyrl", "official"),
        ],
    ),
    "aghdam": (
        28000,
        [
            ("Ağdam", "az", "Latn", "official"),
            ("Aghdam", "en", "Latn", "official"),
            ("Агдам", "ru", "Cyrl", "official"),
            ("Ակնա", "hy", "Armn", "variant"),
        ],
    ),
    "fuzuli": (
        17000,
        [
            ("Füzuli", "az", "Latn", "official"),
            ("Fuzuli", "en", "Latn", "official"),
            ("Физули", "ru", "Cyrl", "variant"),
        ],
    ),
    "lachin": (
        2300,
        [
            ("Laçın", "az", "Latn", "official"),
            ("Лачин", "ru", "Cyrl", "official"),
            ("Բերձոր", "hy", "Armn", "variant"),
        ],
    ),
    "khankendi": (
        53000,
        [
            ("Xankəndi", "az", "Latn", "official"),
            ("Ханкенди", "ru", "Cyrl", "official"),
            ("Ստեփանակերտ", "hy", "Armn", "variant"),
        ],
    ),
    "jabrayil": (
        6000,
        [
            ("Cəbrayıl", "az", "Latn", "official"),
            ("Джебраил", "ru", "Cyrl", "variant"),
        ],
    ),
    "almali-a": (300, [("Almalı", "az", "Latn", "official")]),
    "almali-b": (1200, [("Almalı", "az", "Latn", "official")]),
}


def entries_of(gazetteer: dict[str, tuple[int, list[tuple[str, str, str, str]]]]) -> list[NameEntry]:
    return [
        NameEntry(place, f"{place}/{number}", text, language, script, kind, math.log10(population))
        for place, (population, names) in gazetteer.items()
        for number, (text, language, script, kind) in enumerate(names)
    ]


@pytest.fixture(scope="module")
def index() -> PlaceIndex:
    return PlaceIndex(entries_of(GAZETTEER))


@pytest.mark.parametrize("query", ["Shusha", "Şuşa", "Shushi", "Шуша", "Շուշի"])
def test_every_spelling_of_shusha_finds_shusha_first_by_that_name(index, query):
    first = index.search(query)[0]
    assert first.place_id == SHUSHA
    assert (first.text, first.how, first.score) == (query, "exact", 100.0)


def test_shushakend_ranks_below_shusha_and_is_found_by_its_own_name(index):
    places = [hit.place_id for hit in index.search("Shusha")]
    assert places.index(SHUSHA) < places.index(SHUSHAKEND)
    assert index.search("Şuşakənd")[0].place_id == SHUSHAKEND
    assert index.search("Шушаканд")[0].place_id == SHUSHAKEND


@pytest.mark.parametrize(
    ("query", "place", "name", "how"),
    [
        ("SHUSHA", SHUSHA, "Shusha", "exact"),
        ("Šuša", SHUSHA, "Şuşa", "exact"),
        ("Szusza", SHUSHA, "Shusha", "phonetic"),
        ("Շուշա", SHUSHA, "Shusha", "phonetic"),
        ("Xankendi", "khankendi", "Xankəndi", "exact"),
        ("Khankendi", "khankendi", "Ханкенди", "phonetic"),
        ("Ստեփանակերտ", "khankendi", "Ստեփանակերտ", "exact"),
        ("Stepanakert", "khankendi", "Ստեփանակերտ", "phonetic"),
        ("Aghdam", "aghdam", "Aghdam", "exact"),
        ("Ակնա", "aghdam", "Ակնա", "exact"),
        ("Lachin", "lachin", "Laçın", "phonetic"),
        ("Berdzor", "lachin", "Բերձոր", "phonetic"),
        ("Jabrayil", "jabrayil", "Cəbrayıl", "phonetic"),
        ("Fizuli", "fuzuli", "Физули", "phonetic"),
    ],
)
def test_names_in_other_scripts_and_romanisations_find_the_place_and_say_which_name(index, query, place, name, how):
    first = index.search(query)[0]
    assert (first.place_id, first.text, first.how) == (place, name, how)


@pytest.mark.parametrize(
    ("query", "place"),
    [
        ("Shsha", SHUSHA),
        ("Shusa", SHUSHA),
        ("Fizuly", "fuzuli"),
        ("Fzuli", "fuzuli"),
        ("Lachn", "lachin"),
        ("Lahcin", "lachin"),
        ("Agdma", "aghdam"),
        ("Ханкенди", "khankendi"),
        ("Ханкнеди", "khankendi"),
        ("Джебрил", "jabrayil"),
        ("Stepanakret", "khankendi"),
    ],
)
def test_one_and_two_letter_typos_still_find_the_place(index, query, place):
    hits = index.search(query)
    assert hits, query
    assert hits[0].place_id == place
    assert hits[0].score >= 60.0


@pytest.mark.parametrize(("query", "place"), [("Шуш", SHUSHA), ("Xank", "khankendi"), ("Cəbra", "jabrayil")])
def test_an_incomplete_name_finds_the_place_by_its_beginning(index, query, place):
    first = index.search(query)[0]
    assert (first.place_id, first.how) == (place, "fuzzy")


@pytest.mark.parametrize("query", ["", "   ", "\t\n", "-", "'’", "?!.,;", "—  —"])
def test_empty_or_punctuation_only_query_finds_nothing(index, query):
    assert index.search(query) == []


@pytest.mark.parametrize("query", ["Montevideo", "Paris", "Zzyzx", "Вологда", "北京"])
def test_an_unrelated_query_finds_nothing_at_the_default_threshold(index, query):
    assert index.search(query) == []


def test_exact_ranks_above_phonetic_above_fuzzy_whatever_the_weights():
    index = PlaceIndex(
        [
            NameEntry("exact", "e", "Shusha", "en", "Latn", "official", weight=0.0),
            NameEntry("phonetic", "p", "Шуша", "ru", "Cyrl", "official", weight=5.0),
            NameEntry("fuzzy", "f", "Shushan", "en", "Latn", "official", weight=9.0),
        ]
    )
    hits = index.search("Shusha")
    assert [(hit.place_id, hit.how) for hit in hits] == [
        ("exact", "exact"),
        ("phonetic", "phonetic"),
        ("fuzzy", "fuzzy"),
    ]
    assert hits[0].score > hits[1].score > hits[2].score


def test_one_hit_per_place_with_its_best_name(index):
    hits = index.search("Shusha", limit=20)
    assert len({hit.place_id for hit in hits}) == len(hits)
    assert [hit.text for hit in hits if hit.place_id == SHUSHA] == ["Shusha"]


def test_equally_good_places_are_ordered_by_weight(index):
    hits = index.search("Almali")
    assert [hit.place_id for hit in hits[:2]] == ["almali-b", "almali-a"]
    assert hits[0].score == hits[1].score == 100.0


def test_limit_and_min_score_are_respected(index):
    assert len(index.search("Shusha", limit=1)) == 1
    assert index.search("Shusha", limit=0) == []
    assert all(hit.score >= 95.0 for hit in index.search("Shusha", min_score=95.0))
    assert {hit.place_id for hit in index.search("Shusha", min_score=95.0)} == {SHUSHA}


def test_size_counts_names_and_places(index):
    names = sum(len(names) for _, names in GAZETTEER.values())
    assert len(index) == index.size == names
    assert index.place_count == len(GAZETTEER)
    assert len(PlaceIndex([])) == 0
    assert PlaceIndex([]).search("Shusha") == []


AZERBAIJANI_LETTERS = "abcçdeəfgğhxıijkqlmnoöprsştuüvyz"
place_name = st.text(alphabet=AZERBAIJANI_LETTERS, min_size=1, max_size=12).map(str.capitalize)


@given(st.lists(place_name, min_size=1, max_size=25), st.data())
def test_searching_a_name_as_written_returns_its_place_as_an_exact_hit(names, data):
    entries = [
        NameEntry(f"p{number}", f"n{number}", name, "az", "Latn", "official") for number, name in enumerate(names)
    ]
    index = PlaceIndex(entries)
    wanted = data.draw(st.sampled_from(entries))
    hits = index.search(wanted.text, limit=len(entries))
    exact = {hit.place_id for hit in hits if hit.how == "exact" and hit.score == 100.0}
    assert wanted.place_id in exact
    assert hits[0].how == "exact"


def test_a_very_long_query_is_read_only_up_to_the_longest_name(index):
    assert index.search("Shusha" + " " * 300 + "Aghdam")[0].place_id == SHUSHA
