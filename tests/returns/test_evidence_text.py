"""Evidence is written in the reader's language from the engine's codes and parameters."""

from __future__ import annotations

import pytest
from django.utils import formats, translation

from homeward.engines import readiness as engine
from homeward.returns.evidence_text import as_stored, evidence_text, quoted_ids

NEAR = engine.Evidence("hazard", "HA-1", "hazard_near_point", None, (("metres", 250.0), ("clearance", "2027-03-01")))
NEIGHBOUR = engine.Evidence(
    "service",
    "svc-1",
    "nearest_facility_in",
    12.25,
    (("facility", "health_post"), ("unit", "km"), ("settlement", "7b1e"), ("distance", 12.25)),
)


def test_english_is_the_engines_english_with_ids_named() -> None:
    with translation.override("en"):
        # The same words as the engine's English; the date as the language writes dates.
        assert NEAR.detail.endswith("expected clearance 2027-03-01")
        assert evidence_text(as_stored(NEAR)) == NEAR.detail.replace("2027-03-01", "March 1, 2027")
        assert (
            evidence_text(as_stored(NEIGHBOUR), {"7b1e": "Aghdam"}) == "nearest working health post: in Aghdam, 12.2 km"
        )
    assert quoted_ids(as_stored(NEIGHBOUR)) == {"7b1e"}
    assert quoted_ids(as_stored(NEAR)) == set()


@pytest.mark.parametrize("language", ["az", "hy", "ru"])
def test_other_languages_translate_the_message_the_words_and_the_number_format(language: str) -> None:
    with translation.override("en"):
        english = evidence_text(as_stored(NEIGHBOUR), {"7b1e": "Aghdam"})
    with translation.override(language):
        written = evidence_text(as_stored(NEIGHBOUR), {"7b1e": "Aghdam"})
        word = str(translation.pgettext("in a sentence", "health post"))
        distance = formats.number_format(12.25, 1, use_l10n=True)
    assert written != english
    assert "Aghdam" in written and distance in written  # the distance as the language writes numbers
    assert word != "health post" and word in written


def test_lists_of_words_are_joined_in_the_language() -> None:
    none_restores = engine.Evidence("note", None, "no_project_restores", None, (("services", ("heating", "gas")),))
    with translation.override("en"):
        assert evidence_text(as_stored(none_restores)) == (
            "no forecast: no planned or ongoing project restores heating or gas"
        )


def test_old_snapshots_show_their_english_detail_and_unknown_codes_read_as_codes() -> None:
    assert evidence_text({"kind": "note", "ref": None, "detail": "no road network loaded"}) == "no road network loaded"
    assert evidence_text({"kind": "note", "ref": None, "code": "route_open", "params": {}}) == "route_open"
