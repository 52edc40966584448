"""Decision letters: PDF in the applicant's language and script, A4, offline."""

from __future__ import annotations

import dataclasses
import functools
import io
import logging
import re
import socket
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from babel.dates import format_date
from django.utils import translation
from fontTools.ttLib import TTFont
from pypdf import PdfReader
from pypdf.generic import ContentStream

from homeward.cases.decision_letters import (
    STYLESHEET,
    DecisionLetter,
    DecisionLetterInvalid,
    DecisionLetterResourceRefused,
    DecisionOutcome,
    PackageOnlyURLFetcher,
    html_to_pdf,
    render_decision_html,
    render_decision_pdf,
)

REFERENCE = "CIT-2026-000123"

# Synthetic applicants, each written in the script of the letter's language.
SAMPLES: dict[str, dict[str, Any]] = {
    "az": {
        "service_name": "Vətəndaşlıq",
        "applicant_name": "Əli Məmmədov",
        "reasons": ("Doğum haqqında şəhadətnamə təqdim edilməyib.", "Ünvan təsdiq olunmayıb."),
        "legal_basis": "Vətəndaşlıq haqqında Qanun, maddə 14",
        "authority": "Dövlət Miqrasiya Xidməti",
        "decision_maker_name": "Leyla Həsənova",
        "decision_maker_role": "Baş mütəxəssis",
        "appeal_to": "Ağdam rayon məhkəməsi",
    },
    "hy": {
        "service_name": "Քաղաքացիություն",
        "applicant_name": "Արամ Պետրոսյան",
        "reasons": ("Ծննդյան վկայականը ներկայացված չէ։", "Հասցեն հաստատված չէ։"),
        "legal_basis": "Քաղաքացիության մասին օրենք, հոդված 14",
        "authority": "Միգրացիոն ծառայություն",
        "decision_maker_name": "Աննա Սարգսյան",
        "decision_maker_role": "Գլխավոր մասնագետ",
        "appeal_to": "Շրջանային դատարան",
    },
    "ru": {
        "service_name": "Гражданство",
        "applicant_name": "Иван Петров",
        "reasons": ("Не представлено свидетельство о рождении.", "Адрес не подтверждён."),
        "legal_basis": "Закон о гражданстве, статья 14",
        "authority": "Государственная миграционная служба",
        "decision_maker_name": "Анна Смирнова",
        "decision_maker_role": "Главный специалист",
        "appeal_to": "Районный суд",
    },
    "en": {
        "service_name": "Citizenship",
        "applicant_name": "Sarah Johnson",
        "reasons": ("The birth certificate was not provided.", "The address could not be confirmed."),
        "legal_basis": "Citizenship Act, article 14",
        "authority": "State Migration Service",
        "decision_maker_name": "Leyla Hasanova",
        "decision_maker_role": "Senior officer",
        "appeal_to": "Aghdam district court",
    },
}


def make_letter(language: str = "en", **overrides: Any) -> DecisionLetter:
    values: dict[str, Any] = {
        "reference": REFERENCE,
        "language": language,
        "outcome": DecisionOutcome.REJECTED,
        "submitted_on": date(2026, 1, 12),
        "decided_on": date(2026, 3, 2),
        "appeal_deadline": date(2026, 4, 1),
        "applicant_date_of_birth": date(1984, 5, 17),
        **SAMPLES[language if language in SAMPLES else "en"],
    }
    values.update(overrides)
    return DecisionLetter(**values)


@functools.cache
def pdf_in(language: str) -> bytes:
    """One render per language, shared by the tests that only read it."""
    return render_decision_pdf(make_letter(language))


def text_of(pdf: bytes) -> list[str]:
    """Each page's extracted text, whitespace collapsed."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture
def network_attempts(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record every attempt to resolve a host or open a connection (and make it fail)."""
    attempts: list[object] = []

    def refuse(*args: object, **kwargs: object) -> None:
        attempts.append(args)
        # WeasyPrint swallows fetch errors, so the test asserts on `attempts`, not on this exception.
        raise OSError("network access in a test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


# --- the letter in each language -------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["az", "hy", "ru", "en"])
def test_letter_carries_name_reasons_and_reference_in_the_applicants_script(language):
    sample = SAMPLES[language]

    text = " ".join(text_of(pdf_in(language)))

    assert sample["applicant_name"] in text
    for reason in sample["reasons"]:
        assert reason in text
    assert REFERENCE in text
    assert sample["service_name"] in text
    assert sample["legal_basis"] in text
    assert sample["decision_maker_name"] in text


@pytest.mark.parametrize("language", ["az", "hy", "ru", "en"])
def test_pdf_declares_its_language_title_and_a4_pages(language):
    reader = PdfReader(io.BytesIO(pdf_in(language)))

    assert reader.trailer["/Root"]["/Lang"] == language
    assert reader.metadata is not None
    assert reader.metadata.title == f"{REFERENCE} — {SAMPLES[language]['service_name']}"
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)  # A4 in pt


@pytest.mark.parametrize("language", ["az", "hy", "ru", "en"])
def test_html_is_tagged_with_the_letters_language_and_dates_are_formatted_for_it(language):
    html = render_decision_html(make_letter(language))

    assert f'<html lang="{language}">' in html
    for day in (date(2026, 1, 12), date(2026, 3, 2), date(2026, 4, 1), date(1984, 5, 17)):
        assert format_date(day, format="long", locale=language) in html


def test_every_page_shows_the_reference_and_its_page_number():
    reasons = tuple(f"Reason number {n}: the document could not be verified." for n in range(1, 71))

    pages = text_of(render_decision_pdf(make_letter("en", reasons=reasons)))

    assert len(pages) >= 2
    for number, text in enumerate(pages, start=1):
        assert REFERENCE in text
        assert f"Page {number} / {len(pages)}" in text


# --- fonts: every script is drawn with real glyphs, not tofu ---------------------------------------------


def _embedded_fonts(reader: PdfReader) -> Iterator[tuple[str, dict[str, int], TTFont]]:
    """Each embedded font: its base name, unicode text -> glyph id (from /ToUnicode), and the font file."""
    seen = set()
    for page in reader.pages:
        for font_ref in page["/Resources"]["/Font"].values():
            font = font_ref.get_object()
            if font["/BaseFont"] in seen:
                continue
            seen.add(font["/BaseFont"])
            descendant = font["/DescendantFonts"][0].get_object()
            assert font["/Encoding"] == "/Identity-H" and descendant["/CIDToGIDMap"] == "/Identity"
            to_unicode = font["/ToUnicode"].get_object().get_data().decode("ascii")
            # WeasyPrint writes one bfchar entry per glyph: <glyph id> <UTF-16BE text>.
            entries = "".join(re.findall(r"beginbfchar(.*?)endbfchar", to_unicode, re.DOTALL))
            glyphs = {
                bytes.fromhex(text).decode("utf-16-be"): int(code, 16)
                for code, text in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", entries)
            }
            font_file = descendant["/FontDescriptor"]["/FontFile2"].get_object().get_data()
            yield str(font["/BaseFont"]), glyphs, TTFont(io.BytesIO(font_file))


def _glyph_ids_shown(reader: PdfReader) -> set[int]:
    shown = set()
    for page in reader.pages:
        for operands, operator in ContentStream(page.get_contents(), reader).operations:
            if operator == b"TJ":
                strings = [item for item in operands[0] if not isinstance(item, int | float)]
            elif operator == b"Tj":
                strings = [operands[0]]
            else:
                continue
            for string in strings:
                raw = string.original_bytes if hasattr(string, "original_bytes") else bytes(string)
                shown.update(int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2))
    return shown


def _has_outline(glyf: Any, glyph_name: str) -> bool:
    glyph = glyf[glyph_name]
    if glyph.isComposite():  # e.g. Cyrillic е is DejaVu's Latin e, reused
        return all(_has_outline(glyf, component.glyphName) for component in glyph.components)
    return bool(glyph.numberOfContours > 0)


@pytest.mark.parametrize("language", ["az", "hy", "ru", "en"])
def test_every_letter_of_the_name_is_a_real_dejavu_glyph(language):
    reader = PdfReader(io.BytesIO(pdf_in(language)))
    name = SAMPLES[language]["applicant_name"]

    fonts = list(_embedded_fonts(reader))

    # Only DejaVu is embedded (no silent fallback to another font), and the subset keeps its name.
    assert fonts and all(re.fullmatch(r"/[A-Z]{6}\+DejaVu-Sans(-Bold)?", base) for base, _, _ in fonts)
    # .notdef (glyph 0) is the tofu box: it must never be drawn.
    assert 0 not in _glyph_ids_shown(reader)
    regular = next((glyphs, font) for base, glyphs, font in fonts if base.endswith("+DejaVu-Sans"))
    glyphs, font = regular
    order = font.getGlyphOrder()
    for letter in set(name) - {" "}:
        assert glyphs.get(letter, 0) != 0, f"{letter!r} has no glyph"
        assert _has_outline(font["glyf"], order[glyphs[letter]]), f"{letter!r} is drawn empty"


# --- fixed wording comes from the translation catalogue --------------------------------------------------


def test_english_letter_has_the_english_headings():
    html = render_decision_html(make_letter("en"))

    for heading in ("Decision", "Applicant", "Date of birth", "Outcome", "Rejected", "Reasons", "Legal basis"):
        assert f">{heading}<" in html
    assert ">How to appeal<" in html
    assert "You may appeal this decision until April 1, 2026." in html
    assert "Send your appeal to: Aghdam district court" in html


@pytest.mark.parametrize("language", ["az", "hy", "ru", "en"])
def test_fixed_wording_uses_the_catalogue_translation_when_one_exists(language):
    """Translation hook check: the letter shows whatever the catalogue gives for each heading.

    Most az/hy/ru translations do not exist yet, so gettext returns the English msgid and this passes on
    English; once translators add them, it proves the letter uses them (e.g. hy "Date of birth" already is).
    """
    html = render_decision_html(make_letter(language))

    with translation.override(language):
        expected = [
            translation.gettext("Decision"),
            translation.gettext("Applicant"),
            translation.gettext("Date of birth"),
            translation.pgettext("decision letter", "Outcome"),
            translation.gettext("Rejected"),
            translation.gettext("Reasons"),
            translation.gettext("Legal basis"),
            translation.gettext("How to appeal"),
            translation.gettext("Page"),
        ]
    for wording in expected:
        assert f">{wording}<" in html or f">{wording} <" in html, wording


def test_rendering_leaves_the_active_language_alone():
    with translation.override("ru"):
        render_decision_html(make_letter("hy"))
        assert translation.get_language() == "ru"


def test_an_approval_needs_no_reasons_and_says_approved():
    html = render_decision_html(make_letter("en", outcome=DecisionOutcome.APPROVED, reasons=(), legal_basis=None))

    assert ">Approved<" in html
    assert "has been approved." in html
    assert ">Reasons<" not in html
    assert ">Legal basis<" not in html


# --- validation -------------------------------------------------------------------------------------------


def test_a_rejection_without_reasons_is_refused():
    with pytest.raises(ValueError, match="at least one reason") as caught:
        make_letter("en", reasons=())

    assert isinstance(caught.value, DecisionLetterInvalid)
    assert caught.value.field == "reasons"


def test_a_blank_reason_is_refused():
    with pytest.raises(DecisionLetterInvalid, match="reasons"):
        make_letter("en", reasons=("  ",))


@pytest.mark.parametrize("language", ["de", "hy-AM", ""])
def test_an_unsupported_language_is_refused_by_name(language):
    with pytest.raises(ValueError, match=re.escape(repr(language))):
        make_letter(language)


def test_outcome_given_as_text_is_accepted_and_unknown_outcome_refused():
    assert make_letter("en", outcome="rejected").outcome is DecisionOutcome.REJECTED
    with pytest.raises(DecisionLetterInvalid, match="outcome"):
        make_letter("en", outcome="postponed")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"appeal_deadline": date(2026, 3, 1)}, "appeal_deadline"),
        ({"decided_on": date(2026, 1, 11)}, "decided_on"),
        ({"applicant_name": " "}, "applicant_name"),
        ({"reference": ""}, "reference"),
    ],
)
def test_inconsistent_values_are_refused_naming_the_field(overrides, field):
    with pytest.raises(DecisionLetterInvalid) as caught:
        make_letter("en", **overrides)

    assert caught.value.field == field


def test_a_letter_is_immutable_and_reasons_become_a_tuple():
    letter = make_letter("en", reasons=["One reason."])

    assert letter.reasons == ("One reason.",)
    with pytest.raises(dataclasses.FrozenInstanceError):
        letter.reference = "OTHER"  # type: ignore[misc]


# --- offline: nothing is fetched from the network --------------------------------------------------------


def test_html_in_a_reason_is_printed_as_text_and_fetches_nothing(network_attempts, caplog):
    reason = '<img src="http://example.invalid/track.png"> is not a reason'
    letter = make_letter("en", reasons=(reason,))

    html = render_decision_html(letter)
    with caplog.at_level(logging.WARNING):
        text = " ".join(text_of(render_decision_pdf(letter)))

    assert "<img" not in html
    assert "&lt;img src=&quot;http://example.invalid/track.png&quot;&gt;" in html
    assert reason in text
    assert network_attempts == []
    assert not [record for record in caplog.records if "refused" in record.getMessage()]


def test_a_template_loading_remote_resources_renders_without_touching_the_network(network_attempts):
    fetcher = PackageOnlyURLFetcher()
    html = """<!DOCTYPE html><html lang="en"><head>
      <link rel="stylesheet" href="https://example.invalid/style.css">
      <style>
        @import url("http://example.invalid/import.css");
        @font-face { font-family: Remote; src: url("https://example.invalid/font.woff2"); }
        body { background: url("http://example.invalid/background.png"); }
      </style></head>
      <body><img src="http://example.invalid/logo.png"><img src="file:///etc/hostname"><p>Still rendered</p></body>
    </html>"""

    pdf = html_to_pdf(html, url_fetcher=fetcher)

    assert "Still rendered" in text_of(pdf)[0]
    assert network_attempts == []
    assert set(fetcher.refused) == {
        "https://example.invalid/style.css",
        "http://example.invalid/import.css",
        "https://example.invalid/font.woff2",
        "http://example.invalid/background.png",
        "http://example.invalid/logo.png",
        "file:///etc/hostname",
    }


@pytest.mark.parametrize(
    "url",
    [
        "http://example.invalid/logo.png",
        "https://example.invalid/logo.png",
        "ftp://example.invalid/logo.png",
        "file:///etc/passwd",
        "file://example.invalid/etc/passwd",
        STYLESHEET.as_uri().replace("decision_letter.css", "../../../../../../../../etc/passwd"),
        STYLESHEET.as_uri().replace("decision_letter.css", "missing.css"),
    ],
)
def test_the_fetcher_refuses_anything_outside_our_package(network_attempts, url):
    fetcher = PackageOnlyURLFetcher()

    with pytest.raises(DecisionLetterResourceRefused):
        fetcher.fetch(url)

    assert fetcher.refused == [url]
    assert network_attempts == []


def test_the_fetcher_serves_our_own_files_and_data_urls(network_attempts):
    fetcher = PackageOnlyURLFetcher()

    stylesheet = fetcher.fetch(STYLESHEET.as_uri())
    inline = fetcher.fetch("data:text/plain;base64,aGk=")

    assert stylesheet.content_type == "text/css"
    assert b"@page" in stylesheet.read()
    assert inline.read() == b"hi"
    assert fetcher.refused == []
    assert network_attempts == []
