from pathlib import Path

import pytest

from homeward.core.environment import (
    DEVELOPMENT_SECRET_KEY,
    PREPARE_THRESHOLD,
    VARIABLES,
    ConfigurationError,
    read_environment,
)

GOOD_KEY = "k" * 64
POSTGRES = "postgresql://homeward@db.internal:5432/homeward"
# Production also needs its own encryption and lookup keys (tests/core/test_crypto.py checks them).
PRODUCTION_KEYS = {
    "HOMEWARD_ENCRYPTION_KEYS": "0PLs4aaRBhKQgqy0e3w3pBSh7aVQwLnR6Tn5iLCp5Gk=",
    "HOMEWARD_LOOKUP_KEY": "l" * 48,
}


def test_default_database_is_sqlite_in_the_data_dir_with_wal_and_busy_timeout(tmp_path):
    environment = read_environment({"HOMEWARD_DATA_DIR": str(tmp_path)})
    database = environment.database
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(database["NAME"]) == tmp_path / "homeward.sqlite3"
    assert "journal_mode=WAL" in database["OPTIONS"]["init_command"]
    assert database["OPTIONS"]["timeout"] >= 5
    assert environment.tasks_immediate is True


def test_postgres_url_selects_psycopg_and_queues_tasks_for_workers():
    environment = read_environment({"HOMEWARD_DATABASE_URL": POSTGRES})
    assert environment.database["ENGINE"] == "django.db.backends.postgresql"
    assert environment.database["HOST"] == "db.internal"
    assert environment.tasks_immediate is False


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"HOMEWARD_DEBUG": "true"}, "HOMEWARD_DEBUG is on"),
        ({"HOMEWARD_SECRET_KEY": ""}, "HOMEWARD_SECRET_KEY is not set"),
        ({"HOMEWARD_SECRET_KEY": "short-key"}, "HOMEWARD_SECRET_KEY is 9 characters"),
        ({"HOMEWARD_DATABASE_URL": "sqlite:///tmp/x.sqlite3"}, "points at SQLite"),
    ],
)
def test_production_refuses_unsafe_settings_and_says_which(overrides, named):
    env = {
        "HOMEWARD_ENV": "production",
        "HOMEWARD_SECRET_KEY": GOOD_KEY,
        "HOMEWARD_DATABASE_URL": POSTGRES,
        **PRODUCTION_KEYS,
    }
    env.update(overrides)
    with pytest.raises(ConfigurationError, match=named):
        read_environment(env)


def test_production_lists_every_problem_at_once():
    with pytest.raises(ConfigurationError) as error:
        read_environment({"HOMEWARD_ENV": "production", "HOMEWARD_DEBUG": "1"})
    message = str(error.value)
    assert "HOMEWARD_DEBUG" in message
    assert "HOMEWARD_SECRET_KEY" in message
    assert "SQLite" in message


def test_safe_production_settings_are_accepted():
    environment = read_environment(
        {
            "HOMEWARD_ENV": "production",
            "HOMEWARD_SECRET_KEY": GOOD_KEY,
            "HOMEWARD_DATABASE_URL": POSTGRES,
            **PRODUCTION_KEYS,
        }
    )
    assert environment.production
    assert environment.require_staff_2fa is True
    assert environment.secret_key != DEVELOPMENT_SECRET_KEY


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"HOMEWARD_DATABASE_URL": "mysql://root@localhost/x"}, "HOMEWARD_DATABASE_URL"),
        ({"HOMEWARD_DEBUG": "perhaps"}, "HOMEWARD_DEBUG"),
        ({"HOMEWARD_ENV": "staging"}, "HOMEWARD_ENV"),
        ({"HOMEWARD_DEFAULT_LANGUAGE": "fr"}, "HOMEWARD_DEFAULT_LANGUAGE"),
        ({"HOMEWARD_LOCKOUT_ATTEMPTS": "0"}, "HOMEWARD_LOCKOUT_ATTEMPTS"),
        ({"HOMEWARD_LOCKOUT_MINUTES": "ten"}, "HOMEWARD_LOCKOUT_MINUTES"),
        ({"HOMEWARD_PLACE_NAME_ORDER": "az,fr"}, "HOMEWARD_PLACE_NAME_ORDER"),
        ({"HOMEWARD_MAP_BOUNDS": "44,38,47"}, "HOMEWARD_MAP_BOUNDS"),
        ({"HOMEWARD_MAP_BOUNDS": "47,38,44,40"}, "HOMEWARD_MAP_BOUNDS"),
        ({"HOMEWARD_IMPORT_MAX_MB": "-5"}, "HOMEWARD_IMPORT_MAX_MB"),
    ],
)
def test_bad_values_are_refused_naming_the_variable(env, named):
    with pytest.raises(ConfigurationError, match=named):
        read_environment(env)


def test_every_variable_is_documented_in_the_configuration_table():
    table = (Path(__file__).resolve().parents[2] / "docs" / "configuration.md").read_text(encoding="utf-8")
    for variable in VARIABLES:
        assert f"`{variable.name}`" in table, variable.name


@pytest.mark.django_db
def test_the_sqlite_connection_really_runs_in_wal_mode_with_foreign_keys(tmp_path):
    from django.db.backends.sqlite3.base import DatabaseWrapper

    settings_dict = read_environment({"HOMEWARD_DATA_DIR": str(tmp_path)}).database
    settings_dict.update({"TIME_ZONE": None, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": False, "AUTOCOMMIT": True})
    wrapper = DatabaseWrapper(settings_dict)
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            assert cursor.fetchone()[0] == "wal"
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone()[0] == 1
            cursor.execute("PRAGMA busy_timeout")
            assert cursor.fetchone()[0] == 20000
    finally:
        wrapper.close()


def test_map_and_place_name_settings_are_read():
    environment = read_environment(
        {
            "HOMEWARD_MAP_BOUNDS": "44.5, 38.8, 47.5, 40.5",
            "HOMEWARD_PLACE_NAME_ORDER": "en,az",
            "HOMEWARD_IMPORT_MAX_MB": "50",
        }
    )
    assert environment.map_bounds == (44.5, 38.8, 47.5, 40.5)
    assert environment.place_name_order == ("en", "az")
    assert environment.import_max_mb == 50


def test_postgres_binds_parameters_on_the_server_and_prepares_repeated_statements():
    options = read_environment({"HOMEWARD_DATABASE_URL": POSTGRES}).database["OPTIONS"]
    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] == PREPARE_THRESHOLD


def test_behind_a_transaction_pooler_nothing_is_prepared():
    env = {"HOMEWARD_DATABASE_URL": POSTGRES, "HOMEWARD_DATABASE_POOLER": "transaction"}
    options = read_environment(env).database["OPTIONS"]
    assert options["server_side_binding"] is True
    assert options["prepare_threshold"] is None
    with pytest.raises(ConfigurationError, match="HOMEWARD_DATABASE_POOLER"):
        read_environment({**env, "HOMEWARD_DATABASE_POOLER": "statement"})
