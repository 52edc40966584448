"""Telling the encoding of delimited text and decoding it line by line, naming the line at fault.

Files exchanged in the region come as UTF-8 (with or without a byte-order mark), UTF-16 ("Unicode
text" from Excel), or a legacy code page: Windows-1251, KOI8-R or CP866 for Russian, Windows-1254
for Azerbaijani and Turkish Latin, Windows-1252 for Western European. charset-normalizer misreads
short Cyrillic samples (Windows-1251 as Hebrew CP1255 or Mac Cyrillic), so those candidates are
scored first by how natural the decoded words look; charset-normalizer is the fallback.
"""

from __future__ import annotations

import codecs
import io
import re
import unicodedata
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import charset_normalizer

from homeward.interchange.errors import EncodingError

SAMPLE_BYTES = 64 * 1024
_UTF8_BOM = codecs.BOM_UTF8
_UTF16_BOMS = (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
# Tried in this order; on equal scores the earlier wins.
_LEGACY_CANDIDATES = ("cp1251", "koi8-r", "cp866", "cp1254", "cp1252")
_WORD = re.compile(r"[^\W\d_]+")
# Icelandic letters sit where Windows-1254 has ğ ş ı Ğ Ş İ: in this region they mean the wrong code page.
_UNLIKELY_LETTERS = frozenset("ðþýÐÞÝ")
_USUAL_SYMBOLS = frozenset("«»—–№°…“”‘’„•€\u00a0")


@dataclass(frozen=True)
class TextEncoding:
    """How to decode a file; `name` is the codec name reported to users (e.g. "utf-8-sig", "cp1251")."""

    name: str

    @property
    def bom(self) -> bytes:
        """The byte-order mark to strip from the first line (UTF-16/32 codecs strip their own)."""
        return _UTF8_BOM if self.name == "utf-8-sig" else b""

    @property
    def codec(self) -> str:
        """The codec that decodes the text after the byte-order mark."""
        return "utf-8" if self.name == "utf-8-sig" else self.name

    @property
    def line_by_line(self) -> bool:
        """Whether b"\\n" ends lines in this encoding, so each line can be decoded alone (not UTF-16/32)."""
        return "\n".encode(self.codec) == b"\n"


def resolve_encoding(path: Path, sample: bytes, *, complete: bool, given: str | None) -> TextEncoding:
    """The encoding to read `path` with: `given` (validated), else detected from `sample`, its first bytes.

    `complete` says the sample is the whole file (so a multi-byte character cut at its end is an error).
    Raises `EncodingError` for an unknown given encoding or text whose encoding cannot be told.
    """
    if given is not None:
        try:
            name = codecs.lookup(given).name
        except LookupError as exc:
            raise EncodingError(path, given, detail="unknown encoding") from exc
        if name == "utf-8" and sample.startswith(_UTF8_BOM):
            return TextEncoding("utf-8-sig")
        return TextEncoding(name)
    detected = detect_encoding(sample, complete=complete)
    if detected is None:
        raise EncodingError(path, None)
    return detected


def detect_encoding(sample: bytes, *, complete: bool) -> TextEncoding | None:
    """The encoding of text beginning with `sample`, or None when it cannot be told."""
    if sample.startswith(_UTF8_BOM):
        return TextEncoding("utf-8-sig")
    for bom in _UTF16_BOMS:
        if sample.startswith(bom):
            # The utf-16/utf-32 codecs read the byte-order mark themselves.
            return TextEncoding("utf-32" if len(bom) == 4 else "utf-16")
    bom_less_utf16 = _bom_less_utf16(sample)
    if bom_less_utf16 is not None:
        return TextEncoding(bom_less_utf16)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=complete)
    except UnicodeDecodeError:
        pass
    else:
        return TextEncoding("utf-8")
    scored = [(_plausibility(text), name) for name in _LEGACY_CANDIDATES if (text := _decoded(sample, name))]
    best_score, best_name = max(scored, key=lambda pair: pair[0], default=(0, ""))
    if best_score > 0:
        return TextEncoding(best_name)
    match = charset_normalizer.from_bytes(sample).best()
    return TextEncoding(codecs.lookup(match.encoding).name) if match is not None else None


def decoded_lines(
    binary: BinaryIO, encoding: TextEncoding, path: Path, *, lines_end_with_cr: bool = False
) -> Generator[str, None, None]:
    """The lines of `binary` decoded, with their line endings; `EncodingError` names the first bad line.

    `lines_end_with_cr` is for files whose lines end with a bare carriage return (old Mac Excel).
    """
    if lines_end_with_cr or not encoding.line_by_line:
        text = io.TextIOWrapper(binary, encoding=encoding.name, newline="")  # "utf-8-sig" drops the mark
        number = 1
        try:
            for line in text:
                yield line
                number += 1
        except UnicodeDecodeError as exc:
            raise EncodingError(path, encoding.name, number, exc.reason) from exc
        finally:
            if not binary.closed:
                text.detach()  # leave the caller's file open: it is theirs to close
        return
    decode = codecs.getdecoder(encoding.codec)
    for number, raw in enumerate(binary, start=1):
        if number == 1 and encoding.bom:
            raw = raw.removeprefix(encoding.bom)
        try:
            yield decode(raw)[0]
        except UnicodeDecodeError as exc:
            raise EncodingError(path, encoding.name, number, exc.reason) from exc


def _bom_less_utf16(sample: bytes) -> str | None:
    """UTF-16 without a byte-order mark: ASCII characters (delimiters, digits) leave every other byte zero."""
    even, odd = sample[::2], sample[1::2]
    if not odd:
        return None
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.05 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.05 * len(odd):
        return "utf-16-be"
    return None


def _decoded(sample: bytes, name: str) -> str | None:
    try:
        return sample.decode(name)
    except UnicodeDecodeError:
        return None


def _plausibility(text: str) -> int:
    """How much `text` reads like words of one script in natural letter case; negative for mojibake."""
    score = 0
    for word in _WORD.findall(text):
        if word.isascii():
            continue
        foreign = [char for char in word if not char.isascii()]
        scripts = {unicodedata.name(char, "?").split(" ")[0] for char in foreign}
        if len(foreign) < len(word):
            scripts.add("LATIN")
        natural_case = word.islower() or word.isupper() or word.istitle()
        if len(scripts) > 1 or not natural_case:
            score -= 2 * len(word)
        elif scripts == {"LATIN"} and 2 * len(foreign) > len(word):
            score -= len(word)  # Latin words are mostly plain ASCII letters; all-accented ones are misread
        else:
            score += len(foreign)
        score -= 3 * sum(char in _UNLIKELY_LETTERS for char in foreign)
    symbols = sum(
        1
        for char in text
        if not char.isascii() and not char.isalpha() and not char.isspace() and char not in _USUAL_SYMBOLS
    )
    return score - 2 * symbols
