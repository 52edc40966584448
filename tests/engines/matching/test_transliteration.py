"""Transliteration between Azerbaijani Latin, Russian Cyrillic, Armenian and ASCII."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homeward.engines.matching.scripts import detect_script, is_azerbaijani_latin, is_russian_cyrillic
from homeward.engines.matching.transliteration import to_armenian, to_cyrillic, to_latin

AZERBAIJANI_LETTERS = "abcçdeəfgğhxıijkqlmnoöprsştuüvyzABCÇDEƏFGĞHXIİJKQLMNOÖPRSŞTUÜVYZ"
az_text = st.text(alphabet=AZERBAIJANI_LETTERS + " -", max_size=40)
az_word = st.text(alphabet=AZERBAIJANI_LETTERS, min_size=1, max_size=20)


@pytest.mark.parametrize(
    ("az", "cyrillic", "armenian"),
    [
        ("Şuşa", "Шуша", "Շուշա"),
        ("Ağdam", "Агдам", "Աղդամ"),
        ("Qubadlı", "Губадлы", "Ղուբադլը"),
        ("Yeni Yaşma", "Ени Яшма", "Յենի Յաշմա"),
    ],
)
def test_azerbaijani_names_are_written_in_cyrillic_and_armenian(az, cyrillic, armenian):
    assert to_cyrillic(az) == cyrillic
    assert to_armenian(az) == armenian


@pytest.mark.parametrize(
    ("text", "latin"),
    [
        ("Şuşa", "Shusha"),
        ("Шуша", "Shusha"),
        ("Շուշի", "Shushi"),
        ("Cəbrayıl", "Jabrayil"),
        ("Xankəndi", "Khankandi"),
        ("Степанакерт", "Stepanakert"),
        ("Ստեփանակերտ", "Stepanakert"),
        ("Երևան", "Yerevan"),
        ("İsmayıllı", "Ismayilli"),
        ("Baku", "Baku"),
    ],
)
def test_names_in_any_of_the_three_scripts_come_out_as_plain_latin(text, latin):
    assert to_latin(text) == latin


def test_upper_case_input_stays_upper_case():
    assert to_cyrillic("ŞUŞA") == "ШУША"
    assert to_latin("ŞUŞA") == "SHUSHA"


@given(az_text)
def test_latin_output_is_always_ascii(text):
    assert to_latin(text).isascii()
    assert to_latin(to_cyrillic(text)).isascii()
    assert to_latin(to_armenian(text)).isascii()


@given(st.text(max_size=40))
def test_latin_output_is_ascii_whatever_the_input(text):
    assert to_latin(text).isascii()


@given(az_word)
def test_cyrillic_and_armenian_output_keep_no_latin_letter(word):
    assert detect_script(to_cyrillic(word)) == "Cyrl"
    assert detect_script(to_armenian(word)) == "Armn"


@given(az_word)
def test_a_capital_stays_a_capital(word):
    if word[0].isupper():
        assert to_cyrillic(word)[0].isupper()
        assert to_armenian(word)[0].isupper()
        assert to_latin(word)[0].isupper()


def test_scripts_are_told_apart():
    assert detect_script("Zəngilan") == "Latn"
    assert detect_script("Зангилан") == "Cyrl"
    assert detect_script("Զանգելան") == "Armn"
    assert detect_script("Zangilan Зангилан") is None
    assert detect_script("زنجيلان") is None


def test_azerbaijani_and_russian_alphabets_are_recognised():
    assert is_azerbaijani_latin("Şuşa")
    assert not is_azerbaijani_latin("Shusha")
    assert not is_azerbaijani_latin("Chankändi")
    assert is_russian_cyrillic("Ханкенди")
    assert not is_russian_cyrillic("Ханкенді")
    assert not is_russian_cyrillic("Аьсгаьран")
