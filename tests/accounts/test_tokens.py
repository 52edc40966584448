import datetime as dt
import hashlib

from django.test import Client
from django.utils import timezone

from homeward.accounts import services
from homeward.accounts.models import ApiToken


def bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_a_token_is_stored_only_as_its_hash(personas):
    token, key = services.issue_token(personas.analyst, name="GIS sync")
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in str(stored.__dict__.values())


def test_a_token_acts_with_its_users_scope(personas):
    _token, key = services.issue_token(personas.caseworker_aghdam, name="script")
    response = Client().get("/api/me", **bearer(key))
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "caseworker.aghdam"
    assert body["districts"] == ["AZ-AGM"]


def test_a_token_brings_every_district_of_its_user_in_the_one_read(personas, world, django_assert_num_queries):
    supervisor_key = services.issue_token(personas.supervisor, name="two districts")[1]
    analyst_key = services.issue_token(personas.analyst, name="no district")[1]
    for key in (supervisor_key, analyst_key):
        services.authenticate_token(key)  # the first use is recorded (an update); later ones within a minute are not

    with django_assert_num_queries(1):
        supervisor = services.authenticate_token(supervisor_key)
        assert supervisor is not None
        assert supervisor.district_ids == {world.aghdam.pk, world.fuzuli.pk}
    with django_assert_num_queries(1):
        analyst = services.authenticate_token(analyst_key)
        assert analyst is not None
        assert analyst.district_ids == frozenset()
    # The same as the user's own look-up.
    assert supervisor.district_ids == type(supervisor).objects.get(pk=supervisor.pk).district_ids
    assert Client().get("/api/me", **bearer(supervisor_key)).json()["districts"] == ["AZ-AGM", "AZ-FUZ"]


def test_a_revoked_token_is_refused(personas):
    token, key = services.issue_token(personas.analyst, name="old")
    assert Client().get("/api/me", **bearer(key)).status_code == 200
    services.revoke_token(token, actor=personas.analyst)
    assert Client().get("/api/me", **bearer(key)).status_code == 401


def test_an_expired_token_is_refused(personas):
    token, key = services.issue_token(personas.analyst, name="short", expires_at=timezone.now() + dt.timedelta(hours=1))
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert Client().get("/api/me", **bearer(key)).status_code == 401


def test_a_made_up_token_is_refused(db):
    assert Client().get("/api/me", **bearer("hw_not-a-real-token")).status_code == 401
    assert Client().get("/api/me").status_code == 401


def test_tokens_of_a_deactivated_user_stop_working(personas):
    _token, key = services.issue_token(personas.partner, name="x")
    personas.partner.is_active = False
    personas.partner.save()
    assert Client().get("/api/me", **bearer(key)).status_code == 401


def test_create_list_and_revoke_tokens_through_the_api(personas):
    _token, key = services.issue_token(personas.planner, name="bootstrap")
    client = Client()
    created = client.post("/api/tokens", {"name": "second"}, content_type="application/json", **bearer(key))
    assert created.status_code == 201
    new_key = created.json()["key"]
    assert new_key.startswith("hw_")
    listed = client.get("/api/tokens", **bearer(new_key)).json()
    assert {item["name"] for item in listed} == {"bootstrap", "second"}
    revoked = client.delete(f"/api/tokens/{created.json()['id']}", **bearer(key))
    assert revoked.status_code == 200
    assert client.get("/api/me", **bearer(new_key)).status_code == 401


def test_a_token_without_a_name_is_refused_naming_the_field(personas):
    _token, key = services.issue_token(personas.planner, name="bootstrap")
    response = Client().post("/api/tokens", {"name": "  "}, content_type="application/json", **bearer(key))
    assert response.status_code == 422
    assert response.json()["field"] == "name"
    assert ApiToken.objects.filter(user=personas.planner).count() == 1


def test_nobody_can_revoke_someone_elses_token_except_an_administrator(personas):
    token, key = services.issue_token(personas.planner, name="mine")
    _other, other_key = services.issue_token(personas.analyst, name="theirs")
    assert Client().delete(f"/api/tokens/{token.pk}", **bearer(other_key)).status_code == 404
    assert Client().get("/api/me", **bearer(key)).status_code == 200
    services.revoke_token(token, actor=personas.administrator)
    assert Client().get("/api/me", **bearer(key)).status_code == 401


def test_tokens_page_shows_a_new_key_once(personas, as_user):
    client = as_user(personas.coordinator)
    response = client.post("/accounts/tokens/", {"name": "laptop"})
    assert b'data-testid="new-token"' in response.content
    assert b'data-testid="new-token"' not in client.get("/accounts/tokens/").content


def test_a_tokens_last_use_is_recorded_at_most_once_a_minute(personas):
    token, key = services.issue_token(personas.analyst, name="sync")
    assert ApiToken.objects.get(pk=token.pk).last_used_at is None

    assert services.authenticate_token(key) == personas.analyst
    first = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first is not None
    assert services.authenticate_token(key) == personas.analyst
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=first - dt.timedelta(seconds=61))
    assert services.authenticate_token(key) == personas.analyst
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first - dt.timedelta(seconds=1)


def test_a_token_that_expires_later_still_works(personas):
    _token, key = services.issue_token(personas.analyst, name="long", expires_at=timezone.now() + dt.timedelta(days=1))
    assert services.authenticate_token(key) == personas.analyst
