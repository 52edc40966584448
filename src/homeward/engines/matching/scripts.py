"""Which writing system a name is in, and whether it reads as a given language's alphabet."""

from __future__ import annotations

import itertools
import unicodedata
from typing import Literal

ScriptCode = Literal["Latn", "Armn", "Cyrl"]

AZERBAIJANI_ALPHABET = frozenset("abcçdeəfgğhxıijkqlmnoöprsştuüvyz")
AZERBAIJANI_ONLY_LETTERS = frozenset("əıçğşöüƏÇĞŞÖÜİ")
RUSSIAN_ALPHABET = frozenset("абвгдеёжзийклмнопрстуфхцчшщъыьэюя")
RUSSIAN_VOWELS = frozenset("аеёиоуыэюя")
NAME_PUNCTUATION = frozenset(" -'’")


def _script_of_char(char: str) -> ScriptCode | None:
    code = ord(char)
    if 0x0530 <= code <= 0x058F or 0xFB13 <= code <= 0xFB17:
        return "Armn"
    if 0x0400 <= code <= 0x052F:
        return "Cyrl"
    if char.isascii() or 0x00C0 <= code <= 0x02AF or 0x1E00 <= code <= 0x1EFF:
        return "Latn"
    return None


def detect_script(text: str) -> ScriptCode | None:
    """The one script all letters of ``text`` are written in, or ``None`` if mixed or other."""
    scripts = {_script_of_char(char) for char in unicodedata.normalize("NFC", text) if char.isalpha()}
    if len(scripts) != 1:
        return None
    return scripts.pop()


def _lower_az(char: str) -> str:
    return {"I": "ı", "İ": "i"}.get(char, char.lower())


def is_azerbaijani_latin(text: str) -> bool:
    """True when ``text`` uses only the Azerbaijani alphabet and at least one letter peculiar to it."""
    text = unicodedata.normalize("NFC", text)
    letters = [char for char in text if char not in NAME_PUNCTUATION]
    return (
        bool(letters)
        and all(_lower_az(char) in AZERBAIJANI_ALPHABET for char in letters)
        and any(char in AZERBAIJANI_ONLY_LETTERS for char in text)
    )


def is_russian_cyrillic(text: str) -> bool:
    """True when every letter of ``text`` belongs to the Russian alphabet."""
    letters = [char.lower() for char in unicodedata.normalize("NFC", text) if char not in NAME_PUNCTUATION]
    if not letters or not all(char in RUSSIAN_ALPHABET for char in letters):
        return False
    return not any(sign in "ьъ" and previous in RUSSIAN_VOWELS for previous, sign in itertools.pairwise(letters))
