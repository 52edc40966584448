import re

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.core import mail
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from homeward.core.models import AuditEntry
from tests.conftest import PASSWORD


def login(client, username, password=PASSWORD):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_passwords_are_hashed_with_argon2(personas):
    from homeward import settings as production_settings

    assert production_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert identify_hasher(personas.caseworker_aghdam.password).algorithm == "argon2"


def test_login_and_logout(client, personas):
    response = login(client, "caseworker.aghdam")
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_login_and_failure_are_audited(client, personas):
    login(client, "caseworker.aghdam", "wrong password")
    failed = AuditEntry.objects.order_by("-sequence").first()
    assert failed.action == "login_failed"
    assert failed.object_label == "caseworker.aghdam"
    login(client, "caseworker.aghdam")
    assert AuditEntry.objects.order_by("-sequence").first().action == "login"


def test_wrong_password_ten_times_locks_the_account_even_for_the_right_password(client, personas, settings):
    for _ in range(10):
        response = login(client, "caseworker.aghdam", "not the password")
        assert response.status_code in (200, 429)
    response = login(client, "caseworker.aghdam")
    assert response.status_code == 429
    assert "locked" in response.content.decode().lower()
    assert client.get("/").status_code == 302


def test_a_lockout_is_per_account_not_per_office(client, personas):
    for _ in range(10):
        login(client, "caseworker.aghdam", "not the password")
    assert login(client, "caseworker.lachin").status_code == 302


def test_password_change(client, personas):
    client.force_login(personas.planner)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a much longer passphrase",
            "new_password2": "a much longer passphrase",
        },
    )
    assert response.status_code == 302
    client.logout()
    assert login(client, "planner", "a much longer passphrase").status_code == 302


def test_password_reset_by_email_link(client, personas):
    personas.planner.email = "planner@example.org"
    personas.planner.save()
    client.post("/accounts/password/reset/", {"email": "planner@example.org"})
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "fresh and long passphrase", "new_password2": "fresh and long passphrase"},
    )
    assert response.status_code == 302
    assert login(client, "planner", "fresh and long passphrase").status_code == 302


def _current_code(device: TOTPDevice) -> str:
    return str(totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)).zfill(device.digits)


def test_staff_enrol_totp_and_are_then_asked_for_a_code_at_each_login(client, personas):
    client.force_login(personas.analyst)
    page = client.get("/accounts/two-factor/")
    assert b"<svg" in page.content
    device = TOTPDevice.objects.get(user=personas.analyst, confirmed=False)

    wrong = client.post("/accounts/two-factor/", {"code": "000000" if _current_code(device) != "000000" else "111111"})
    assert "not valid" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows guessing after a wrong code; a person would wait a second
    client.post("/accounts/two-factor/", {"code": _current_code(device)})
    device.refresh_from_db()
    assert device.confirmed

    client.logout()
    assert login(client, "analyst").status_code == 302
    gated = client.get("/")
    assert gated.status_code == 302
    assert gated["Location"].startswith("/accounts/verify/")
    device.refresh_from_db()
    device.last_t = -1
    device.save()
    response = client.post("/accounts/verify/", {"code": _current_code(device), "next": "/"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_enrolled_staff_cannot_use_the_api_with_a_session_before_the_second_factor(client, personas):
    device = TOTPDevice.objects.create(user=personas.analyst, name="phone", confirmed=True)
    assert device.confirmed
    login(client, "analyst")
    assert client.get("/api/me").status_code == 401


def test_deployment_can_require_two_factor_for_staff(client, personas, settings):
    settings.HOMEWARD_REQUIRE_STAFF_2FA = True
    client.force_login(personas.supervisor)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/"


def test_residents_are_not_asked_for_two_factor(client, personas, settings):
    settings.HOMEWARD_REQUIRE_STAFF_2FA = True
    client.force_login(personas.resident)
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/"])
def test_language_switch_never_redirects_off_site(client, target):
    response = client.post("/accounts/language/", {"language": "az", "next": target})
    assert response["Location"] == "/"


def test_the_enrolment_key_is_shown_in_base32_for_typing_into_an_app(client, personas):
    import base64

    client.force_login(personas.planner)
    html = client.get("/accounts/two-factor/").content.decode()
    device = TOTPDevice.objects.get(user=personas.planner, confirmed=False)
    assert base64.b32encode(device.bin_key).decode().rstrip("=") in html
