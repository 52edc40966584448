"""A new user logs in as every demo role, in two languages, and finds the navigation of that role."""

from __future__ import annotations

import pytest
from django.utils import translation

from homeward.core.navigation import _menu

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXPECTED_NAVIGATION = {
    "admin": {"home", "places", "mineaction", "recovery", "readiness", "users", "audit"},
    "analyst": {"home", "places", "mineaction", "recovery", "readiness"},
    "planner": {"home", "places", "mineaction", "recovery", "readiness"},
    "coordinator": {"home", "places", "mineaction", "recovery", "readiness"},
    "caseworker": {"home", "places", "persons", "casework"},
    "supervisor": {"home", "places", "persons", "casework", "casework_dashboard"},
    "partner": {"home", "places", "mineaction", "recovery", "readiness"},
    "auditor": {"home", "places", "mineaction", "recovery", "readiness", "users", "audit"},
    "resident": {"home"},
}


@pytest.fixture
def demo_logins(transactional_db):
    from homeward.demo import ensure_demo_users, load_demo

    load_demo("small")
    return {login.username: login for login in ensure_demo_users()}


def label_in(language: str, key: str) -> str:
    with translation.override(language):
        return str(_menu[key].label)


@pytest.mark.parametrize("language", ["az", "en"])
def test_every_demo_role_logs_in_and_sees_its_navigation(browser, live_server, demo_logins, language, artifacts):
    assert set(demo_logins) == set(EXPECTED_NAVIGATION)
    for username, expected in EXPECTED_NAVIGATION.items():
        context = browser.new_context(locale=language, extra_http_headers={"Accept-Language": language})
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        assert page.get_attribute("html", "lang") == language
        page.fill("#id_username", username)
        page.fill("#id_password", demo_logins[username].password)
        page.click("main button[type=submit]")
        page.wait_for_selector("[data-testid=username]")
        assert page.text_content("[data-testid=username]") == username

        shown = set(page.eval_on_selector_all("nav#primary-nav a[data-nav]", "links => links.map(a => a.dataset.nav)"))
        assert shown == expected, (username, language, shown)
        home_label = page.text_content("nav#primary-nav a[data-nav=home]").strip()
        assert home_label == label_in(language, "home")
        if language != "en":
            assert home_label != label_in("en", "home")
        page.screenshot(path=str(artifacts / f"home-{username}-{language}.png"), full_page=True)

        for key in sorted(expected - {"home"}):
            page.click(f"nav#primary-nav a[data-nav={key}]")
            page.wait_for_load_state()
            assert page.locator("h1").count() == 1, (username, key)
        context.close()


def test_keyboard_users_reach_the_skip_link_first_and_can_switch_language(browser, live_server, demo_logins):
    context = browser.new_context(locale="en")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    # The login form focuses the user name field itself, so a keyboard user can type at once.
    assert page.evaluate("document.activeElement.id") == "id_username"
    page.keyboard.type("coordinator")
    page.keyboard.press("Tab")
    page.keyboard.type(demo_logins["coordinator"].password)
    page.keyboard.press("Enter")
    page.wait_for_selector("[data-testid=username]")

    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"

    page.select_option("#language-select", "ru")
    page.wait_for_function("document.documentElement.lang === 'ru'")
    assert page.get_attribute("html", "lang") == "ru"
    labels = page.eval_on_selector_all("label", "items => items.map(l => l.htmlFor).filter(Boolean)")
    for target in labels:
        assert page.locator(f"#{target}").count() == 1, f"label for missing #{target}"

    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    toggle = page.locator(".nav-toggle")
    assert toggle.is_visible()
    assert not page.locator("nav#primary-nav a[data-nav=places]").is_visible()
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert page.locator("nav#primary-nav a[data-nav=places]").is_visible()
    context.close()
