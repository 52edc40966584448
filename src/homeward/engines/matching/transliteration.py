"""Transliteration between Azerbaijani Latin, Russian Cyrillic, Armenian and plain ASCII Latin.

The tables follow the conventions most often seen in gazetteers and registers of the region
(``Şuşa`` → ``Шуша`` → ``Shusha``); they are meant for display and for matching keys, not for
reversible conversion. Latin input is read as Azerbaijani Latin, so ``c`` is /dʒ/, ``x`` is /x/,
``q`` is /g/ and ``j`` is /ʒ/.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping

AZ_TO_CYRILLIC: Mapping[str, str] = {
    "a": "а",
    "b": "б",
    "c": "дж",
    "ç": "ч",
    "d": "д",
    "e": "е",
    "ə": "а",
    "f": "ф",
    "g": "г",
    "ğ": "г",
    "h": "г",
    "x": "х",
    "ı": "ы",
    "i": "и",
    "j": "ж",
    "k": "к",
    "q": "г",
    "l": "л",
    "m": "м",
    "n": "н",
    "o": "о",
    "ö": "ё",
    "p": "п",
    "r": "р",
    "s": "с",
    "ş": "ш",
    "t": "т",
    "u": "у",
    "ü": "ю",
    "v": "в",
    "y": "й",
    "z": "з",
    "w": "в",
}
CYRILLIC_IOTATED: Mapping[str, str] = {"a": "я", "ə": "я", "u": "ю", "ü": "ю", "e": "е", "o": "ё", "ö": "ё"}

AZ_TO_ARMENIAN: Mapping[str, str] = {
    "a": "ա",
    "b": "բ",
    "c": "ջ",
    "ç": "չ",
    "d": "դ",
    "e": "ե",
    "ə": "ա",
    "f": "ֆ",
    "g": "գ",
    "ğ": "ղ",
    "h": "հ",
    "x": "խ",
    "ı": "ը",
    "i": "ի",
    "j": "ժ",
    "k": "ք",
    "q": "ղ",
    "l": "լ",
    "m": "մ",
    "n": "ն",
    "o": "ո",
    "ö": "ո",
    "p": "փ",
    "r": "ր",
    "s": "ս",
    "ş": "շ",
    "t": "թ",
    "u": "ու",
    "ü": "ու",
    "v": "վ",
    "y": "յ",
    "z": "զ",
    "w": "վ",
}
ARMENIAN_WORD_INITIAL: Mapping[str, str] = {"e": "է", "o": "օ", "ö": "օ"}

AZ_TO_LATIN: Mapping[str, str] = {
    "ə": "a",
    "ç": "ch",
    "ş": "sh",
    "ğ": "gh",
    "ı": "i",
    "ö": "o",
    "ü": "u",
    "x": "kh",
    "q": "g",
    "c": "j",
    "j": "zh",
}
CYRILLIC_TO_LATIN: Mapping[str, str] = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ё": "yo",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    "і": "i",
    "ї": "yi",
    "є": "ye",
    "ґ": "g",
    "ә": "a",
    "ғ": "gh",
    "қ": "q",
    "ң": "ng",
    "ө": "o",
    "ү": "u",
    "ұ": "u",
    "һ": "h",
    "ҳ": "h",
    "ӯ": "u",
    "ҷ": "j",
    "ј": "j",
    "ў": "u",
}
ARMENIAN_TO_LATIN: Mapping[str, str] = {
    "ա": "a",
    "բ": "b",
    "գ": "g",
    "դ": "d",
    "ե": "e",
    "զ": "z",
    "է": "e",
    "ը": "y",
    "թ": "t",
    "ժ": "zh",
    "ի": "i",
    "լ": "l",
    "խ": "kh",
    "ծ": "ts",
    "կ": "k",
    "հ": "h",
    "ձ": "dz",
    "ղ": "gh",
    "ճ": "ch",
    "մ": "m",
    "յ": "y",
    "ն": "n",
    "շ": "sh",
    "ո": "o",
    "չ": "ch",
    "պ": "p",
    "ջ": "j",
    "ռ": "r",
    "ս": "s",
    "վ": "v",
    "տ": "t",
    "ր": "r",
    "ց": "ts",
    "ւ": "v",
    "փ": "p",
    "ք": "k",
    "և": "ev",
    "օ": "o",
    "ֆ": "f",
}
ARMENIAN_TO_LATIN_INITIAL: Mapping[str, str] = {"ե": "ye", "ո": "vo"}

AZERBAIJANI_VOWELS = frozenset("aıoueəiöü")


def _split_case(char: str) -> tuple[str, bool]:
    """The lower-case letter and whether it was upper case, with Azerbaijani dotted/dotless i."""
    if char == "I":
        return "ı", True
    if char == "İ":
        return "i", True
    lower = char.lower()
    return (lower if len(lower) == 1 else char), char != lower


def _cased(text: str, upper: bool) -> str:
    return text[:1].upper() + text[1:] if upper and text else text


def _letters(text: str) -> list[tuple[str, bool]]:
    return [_split_case(char) for char in unicodedata.normalize("NFC", text)]


def _starts_word(letters: list[tuple[str, bool]], index: int) -> bool:
    return index == 0 or not letters[index - 1][0].isalpha()


def _convert(text: str, pick: Callable[[list[tuple[str, bool]], int], tuple[str, int]]) -> str:
    letters = _letters(text)
    out: list[str] = []
    index = 0
    while index < len(letters):
        produced, consumed = pick(letters, index)
        upper = letters[index][1]
        shouting = upper and index + consumed < len(letters) and letters[index + consumed][1]
        out.append(produced.upper() if shouting else _cased(produced, upper))
        index += consumed
    return "".join(out)


def _pick_cyrillic(letters: list[tuple[str, bool]], index: int) -> tuple[str, int]:
    char = letters[index][0]
    following = letters[index + 1][0] if index + 1 < len(letters) else ""
    if char == "y" and following in CYRILLIC_IOTATED:
        return CYRILLIC_IOTATED[following], 2
    if char == "e" and _starts_word(letters, index):
        return "э", 1
    return AZ_TO_CYRILLIC.get(char, char), 1


def _pick_armenian(letters: list[tuple[str, bool]], index: int) -> tuple[str, int]:
    char = letters[index][0]
    if _starts_word(letters, index) and char in ARMENIAN_WORD_INITIAL:
        return ARMENIAN_WORD_INITIAL[char], 1
    return AZ_TO_ARMENIAN.get(char, char), 1


def _pick_latin(letters: list[tuple[str, bool]], index: int) -> tuple[str, int]:
    char = letters[index][0]
    following = letters[index + 1][0] if index + 1 < len(letters) else ""
    if char == "ո" and following == "ւ":
        return "u", 2
    if _starts_word(letters, index) and char in ARMENIAN_TO_LATIN_INITIAL and following != "ւ":
        return ARMENIAN_TO_LATIN_INITIAL[char], 1
    for table in (AZ_TO_LATIN, CYRILLIC_TO_LATIN, ARMENIAN_TO_LATIN):
        if char in table:
            return table[char], 1
    return char, 1


def _ascii_only(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if char.isascii())


def to_cyrillic(az_latin: str) -> str:
    """Azerbaijani Latin text in Russian Cyrillic (``Şuşa`` → ``Шуша``); other characters kept."""
    return _convert(az_latin, _pick_cyrillic)


def to_armenian(az_latin: str) -> str:
    """Azerbaijani Latin text in Armenian script (``Şuşa`` → ``Շուշա``); other characters kept."""
    return _convert(az_latin, _pick_armenian)


def to_latin(text: str) -> str:
    """Armenian, Cyrillic or Azerbaijani Latin text as plain ASCII (``Шуша``, ``Şuşa`` → ``Shusha``).

    The result contains only ASCII characters: letters with no table entry lose their
    diacritics, and characters of other scripts are dropped.
    """
    return _ascii_only(_convert(text, _pick_latin))
