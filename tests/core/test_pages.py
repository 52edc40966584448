"""Pages render, show role-based navigation and dashboard counts, and keep their query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import PersonFactory, PlaceFactory


def nav_keys(html: str) -> set[str]:
    import re

    return set(re.findall(r'data-nav="([a-z_]+)"', html))


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("administrator", {"home", "places", "mineaction", "recovery", "readiness", "users", "audit"}),
        ("analyst", {"home", "places", "mineaction", "recovery", "readiness"}),
        ("caseworker_aghdam", {"home", "places", "persons", "casework"}),
        ("auditor", {"home", "places", "mineaction", "recovery", "readiness", "users", "audit"}),
        ("resident", {"home"}),
    ],
)
def test_navigation_follows_the_role(personas, as_user, persona, expected):
    html = as_user(getattr(personas, persona)).get("/").content.decode()
    assert nav_keys(html) == expected


def test_dashboard_shows_every_domain_card_a_role_may_see_with_zero_until_domains_land(personas, as_user):
    html = as_user(personas.auditor).get("/").content.decode()
    for domain in ("mineaction", "recovery", "returns", "cases", "aid", "places"):
        assert f'data-domain="{domain}"' in html
    assert 'data-domain="registry"' not in html


def test_dashboard_counts_are_scoped_to_the_users_districts(personas, as_user, world):
    for _ in range(3):
        PersonFactory(district=world.aghdam)
    PersonFactory(district=world.lachin)
    response = as_user(personas.caseworker_aghdam).get("/api/dashboard")
    registry = next(card for card in response.json() if card["domain"] == "registry")
    assert registry["figures"][0]["value"] == 3


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(path).status_code == 200
    return len(context.captured_queries)


def test_settlement_list_query_count_does_not_grow_with_rows(personas, as_user, world):
    client = as_user(personas.analyst)
    PlaceFactory(district=world.aghdam)
    few = _queries(client, "/places/")
    for _ in range(20):
        PlaceFactory(district=world.aghdam)
    assert _queries(client, "/places/") == few


def test_person_list_query_count_does_not_grow_with_rows(personas, as_user, world):
    client = as_user(personas.caseworker_aghdam)
    PersonFactory(district=world.aghdam)
    few = _queries(client, "/registry/persons/")
    for _ in range(20):
        PersonFactory(district=world.aghdam)
    assert _queries(client, "/registry/persons/") == few


def test_home_page_query_budget(personas, as_user):
    assert _queries(as_user(personas.supervisor), "/") <= 15


def test_no_page_loads_anything_from_another_site(personas, as_user):
    import re

    client = as_user(personas.administrator)
    for path in ("/", "/places/", "/audit/", "/accounts/tokens/", "/api/docs"):
        html = client.get(path).content.decode()
        external = re.findall(r'(?:src|href)="(https?:)?//', html)
        assert not external, (path, external)
