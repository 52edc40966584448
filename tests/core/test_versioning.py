import pytest

from homeward.accounts.models import Agency
from homeward.core.versioning import StaleObjectError
from tests.factories import AgencyFactory


def test_a_stale_save_is_refused_and_changes_nothing(db):
    agency = AgencyFactory(code="unhcr", name="UNHCR")
    first = Agency.objects.get(pk=agency.pk)
    second = Agency.objects.get(pk=agency.pk)

    first.name = "UN Refugee Agency"
    first.save()
    second.name = "Something else"
    with pytest.raises(StaleObjectError, match="changed by someone else"):
        second.save()

    stored = Agency.objects.get(pk=agency.pk)
    assert stored.name == "UN Refugee Agency"
    assert stored.row_version == 2
    assert second.row_version == 1


def test_each_save_bumps_the_row_version(db):
    agency = AgencyFactory(code="ngo-v")
    assert agency.row_version == 1
    agency.name = "Renamed"
    agency.save()
    agency.name = "Renamed again"
    agency.save(update_fields=["name"])
    assert Agency.objects.get(pk=agency.pk).row_version == 3


def test_a_stale_admin_edit_is_refused_with_a_message(personas, as_user):
    agency = AgencyFactory(code="admin-edit", name="Before")
    client = as_user(personas.administrator)
    url = f"/admin/accounts/agency/{agency.pk}/change/"
    assert client.get(url).status_code == 200

    concurrent = Agency.objects.get(pk=agency.pk)
    concurrent.name = "Changed meanwhile"
    concurrent.save()

    response = client.post(
        url,
        {
            "code": "admin-edit",
            "name": "My edit",
            "kind": "ngo",
            "is_active": "on",
            "mine_action_sharing": "areas",
            "seen_version": 1,
        },
        follow=True,
    )
    assert "changed by someone else" in response.content.decode()
    assert Agency.objects.get(pk=agency.pk).name == "Changed meanwhile"


def test_the_admin_form_carries_the_version_it_was_opened_at(personas, as_user):
    agency = AgencyFactory(code="rendered", name="Before")
    html = as_user(personas.administrator).get(f"/admin/accounts/agency/{agency.pk}/change/").content.decode()
    assert 'name="seen_version" value="1"' in html


def test_an_administrator_edits_a_users_role_in_the_admin(personas, as_user):
    client = as_user(personas.administrator)
    target = personas.planner
    url = f"/admin/accounts/user/{target.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert f'name="seen_version" value="{target.row_version}"' in page.content.decode()
    response = client.post(
        url,
        {
            "username": "planner",
            "role": "return_coordinator",
            "all_districts": "on",
            "is_active": "on",
            "seen_version": target.row_version,
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    target.refresh_from_db()
    assert target.role == "return_coordinator"
