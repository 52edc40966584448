"""Document number rules are data: one per document type, read from document_rules.toml."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from homeward.registry.choices import DocumentType
from homeward.registry.document_rules import DocumentRulesError, canonical_number, document_rules, parse_rules


def test_every_document_type_has_a_rule_with_a_description():
    rules = document_rules()
    assert set(rules) == set(DocumentType.values)
    assert all(rule.description for rule in rules.values())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[passport]\npattern = "^A$"\n', "needs a pattern"),
        ("\n".join(f'[{t}]\npattern = "("' for t in DocumentType.values), "pattern"),
        ("\n".join(f'[{t}]\npattern = "."' for t in (*DocumentType.values, "visa")), "unknown document types visa"),
        ("[passport", "document rules"),
    ],
)
def test_a_broken_rules_file_is_refused_saying_where(text, message):
    with pytest.raises(DocumentRulesError, match=message):
        parse_rules(text)


@given(st.text())
def test_canonical_numbers_are_stable(number):
    once = canonical_number(number)
    assert canonical_number(once) == once
    assert not any(character.isspace() for character in once)
