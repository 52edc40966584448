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
        url, {"code": "admin-edit", "name": "My edit", "kind": "ngo", "is_active": "on", "seen_version": 1}, follow=True
    )
    assert "changed by someone else" in response.content.decode()
    assert Agency.objects.get(pk=agency.pk).name == "Changed meanwhile"
