"""The service catalogue is data: the bundled file loads idempotently, a new service needs no code, and a
bad entry is refused naming the service and the field, with nothing written."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from homeward.cases import catalogue, services
from homeward.cases.catalogue import CatalogueError
from homeward.cases.models import ServiceType
from homeward.core.context import acting_as
from homeward.core.models import AuditEntry

SERVICE_CODES = {
    "citizenship",
    "identity_card",
    "passport",
    "residence_registration",
    "birth_certificate",
    "marriage_certificate",
    "death_certificate",
    "pension",
    "disability_allowance",
    "social_assistance",
    "property_claim",
    "family_tracing",
}

ARMENIAN = re.compile(r"[\u0531-\u058F]")
CYRILLIC = re.compile(r"[\u0400-\u04FF]")


def entry(**changes: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "code": "war_damage_compensation",
        "responsible_agency": "property",
        "deadline_working_days": 30,
        "required_fields": ["given_name", "family_name", "contact", "property_address"],
        "required_documents": ["identity_card", "property_title"],
        "outcomes": [{"code": "compensated", "kind": "approved"}, {"code": "refused", "kind": "rejected"}],
        "names": {
            "az": "Müharibə zərərinin əvəzinin ödənilməsi",
            "hy": "Պատերազմական վնասի փոխհատուցում",
            "ru": "Компенсация ущерба от войны",
            "en": "Compensation for war damage",
        },
    }
    values.update(changes)
    return {key: value for key, value in values.items() if value is not None}


def as_toml(*entries: dict[str, Any]) -> str:
    """A catalogue file holding ``entries`` (JSON strings and arrays are valid TOML values here)."""
    lines = []
    for raw in entries:
        lines.append("[[service]]")
        names = raw.get("names")
        for key, value in raw.items():
            if key == "names":
                continue
            if isinstance(value, list) and value and isinstance(value[0], dict):
                tables = ", ".join(
                    "{ " + ", ".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in item.items()) + " }"
                    for item in value
                )
                lines.append(f"{key} = [{tables}]")
            else:
                lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
        if isinstance(names, dict):
            lines.append("[service.names]")
            lines.extend(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in names.items())
    return "\n".join(lines) + "\n"


def test_the_bundled_catalogue_has_every_service_named_in_four_languages():
    specs = catalogue.read_catalogue()

    assert {spec.code for spec in specs} == SERVICE_CODES
    for spec in specs:
        assert set(spec.names) == {"az", "hy", "ru", "en"}
        assert ARMENIAN.search(spec.names["hy"]), spec.code
        assert CYRILLIC.search(spec.names["ru"]), spec.code
        assert not ARMENIAN.search(spec.names["az"]) and not CYRILLIC.search(spec.names["az"]), spec.code
        assert spec.deadline_working_days >= 1
        assert {outcome.kind for outcome in spec.outcomes} == {"approved", "rejected"}, spec.code


def test_no_catalogue_field_asks_for_ethnicity_religion_or_politics():
    text = catalogue.DEFAULT_CATALOGUE.read_text(encoding="utf-8").lower()
    for word in ("ethnic", "religio", "politic", "nationality"):
        assert word not in text


@pytest.mark.django_db
def test_the_catalogue_is_in_the_database_and_loading_again_changes_nothing():
    services.load_catalogue()
    versions = dict(ServiceType.objects.values_list("code", "row_version"))
    audited = AuditEntry.objects.count()

    report = services.load_catalogue()

    assert set(report.unchanged) == SERVICE_CODES
    assert (report.created, report.updated) == ((), ())
    assert dict(ServiceType.objects.values_list("code", "row_version")) == versions
    assert AuditEntry.objects.count() == audited


@pytest.mark.django_db
def test_adding_a_service_to_the_file_needs_no_code(tmp_path):
    services.load_catalogue()
    path = tmp_path / "services.toml"
    path.write_text(catalogue.DEFAULT_CATALOGUE.read_text(encoding="utf-8") + "\n" + as_toml(entry()), encoding="utf-8")

    report = services.load_catalogue(path)

    assert report.created == ("war_damage_compensation",)
    service = ServiceType.objects.get(code="war_damage_compensation")
    assert service.name_hy == "Պատերազմական վնասի փոխհատուցում"
    assert service.outcome_kind("compensated") == "approved"
    assert service.from_catalogue


@pytest.mark.django_db
def test_a_changed_entry_is_updated_by_code(tmp_path):
    services.load_catalogue()
    text = catalogue.DEFAULT_CATALOGUE.read_text(encoding="utf-8").replace(
        "deadline_working_days = 15", "deadline_working_days = 12"
    )
    path = tmp_path / "services.toml"
    path.write_text(text, encoding="utf-8")

    report = services.load_catalogue(path)

    assert report.updated == ("passport",)
    assert ServiceType.objects.get(code="passport").deadline_working_days == 12
    assert ServiceType.objects.filter(code="passport").count() == 1


@pytest.mark.parametrize(
    ("bad", "field", "words"),
    [
        (entry(required_documents=["identity_card", "horoscope"]), "required_documents", "horoscope"),
        (entry(required_fields=["given_name", "ethnicity"]), "required_fields", "ethnicity"),
        (entry(deadline_working_days=-5), "deadline_working_days", "at least 1"),
        (entry(deadline_working_days=0), "deadline_working_days", "at least 1"),
        (entry(deadline_working_days="ten"), "deadline_working_days", "whole number"),
        (entry(outcomes=[]), "outcomes", "at least one"),
        (entry(outcomes=[{"code": "ok", "kind": "maybe"}]), "outcomes[0].kind", "maybe"),
        (
            entry(outcomes=[{"code": "ok", "kind": "approved"}, {"code": "ok", "kind": "rejected"}]),
            "outcomes[1].code",
            "twice",
        ),
        (entry(responsible_agency="ministry_of_truth"), "responsible_agency", "ministry_of_truth"),
        (
            entry(names={"az": "Ad", "hy": "", "ru": "Имя", "en": "Name"}),
            "names.hy",
            "every language",
        ),
        (entry(names={"az": "Ad", "hy": "Անուն", "ru": "Имя", "en": "Name", "fr": "Nom"}), "names.fr", "languages"),
        (entry(religion="x"), "religion", "not a catalogue field"),
        (entry(outcomes=None), "outcomes", "missing"),
    ],
)
@pytest.mark.django_db
def test_a_bad_entry_is_refused_naming_service_and_field_and_nothing_is_loaded(tmp_path, bad, field, words):
    path = tmp_path / "services.toml"
    path.write_text(as_toml(entry(code="first_good_one"), bad), encoding="utf-8")
    before = set(ServiceType.objects.values_list("code", flat=True))

    with pytest.raises(CatalogueError) as refused:
        services.load_catalogue(path)

    assert refused.value.service == "war_damage_compensation"
    assert refused.value.field == field
    assert words in str(refused.value)
    assert f"service 'war_damage_compensation', field {field!r}" in str(refused.value)
    assert set(ServiceType.objects.values_list("code", flat=True)) == before


def test_two_entries_with_one_code_are_refused():
    with pytest.raises(CatalogueError) as refused:
        catalogue.parse_catalogue(as_toml(entry(), entry()))
    assert (refused.value.service, refused.value.field) == ("war_damage_compensation", "code")


def test_a_file_that_is_not_toml_is_refused():
    with pytest.raises(CatalogueError, match="not valid TOML"):
        catalogue.parse_catalogue("[[service]\ncode = ")


def test_an_entry_with_a_bad_code_is_named_by_its_position():
    with pytest.raises(CatalogueError) as refused:
        catalogue.parse_catalogue(as_toml(entry(), entry(code="Bad Code")))
    assert (refused.value.service, refused.value.field) == ("entry #2", "code")


@pytest.mark.django_db
def test_an_administrator_adds_a_service_through_the_service_function(personas):
    with acting_as(personas.administrator):
        service = services.add_service(entry(), actor=personas.administrator)

    assert service.code == "war_damage_compensation"
    assert not service.from_catalogue
    assert AuditEntry.objects.filter(object_type="cases.servicetype", object_id=str(service.pk)).exists()


@pytest.mark.django_db
def test_a_supervisor_cannot_change_the_catalogue(personas):
    with pytest.raises(services.ActionRefused):
        services.add_service(entry(), actor=personas.supervisor)
    assert not ServiceType.objects.filter(code="war_damage_compensation").exists()


@pytest.mark.django_db
def test_a_service_added_by_the_deployment_survives_reloading_the_file(personas):
    services.add_service(entry(), actor=personas.administrator)
    services.load_catalogue()
    assert ServiceType.objects.filter(code="war_damage_compensation").exists()


@pytest.mark.django_db
def test_an_admin_edit_is_checked_like_a_catalogue_entry():
    services.load_catalogue()
    service = ServiceType.objects.get(code="passport")
    service.required_documents = ["identity_card", "horoscope"]

    with pytest.raises(ValidationError) as refused:
        service.full_clean()

    assert "horoscope" in str(refused.value.message_dict["required_documents"])


@pytest.mark.django_db
def test_an_administrator_edits_the_catalogue_in_the_admin_and_a_bad_edit_names_the_field(personas, as_user):
    services.load_catalogue()
    client = as_user(personas.administrator)
    passport = ServiceType.objects.get(code="passport")
    form = {
        "code": "passport",
        "name_az": passport.name_az,
        "name_hy": passport.name_hy,
        "name_ru": passport.name_ru,
        "name_en": passport.name_en,
        "responsible_agency": "internal_affairs",
        "deadline_working_days": "15",
        "required_fields": json.dumps(passport.required_fields),
        "required_documents": json.dumps(["identity_card", "horoscope"]),
        "outcomes": json.dumps(passport.outcomes),
        "is_active": "on",
        "seen_version": str(passport.row_version),
    }

    listing = client.get("/admin/cases/servicetype/")
    refused = client.post(f"/admin/cases/servicetype/{passport.pk}/change/", form)
    accepted = client.post(
        f"/admin/cases/servicetype/{passport.pk}/change/",
        {**form, "required_documents": json.dumps(["identity_card"]), "deadline_working_days": "12"},
    )

    assert listing.status_code == 200
    assert refused.status_code == 200
    assert "horoscope" in str(refused.context["adminform"].form.errors["required_documents"])
    assert accepted.status_code == 302
    assert ServiceType.objects.get(code="passport").deadline_working_days == 12


@pytest.mark.django_db
def test_applications_are_read_only_in_the_admin(personas, as_user):
    client = as_user(personas.administrator)
    assert client.get("/admin/cases/application/add/").status_code == 403
    assert client.get("/admin/cases/holiday/add/").status_code == 200
