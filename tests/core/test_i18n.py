import re

import pytest
from babel.messages.pofile import read_po
from django.test import Client

from homeward.core.catalogues import LOCALE_DIR, compiled_is_current, extract

PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
SAME_IN_EVERY_LANGUAGE = {"API", "#", "Homeward", "Homeward API", "ISO 3166-2", "GeoNames"}
# Words that are spelled as in English in that language, checked by a translator.
SAME_AS_ENGLISH = {"az": {"Auditor", "km"}, "hy": set(), "ru": set()}


def _catalogue(language: str):
    with (LOCALE_DIR / language / "LC_MESSAGES" / "django.po").open("rb") as handle:
        return read_po(handle, locale=language)


def test_compiled_catalogues_match_their_sources():
    assert compiled_is_current() == []


def test_catalogues_contain_every_string_in_the_code():
    wanted = {message.id if isinstance(message.id, str) else message.id[0] for message in extract() if message.id}
    for language in ("az", "hy", "ru"):
        present = {m.id if isinstance(m.id, str) else m.id[0] for m in _catalogue(language) if m.id}
        missing = wanted - present
        assert not missing, f"{language}: run `homeward messages extract`; missing {sorted(missing)[:5]}"


@pytest.mark.parametrize("language", ["az", "hy", "ru"])
def test_every_string_is_really_translated(language):
    for message in _catalogue(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"{language}: untranslated {ids[0]!r}"
        if ids[0] not in SAME_IN_EVERY_LANGUAGE | SAME_AS_ENGLISH[language]:
            assert strings[0] != ids[0], f"{language}: English copy {ids[0]!r}"
        expected = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == expected, f"{language}: placeholders of {ids[0]!r}"


@pytest.mark.parametrize(
    ("accept", "expected_lang", "expected_text"),
    [
        ("az", "az", "Daxil ol"),
        ("hy", "hy", None),
        ("ru-RU,ru;q=0.9", "ru", None),
        ("en-GB", "en", "Log in"),
    ],
)
def test_login_page_speaks_the_browsers_language(db, accept, expected_lang, expected_text):
    html = Client(HTTP_ACCEPT_LANGUAGE=accept).get("/accounts/login/").content.decode()
    assert f'<html lang="{expected_lang}"' in html
    if expected_text:
        assert expected_text in html


def test_an_unsupported_language_falls_back_without_error(db, settings):
    response = Client(HTTP_ACCEPT_LANGUAGE="fr-FR,de;q=0.8").get("/accounts/login/")
    assert response.status_code == 200
    assert f'<html lang="{settings.LANGUAGE_CODE}"' in response.content.decode()


def test_a_garbled_language_header_falls_back_without_error(db):
    assert Client(HTTP_ACCEPT_LANGUAGE=";;q=abc,,*").get("/accounts/login/").status_code == 200


def test_the_switcher_remembers_the_choice_for_the_user(personas, as_user):
    client = as_user(personas.planner)
    client.post("/accounts/language/", {"language": "hy", "next": "/"})
    personas.planner.refresh_from_db()
    assert personas.planner.preferred_language == "hy"
    assert '<html lang="hy"' in client.get("/").content.decode()


def test_the_switcher_ignores_a_language_we_do_not_speak(personas, as_user):
    client = as_user(personas.planner)
    response = client.post("/accounts/language/", {"language": "xx", "next": "/"})
    assert response.status_code == 302
    personas.planner.refresh_from_db()
    assert personas.planner.preferred_language == ""
