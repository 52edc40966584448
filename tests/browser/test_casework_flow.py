"""Issue 6's "done when", in headless Chromium: a caseworker takes a submitted citizenship application
from the queue, asks for a missing document, receives it (uploading it on the page), decides with
reasons and downloads the decision letter, written in the applicant's language; then a supervisor
finds an overdue case escalated on the dashboard.

The caseworker's browser runs without JavaScript: every step is a plain form."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.test import Client
from PIL import Image
from pypdf import PdfReader

from homeward.cases import services, tasks
from homeward.cases.models import Application, ApplicationDocument, Decision
from homeward.core.context import acting_as
from tests.cases.test_services import set_up_casework

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASONS = [
    "Ərizəçinin 2020-ci ildən Ağdamda yaşadığını təsdiq edən sənəd təqdim edilməyib.",
    "Doğum haqqında şəhadətnamə ərizədəki məlumatlarla uyğun gəlmir.",
]


def session_for(user, live_server, browser, **options):
    client = Client()
    client.force_login(user)
    context = browser.new_context(locale="en", accept_downloads=True, **options)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(20_000)
    return context, page


def citizenship_application(casework, personas) -> Application:
    """Submitted by the Aghdam office's mobile team for an applicant who is written to in Azerbaijani."""
    caseworker = personas.caseworker_aghdam
    with acting_as(caseworker):
        application = services.create_application(
            services.ApplicationInput(
                service="citizenship",
                district="AZ-AGM",
                given_name="Aygün",
                family_name="Məmmədova",
                birth_date=dt.date(1980, 5, 17),
                contact="+994 50 123 45 67",
                details={
                    "birth_place": "Ağdam",
                    "current_address": "Ağdam, Qaraçay 5",
                    "residence_since": "2021-04-01",
                },
                language="az",
            ),
            actor=caseworker,
        )
        services.submit_application(application, actor=caseworker)
    return application


def submit_action(page, event: str) -> None:
    page.click(f"form#action-{event} button[type=submit]")
    page.wait_for_load_state()


def test_caseworker_decides_a_citizenship_application_and_a_supervisor_sees_an_escalation(
    browser, live_server, world, personas, settings, tmp_path, artifacts
):
    settings.HOMEWARD_DOCUMENTS_DIR = tmp_path / "documents"
    settings.HOMEWARD_DOCUMENT_CHECKS_ISOLATED = False
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    casework = set_up_casework(world, personas)
    application = citizenship_application(casework, personas)
    scan = tmp_path / "residence.png"
    buffer = io.BytesIO()
    Image.new("RGB", (200, 140), "white").save(buffer, "PNG")
    scan.write_bytes(buffer.getvalue())

    context, page = session_for(personas.caseworker_aghdam, live_server, browser, java_script_enabled=False)
    page.goto(f"{live_server.url}/cases/")
    assert page.locator(f"section[data-section=queue] tr[data-application='{application.reference}']").count() == 1
    page.click("button[data-action=take-next]")
    page.wait_for_load_state()
    assert application.reference in page.text_content("h1")
    assert "Məmmədova" in page.text_content("section[data-section=applicant]")

    submit_action(page, "start_screening")
    submit_action(page, "start_review")
    assert page.get_attribute("[data-state]", "data-state") == "in_review"

    page.fill("#id_request_information-request", "Yaşayış yerinizi təsdiq edən sənədi gətirin.")
    page.check("form#action-request_information input[value=proof_of_residence]")
    submit_action(page, "request_information")
    assert page.get_attribute("[data-state]", "data-state") == "information_requested"
    assert page.locator("[data-deadline=paused]").count() >= 1

    page.select_option("#id_receive_information-document_type", "proof_of_residence")
    page.set_input_files("#id_receive_information-file", str(scan))
    submit_action(page, "receive_information")
    assert page.get_attribute("[data-state]", "data-state") == "in_review"
    documents = page.text_content("section[data-section=documents]")
    assert "residence.png" in documents and "Proof of residence" in documents
    document = ApplicationDocument.objects.get(application=application)
    assert document.provided_for is not None and document.uploaded_by == personas.caseworker_aghdam

    page.select_option("#id_decide-result", "refused")
    page.fill("#id_decide-reasons", "\n".join(REASONS))
    submit_action(page, "decide")
    assert page.get_attribute("[data-outcome]", "data-outcome") == "rejected"
    assert Decision.objects.get(application=application).reasons == REASONS
    page.screenshot(path=str(artifacts / "casework-decided.png"), full_page=True)

    with page.expect_download() as download_info:
        page.click("a[data-letter]")
    letter = download_info.value
    assert letter.suggested_filename == f"{application.reference}.pdf"
    pdf = PdfReader(letter.path())
    text = " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)
    assert "Aygün Məmmədova" in text
    for reason in REASONS:
        assert reason in text
    assert "Vətəndaşlığa qəbul üçün müraciət" in text  # the service, named in Azerbaijani
    assert pdf.trailer["/Root"].get("/Lang") == "az"
    context.close()

    # Another application runs past its due date; the escalation task brings it to the supervisor.
    late = casework.submitted()
    long_ago = dt.date.today() - dt.timedelta(days=120)
    Application.objects.filter(pk=late.pk).update(submitted_on=long_ago, clock_started_on=long_ago, due_on=long_ago)
    assert tasks.escalate_overdue.enqueue().return_value == 1

    context, page = session_for(personas.supervisor, live_server, browser)
    page.goto(f"{live_server.url}/")
    page.click("nav#primary-nav a[data-nav=casework_dashboard]")
    page.wait_for_selector("section[data-section=escalations]")
    row = page.locator(f"tr[data-escalation='{late.reference}']")
    assert row.count() == 1
    assert long_ago.isoformat() in row.inner_text()
    assert page.locator(f"tr[data-escalation='{application.reference}']").count() == 0
    assert page.locator("svg[role=img] rect.bar").count() >= 1  # the decision above, in the histogram
    page.screenshot(path=str(artifacts / "casework-dashboard.png"), full_page=True)
    row.locator("a").click()
    page.wait_for_load_state()
    assert page.locator("[data-escalated]").count() == 1
    context.close()
