"""Folded forms and phonetic keys: one key for the spellings of one name in any script."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homeward.engines.matching.phonetic import fold, match_key, match_keys, romanised, skeleton
from homeward.engines.matching.transliteration import to_armenian, to_cyrillic

AZERBAIJANI_LETTERS = "abcçdeəfgğhxıijkqlmnoöprsştuüvyzABCÇDEƏFGĞHXIİJKQLMNOÖPRSŞTUÜVYZ"
az_text = st.text(alphabet=AZERBAIJANI_LETTERS + " -'", max_size=30)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Şuşa", "susa"),
        ("  ŞUŞA-ŞƏHƏR ", "susa seher"),
        ("İsmayıllı", "ismayilli"),
        ("Chan'kenti", "chankenti"),
        ("Ghubat’ly", "ghubatly"),
        ("Yeni   Yaşma", "yeni yasma"),
        ("Сёюдбайли", "сеюдбайли"),
        ("Гейвалый", "гейвалый"),
        ("Շուշի", "շուշի"),
        ("Almalı (2)", "almali 2"),
    ],
)
def test_fold_drops_case_diacritics_and_punctuation_but_keeps_the_script(text, folded):
    assert fold(text) == folded


@pytest.mark.parametrize("text", ["", "   ", " -'’ ", "...", "—"])
def test_text_without_letters_folds_and_keys_to_nothing(text):
    assert fold(text) == ""
    assert match_keys(text) == ("", "")


@pytest.mark.parametrize(
    "spellings",
    [
        ("Şuşa", "Shusha", "Шуша", "Szusza", "SHUSHA", "Շուշե"),
        ("Xankəndi", "Ханкенди", "Khankendi", "Hankendi", "Xankǝndi", "Խանքենդի"),
        ("Stepanakert", "Степанакерт", "Ստեփանակերտ"),
        ("Cəbrayıl", "Джебраил", "Jabrayil", "Ջաբրայիլ"),
        ("Laçın", "Лачин", "Lachin", "Лачын", "Lačin"),
        ("Ağdam", "Агдам", "Aghdam", "Աղդամ"),
        ("Berdzor", "Berjor", "Բերձոր"),
        ("Yeni Yaşma", "Ени Яшма", "Yeni-Yashma", "Յենի Յաշմա"),
        ("İsmayıllı", "Исмаиллы", "Ismayilli"),
        ("Kürqaya", "Кюргая", "Kurgaya"),
        ("Söyüdbəyli", "Сёюдбайли", "Soyudbayli"),
        ("Füzuli", "Fuzuli", "Füzuli"),
        ("Физули", "Fizuli", "Ֆիզուլի"),
    ],
)
def test_spellings_of_one_name_share_a_key(spellings):
    keys = {match_key(spelling) for spelling in spellings}
    assert len(keys) == 1, dict(zip(spellings, map(match_key, spellings), strict=True))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Şuşa", "Şuşakənd"),
        ("Şuşa", "Susa"),
        ("Ağdam", "Ակնա"),
        ("Xankəndi", "Ստեփանակերտ"),
        ("Laçın", "Lağın"),
        ("Almalı", "Armudlu"),
    ],
)
def test_different_names_get_different_keys(first, second):
    assert match_key(first) != match_key(second)


def test_shusha_and_shushi_differ_only_in_a_vowel_so_share_the_skeleton():
    assert match_key("Shusha") != match_key("Շուշի")
    assert match_keys("Shusha")[1] == match_keys("Շուշի")[1] == match_keys("Shushi")[1]
    assert match_keys("Qubadlı")[1] == match_keys("Ղուբաթլը")[1] == match_keys("Kubatly")[1]
    assert match_keys("Heyvalı")[1] == match_keys("Гейвалы")[1]
    assert match_keys("Shusha")[1] != match_keys("Şuşakənd")[1]


def test_skeleton_keeps_the_first_symbol_and_merged_consonants():
    assert skeleton("SuSa") == "SS"
    assert skeleton("Gubadli") == "Kptl"
    assert skeleton("") == ""


def test_romanised_is_lower_case_ascii_without_spaces():
    assert romanised("Şuşa-Şəhər") == "shushashahar"
    assert romanised("Ханкенди") == "khankendi"
    assert romanised("北京") == ""


def test_a_typo_of_a_doubled_symbol_is_not_collapsed_into_a_shorter_key():
    assert match_key("Shsha") == "SSa"
    assert match_keys("Shsha")[1] == match_keys("Şuşa")[1]


@given(az_text)
def test_keys_and_folds_ignore_case_in_every_script(text):
    for rendering in (text, to_cyrillic(text), to_armenian(text)):
        assert match_key(rendering.upper()) == match_key(rendering.lower()) == match_key(rendering)
        assert fold(rendering.upper()) == fold(rendering.lower()) == fold(rendering)


@given(st.text(max_size=40))
def test_fold_is_idempotent_and_keys_are_ascii_letters_and_digits(text):
    assert fold(fold(text)) == fold(text)
    key, coarse = match_keys(text)
    assert key == "" or (key.isascii() and key.isalnum())
    assert skeleton(key) == coarse
    assert match_key(romanised(text)) == key
