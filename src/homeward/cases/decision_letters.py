"""Decision letters: a casework decision rendered as an A4 PDF in the applicant's language.

The caller hands over plain, already-translated values (service name, reasons, legal basis); the fixed
wording of the letter comes from the template through gettext. Rendering is offline: WeasyPrint may
read files from our own package and ``data:`` URLs, nothing else, so a letter never reaches the
network (see ``PackageOnlyURLFetcher``).
"""

from __future__ import annotations

import logging
import mimetypes
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import DataHandler, Request, url2pathname

from babel.dates import format_date
from django.db import models
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

logger = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent.parent
STATIC_DIR = Path(__file__).resolve().parent / "static" / "cases"
STYLESHEET = STATIC_DIR / "decision_letter.css"
TEMPLATE = "cases/decision_letter.html"

# The languages a letter can be written in, with their Babel locale. Every script they use (Latin with
# ə, Armenian, Cyrillic) must be covered by the letter's font (DejaVu Sans, see decision_letter.css).
LETTER_LOCALES = {"az": "az", "hy": "hy", "ru": "ru", "en": "en"}


class DecisionOutcome(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class DecisionLetterInvalid(ValueError):
    """A decision letter cannot be written from these values; ``field`` names the one at fault."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class DecisionLetterResourceRefused(OSError):
    """The letter tried to load a resource from outside our package (a remote or foreign URL)."""


@dataclass(frozen=True, kw_only=True)
class DecisionLetter:
    """Everything a decision letter says, as plain values already in the applicant's language."""

    reference: str
    language: str
    service_name: str
    submitted_on: date
    applicant_name: str  # as written in the script the applicant chose
    applicant_date_of_birth: date | None = None
    outcome: DecisionOutcome
    reasons: tuple[str, ...] = ()
    legal_basis: str | None = None
    decided_on: date
    authority: str
    decision_maker_name: str
    decision_maker_role: str
    appeal_deadline: date
    appeal_to: str

    def __post_init__(self) -> None:
        if self.language not in LETTER_LOCALES:
            supported = ", ".join(LETTER_LOCALES)
            raise DecisionLetterInvalid(
                "language", f"decision letters cannot be written in {self.language!r} (supported: {supported})"
            )
        try:
            outcome = DecisionOutcome(self.outcome)
        except ValueError:
            raise DecisionLetterInvalid("outcome", f"unknown outcome {self.outcome!r}") from None
        object.__setattr__(self, "outcome", outcome)
        object.__setattr__(self, "reasons", tuple(self.reasons))
        for name in (
            "reference",
            "service_name",
            "applicant_name",
            "authority",
            "decision_maker_name",
            "decision_maker_role",
            "appeal_to",
        ):
            if not str(getattr(self, name)).strip():
                raise DecisionLetterInvalid(name, "must not be blank")
        if any(not reason.strip() for reason in self.reasons):
            raise DecisionLetterInvalid("reasons", "a reason must not be blank")
        if outcome == DecisionOutcome.REJECTED and not self.reasons:
            raise DecisionLetterInvalid("reasons", "a rejection must give at least one reason")
        if self.decided_on < self.submitted_on:
            raise DecisionLetterInvalid("decided_on", "the decision cannot precede the application")
        if self.appeal_deadline < self.decided_on:
            raise DecisionLetterInvalid("appeal_deadline", "the appeal deadline cannot precede the decision")

    @property
    def title(self) -> str:
        return f"{self.reference} — {self.service_name}"


class PackageOnlyURLFetcher(URLFetcher):
    """Serve ``file:`` URLs inside our package and ``data:`` URLs; refuse every other URL before any I/O.

    Refused URLs are kept in ``refused``. WeasyPrint logs a refused resource and renders without it.
    """

    def __init__(self, root: Path = PACKAGE_DIR) -> None:
        # fetch() below never calls the base class's opener; the base class is what WeasyPrint expects.
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False, fail_on_errors=False)
        self.root = root.resolve()
        self.refused: list[str] = []

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            # Decoded in place, not through urllib's opener (whose proxy handler reads the environment).
            decoded = DataHandler().data_open(Request(url))  # noqa: S310 (scheme is data:, checked above)
            return URLFetcherResponse(
                url, body=decoded.read(), headers={"Content-Type": decoded.headers["Content-Type"]}
            )
        if scheme == "file" and parts.netloc in ("", "localhost"):
            # resolve() collapses ".." and symlinks, so the containment check sees the real file.
            path = Path(url2pathname(parts.path)).resolve()
            if path.is_relative_to(self.root) and path.is_file():
                content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})
        self.refused.append(url)
        logger.warning("Decision letter: refused to load %s (only files of our package are allowed)", url)
        raise DecisionLetterResourceRefused(f"refused to load {url}: only files of our package are allowed")


def _format_date(value: date, language: str) -> str:
    return format_date(value, format="long", locale=LETTER_LOCALES[language])


def render_decision_html(letter: DecisionLetter) -> str:
    """Render the letter's HTML in ``letter.language``: fixed wording through gettext, dates through Babel."""
    dates = {
        "decided_on": _format_date(letter.decided_on, letter.language),
        "submitted_on": _format_date(letter.submitted_on, letter.language),
        "appeal_deadline": _format_date(letter.appeal_deadline, letter.language),
        "date_of_birth": (
            _format_date(letter.applicant_date_of_birth, letter.language) if letter.applicant_date_of_birth else ""
        ),
    }
    context = {"letter": letter, "approved": letter.outcome == DecisionOutcome.APPROVED, **dates}
    with translation.override(letter.language):
        return render_to_string(TEMPLATE, context)


def html_to_pdf(html: str, *, url_fetcher: PackageOnlyURLFetcher | None = None) -> bytes:
    """Lay out ``html`` with the decision-letter stylesheet as an A4 PDF, without touching the network."""
    fetcher = url_fetcher if url_fetcher is not None else PackageOnlyURLFetcher()
    font_config = FontConfiguration()
    stylesheet = CSS(filename=str(STYLESHEET), url_fetcher=fetcher, font_config=font_config)
    document = HTML(string=html, base_url=str(STATIC_DIR) + "/", url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(stylesheets=[stylesheet], font_config=font_config)
    return pdf


def render_decision_pdf(letter: DecisionLetter) -> bytes:
    """Render the decision letter as an A4 PDF in the applicant's language.

    The PDF's title is "<reference> — <service>", its language (/Lang) is ``letter.language``, and every
    page carries the reference and "page n / total".
    """
    return html_to_pdf(render_decision_html(letter))
