"""Which identity document numbers are well formed: rules are data, in ``document_rules.toml``."""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from homeward.registry.choices import DocumentType

RULES_FILE = Path(__file__).with_name("document_rules.toml")


class DocumentRulesError(Exception):
    """The rules file is incomplete or malformed (a deployment problem, not bad input)."""


@dataclass(frozen=True)
class DocumentRule:
    document_type: str
    pattern: re.Pattern[str]
    description: str

    def accepts(self, number: str) -> bool:
        return self.pattern.fullmatch(number) is not None


def canonical_number(number: str) -> str:
    """A document number as stored and checked: NFKC, upper case, without whitespace or a № sign."""
    text = number.replace("№", "")
    # Each step can undo another (upper-casing decomposes ΐ; NFKC turns ˘ into a space and an accent
    # that joins the letter before it once the space is gone), so repeat until nothing changes.
    for _ in range(5):
        canonical = "".join(unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).upper()).split())
        if canonical == text:
            break
        text = canonical
    return text


def parse_rules(text: str, source: str = "document rules") -> dict[str, DocumentRule]:
    """Rules from TOML text; every document type needs one, each with a valid pattern."""
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DocumentRulesError(f"{source}: {error}") from None
    rules: dict[str, DocumentRule] = {}
    for document_type in DocumentType.values:
        entry = table.get(document_type)
        if not isinstance(entry, dict) or not isinstance(entry.get("pattern"), str):
            raise DocumentRulesError(f"{source}: [{document_type}] needs a pattern")
        try:
            pattern = re.compile(entry["pattern"])
        except re.error as error:
            raise DocumentRulesError(f"{source}: [{document_type}] pattern: {error}") from None
        rules[document_type] = DocumentRule(document_type, pattern, str(entry.get("description", "")))
    unknown = sorted(set(table) - set(DocumentType.values))
    if unknown:
        raise DocumentRulesError(f"{source}: unknown document types {', '.join(unknown)}")
    return rules


@functools.cache
def document_rules() -> dict[str, DocumentRule]:
    return parse_rules(RULES_FILE.read_text(encoding="utf-8"), RULES_FILE.name)
