"""Folded forms and script-independent phonetic keys of names, for search and record matching.

Two levels of sameness, used by :mod:`homeward.engines.matching.place_index` for places and meant
for person names as well:

``fold(text)``
    The *written* name up to case, diacritics and punctuation: NFKC, case-folded, combining marks
    removed from Latin letters (``Ş`` → ``s``, ``İ``/``ı`` → ``i``; ``ə`` → ``e``, as it is typed
    on keyboards without it) and the diaeresis from Cyrillic ones (``ё`` → ``е``; the breve of
    ``й`` makes a letter of its own and stays), apostrophes dropped, every other run of
    punctuation or space one space. The script is kept: ``Şuşa`` → ``susa``, ``Шуша`` → ``шуша``.

``match_key(text)``
    How the name *sounds*, whatever the script and romanisation. Cyrillic and Armenian letters go
    through :func:`~homeward.engines.matching.transliteration.to_latin`; Latin letters are read
    with both Azerbaijani and English/European conventions (``ş`` and ``sh``, ``c`` and ``j``)
    through ``LATIN_LETTERS``. On the resulting ASCII string, word breaks are dropped, doubled
    letters written twice become one, and then:

    ==========================================  =====  ==========================================
    spellings                                   key    why
    ==========================================  =====  ==========================================
    y before e or i; y between a consonant      (gone) Cyrillic е/и/ю/я/ё carry the y; ``Yeni`` →
    and a vowel; y before o or u at the start          ``Ени``; ``Кюргая`` (``Kyurgaya``);
                                                       ``Üçtəpə`` → ``Ючтапа``
    y between a consonant (or the start) and    i      ы, ը and English ``-ly``: ``Qubadlı`` =
    a consonant (or the end)                           ``Губадлы`` = ``Kubadly``
    sh, ş, š, sch, sz, shch (щ)                 S
    ch, ç, č, tch, tsch, cz                     C
    j, c, zh, ž, dzh, dzj, dj, dz               J      ``j`` is /ʒ/ in Azerbaijani and /dʒ/ in
                                                       English, so the two sounds cannot be kept
                                                       apart; Armenian ձ (dz) as ``Berdzor``/
                                                       ``Berjor``
    kh, x, h                                    X
    gh, ğ, g, q                                 G
    ts, tz (ц, ծ, ց)                            Z
    w / ph / th / ck / ou                       v / f / t / k / u
    a, e, ə, ä                                  a      Russian writes ə as а or е
    i, ı                                        i
    o, ö                                        o      ``ö`` also arrives as ``yo`` (ё)
    u, ü                                        u      ``ü`` also arrives as ``yu`` (ю)
    ==========================================  =====  ==========================================

    and a run of the same vowel symbol becomes one (``Chankaendi``). ``Şuşa``, ``Shusha``,
    ``Шуша`` and ``Szusza`` all give ``SuSa``; ``Շուշի`` gives ``SuSi``.

``skeleton(key)`` — the secondary key in :func:`match_keys`
    The first symbol of the key and its consonants only, with the consonant classes that
    transliterations of one name still disagree on merged: k/G/X → ``K`` (Russian writes h and q
    both as г, English writes q as k), b/p → ``p``, d/t → ``t`` (Armenian aspirates:
    ``Qubadlı``/``Ղուբաթլը``), C/J → ``J``, v/f → ``f``; glides (y) dropped. ``SuSa`` and
    ``SuSi`` (Shusha, Shushi) share the skeleton ``SS``. It is coarse on purpose: it is a hint that
    two spellings may be one name, never proof.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from homeward.engines.matching.transliteration import to_latin

APOSTROPHES = frozenset("'’‘ʼʻ`´′ʹ\"“”«»")
# Latin letters whose romanisation is a digraph, or that NFD does not decompose.
LATIN_LETTERS: Mapping[str, str] = {
    "ə": "a",
    "ǝ": "a",
    "æ": "ae",
    "ç": "ch",
    "č": "ch",
    "ć": "ch",
    "ş": "sh",
    "š": "sh",
    "ś": "sh",
    "ș": "sh",
    "ğ": "gh",
    "ǧ": "gh",
    "ı": "i",
    "ö": "o",
    "ø": "o",
    "œ": "o",
    "ü": "u",
    "ž": "zh",
    "ǰ": "j",
    "đ": "d",
    "ł": "l",
    "ß": "ss",
}
# Latin letters that are not a base letter plus combining marks, as ``fold`` writes them.
FOLDED_LATIN: Mapping[str, str] = {"ı": "i", "ə": "e", "ǝ": "e", "æ": "ae", "ø": "o", "œ": "oe", "đ": "d", "ł": "l"}
# Longest first: spellings of one sound → one key symbol. Upper-case symbols are merged classes.
DIGRAPHS: tuple[tuple[str, str], ...] = (
    ("shch", "S"),
    ("tsch", "C"),
    ("sch", "S"),
    ("tch", "C"),
    ("dzh", "J"),
    ("dzj", "J"),
    ("sh", "S"),
    ("sz", "S"),
    ("ch", "C"),
    ("cz", "C"),
    ("zh", "J"),
    ("dj", "J"),
    ("dz", "J"),
    ("kh", "X"),
    ("gh", "G"),
    ("ts", "Z"),
    ("tz", "Z"),
    ("ph", "f"),
    ("th", "t"),
    ("ck", "k"),
    ("ou", "u"),
)
SINGLE_LETTERS: Mapping[str, str] = {
    "x": "X",
    "h": "X",
    "q": "G",
    "g": "G",
    "j": "J",
    "c": "J",
    "w": "v",
    "e": "a",
}
KEY_VOWELS = frozenset("aiou")
ASCII_VOWELS = frozenset("aeiouy")
SKELETON_MERGE: Mapping[str, str] = {
    "k": "K",
    "G": "K",
    "X": "K",
    "b": "p",
    "d": "t",
    "C": "J",
    "v": "f",
}
SKELETON_DROPPED = frozenset("aiouy")


def _is_latin(char: str) -> bool:
    code = ord(char)
    return char.isascii() or 0x00C0 <= code <= 0x02AF or 0x1E00 <= code <= 0x1EFF


def _is_cyrillic(char: str) -> bool:
    return 0x0400 <= ord(char) <= 0x052F


def _strip_marks(char: str, base_is_latin: bool) -> str:
    """``char`` without the combining marks that do not make a letter of its own."""
    decomposed = unicodedata.normalize("NFD", char)
    if base_is_latin:
        kept = "".join(mark for mark in decomposed if not unicodedata.combining(mark))
    else:
        kept = decomposed.replace("\u0308", "")
    return unicodedata.normalize("NFC", kept)


def fold(text: str) -> str:
    """``text`` as written, up to case, diacritics, apostrophes and punctuation; same script.

    ``fold("  Şuşa-ŞƏHƏR ")`` is ``"susa seher"``; a text with no letter or digit folds to ``""``.
    """
    out: list[str] = []
    pending_space = False
    for char in unicodedata.normalize("NFKC", text).casefold():
        if char in APOSTROPHES:
            continue
        if char.isalnum():
            if pending_space and out:
                out.append(" ")
            pending_space = False
            if char in FOLDED_LATIN:
                out.append(FOLDED_LATIN[char])
            elif _is_latin(char):
                out.append(_strip_marks(char, base_is_latin=True))
            elif _is_cyrillic(char):
                out.append(_strip_marks(char, base_is_latin=False))
            else:
                out.append(char)
        elif not unicodedata.combining(char):
            pending_space = True
    return "".join(out)


def romanised(text: str) -> str:
    """``text`` as lower-case ASCII letters and digits: the romanisation :func:`match_key` starts from.

    Cyrillic and Armenian through ``to_latin``; Latin letters lose their diacritics except those
    in ``LATIN_LETTERS`` (``ş`` → ``sh``); spaces and punctuation are dropped.
    """
    out: list[str] = []
    foreign: list[str] = []

    def flush() -> None:
        if foreign:
            out.append(to_latin("".join(foreign)).lower())
            foreign.clear()

    for char in unicodedata.normalize("NFKC", text).casefold():
        if char in APOSTROPHES:
            continue
        if not _is_latin(char) and (char.isalpha() or unicodedata.combining(char)):
            foreign.append(char)
            continue
        flush()
        if char in LATIN_LETTERS:
            out.append(LATIN_LETTERS[char])
        elif char.isalnum():
            out.append(_strip_marks(char, base_is_latin=True))
        elif char.isspace():
            out.append(" ")
    flush()
    return "".join(char for char in "".join(out) if char.isascii() and char.isalnum())


def _without_doubles(text: str) -> str:
    return "".join(char for index, char in enumerate(text) if index == 0 or char != text[index - 1])


def _read_y(text: str) -> str:
    """Drop the ``y`` that only marks a following vowel, and read a ``y`` between consonants as ``i``."""
    out: list[str] = []
    for index, char in enumerate(text):
        if char != "y":
            out.append(char)
            continue
        before = text[index - 1] if index else ""
        after = text[index + 1] if index + 1 < len(text) else ""
        if after in ("e", "i") or (not before and after in ("o", "u")):
            continue
        if after in ASCII_VOWELS and after:
            if before and before not in ASCII_VOWELS:
                continue
            out.append("y")
        elif before in ASCII_VOWELS and before:
            out.append("y")
        else:
            out.append("i")
    return "".join(out)


def _symbols(text: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(text):
        for spelling, symbol in DIGRAPHS:
            if text.startswith(spelling, index):
                out.append(symbol)
                index += len(spelling)
                break
        else:
            char = text[index]
            out.append(SINGLE_LETTERS.get(char, char))
            index += 1
    return "".join(out)


def _single_vowels(key: str) -> str:
    return "".join(
        char for index, char in enumerate(key) if index == 0 or char != key[index - 1] or char not in KEY_VOWELS
    )


def match_key(text: str) -> str:
    """A key that is the same for the spellings of one name in any script (see the module table).

    ``match_key("Şuşa") == match_key("Shusha") == match_key("Шуша") == "SuSa"``; ``""`` when
    ``text`` has no letter or digit that can be romanised.
    """
    return _single_vowels(_symbols(_read_y(_without_doubles(romanised(text)))))


def skeleton(key: str) -> str:
    """The secondary key of a :func:`match_key`: its first symbol and its merged consonant classes."""
    if not key:
        return ""
    rest = (SKELETON_MERGE.get(char, char) for char in key[1:] if char not in SKELETON_DROPPED)
    return SKELETON_MERGE.get(key[0], key[0]) + "".join(rest)


def match_keys(text: str) -> tuple[str, str]:
    """The :func:`match_key` of ``text`` and its :func:`skeleton`: precise first, coarse second."""
    key = match_key(text)
    return key, skeleton(key)
