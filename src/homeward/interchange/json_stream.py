"""Reading a large JSON document one value at a time, holding only a window of it in memory.

GDAL re-parses a GeoJSON file from its start on every batch read (200,000 polygons: 120 s in batches
of 2,000 against 1.7 s at once), so GeoJSON features are streamed here instead.
"""

from __future__ import annotations

import codecs
import json
import re
from pathlib import Path
from typing import BinaryIO

from homeward.interchange.errors import UnreadableFile

_CHUNK = 1 << 20
_WHITESPACE = re.compile(r"[ \t\n\r]*")


class JsonStream:
    """A cursor over UTF-8 JSON text: `peek` at the next token, `expect` punctuation, decode a `value`."""

    def __init__(self, binary: BinaryIO, path: Path) -> None:
        self._binary = binary
        self._path = path
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self._json = json.JSONDecoder()
        self._text = ""
        self._pos = 0
        self._eof = False

    def _fill(self, at_least: int = 0) -> bool:
        """Read more text into the window; False at the end of the file."""
        if self._eof:
            return False
        if self._pos > _CHUNK:
            self._text = self._text[self._pos :]
            self._pos = 0
        data = self._binary.read(max(_CHUNK, at_least))
        self._eof = not data
        try:
            self._text += self._decoder.decode(data, final=self._eof)
        except UnicodeDecodeError as exc:
            raise UnreadableFile(self._path, f"it is not UTF-8 text as GeoJSON must be ({exc.reason})") from exc
        return not self._eof

    def peek(self) -> str:
        """The next non-whitespace character, without consuming it; "" at the end of the file."""
        while True:
            match = _WHITESPACE.match(self._text, self._pos)
            self._pos = match.end() if match else self._pos
            if self._pos < len(self._text):
                return self._text[self._pos]
            if not self._fill():
                return ""

    def expect(self, char: str) -> None:
        """Consume `char`, which must come next."""
        found = self.peek()
        if found != char:
            raise self.error(f"expected {char!r} but found {found or 'the end of the file'!r}")
        self._pos += 1

    def value(self) -> object:
        """Decode the next complete JSON value."""
        self.peek()
        while True:
            try:
                value, end = self._json.raw_decode(self._text, self._pos)
            except json.JSONDecodeError as exc:
                # Most often the value runs past the window: widen it (doubling, so a huge value costs
                # linear time) and retry; at the end of the file the error is real.
                if self._fill(len(self._text) - self._pos):
                    continue
                raise self.error(exc.msg) from exc
            # A number can end at the window's edge while the file goes on ("12" of "125").
            if end == len(self._text) and self._fill():
                continue
            self._pos = end
            return value

    def error(self, reason: str) -> UnreadableFile:
        """An `UnreadableFile` for invalid JSON at the cursor."""
        return UnreadableFile(self._path, f"invalid JSON: {reason}")
