"""Deployment configuration read from ``HOMEWARD_*`` environment variables.

Pure functions over a mapping, so settings, the CLI and tests share one reading of the
environment. Every variable is listed in :data:`VARIABLES` and documented in
``docs/configuration.md``; a test keeps the two in step.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import dj_database_url
import phonenumbers
from cryptography.fernet import Fernet

DEVELOPMENT_SECRET_KEY = "homeward-development-key-not-for-production"  # noqa: S105
MIN_SECRET_KEY_LENGTH = 50
# Development keys for encrypted identifiers, derived from fixed phrases as the development secret key
# is: stable across runs and machines, public, and refused in production.
DEVELOPMENT_ENCRYPTION_KEY = base64.urlsafe_b64encode(
    hashlib.sha256(b"homeward-development-encryption-key-not-for-production").digest()
).decode("ascii")
DEVELOPMENT_LOOKUP_KEY = "homeward-development-lookup-key-not-for-production"
MIN_LOOKUP_KEY_LENGTH = 32
DEFAULT_PHONE_REGION = "AZ"
SUPPORTED_LANGUAGES = ("az", "hy", "ru", "en")


class ConfigurationError(Exception):
    """The environment describes a deployment Homeward refuses to run."""


@dataclass(frozen=True)
class Variable:
    name: str
    default: str
    meaning: str


VARIABLES: tuple[Variable, ...] = (
    Variable("HOMEWARD_ENV", "development", "`development` or `production`; production refuses unsafe settings."),
    Variable(
        "HOMEWARD_DATA_DIR",
        "`~/.local/share/homeward`",
        "Where the SQLite database, uploads, static files and logs live.",
    ),
    Variable(
        "HOMEWARD_DOCUMENTS_DIR",
        "`documents` in the data directory",
        "Where documents filed with applications are kept (owner-only files, served only after a scope "
        "check); must not be inside the uploads (`files`) or static directories of the data directory.",
    ),
    Variable(
        "HOMEWARD_DATABASE_URL",
        "SQLite file `homeward.sqlite3` in the data directory",
        "`sqlite:///PATH` or `postgresql://USER:PASSWORD@HOST:PORT/NAME` (psycopg 3).",
    ),
    Variable(
        "HOMEWARD_DATABASE_POOLER",
        "empty",
        "`transaction` when PostgreSQL is reached through a pooler in transaction mode (PgBouncer): "
        "statements are then not prepared on the server, which such a pooler may not carry over.",
    ),
    Variable(
        "HOMEWARD_SECRET_KEY", "a development key", "Signs sessions and tokens; production needs 50 or more characters."
    ),
    Variable(
        "HOMEWARD_ENCRYPTION_KEYS",
        "a development key",
        "Comma-separated Fernet keys for identifiers encrypted at rest: the first encrypts, all decrypt "
        "(`homeward keys generate`, `homeward keys rotate`); required in production.",
    ),
    Variable(
        "HOMEWARD_LOOKUP_KEY",
        "a development key",
        "Key of the keyed hashes used to find encrypted identifiers exactly; production needs 32 or more "
        "characters, different from the encryption keys.",
    ),
    Variable(
        "HOMEWARD_PHONE_REGION",
        "`AZ`",
        "Region (ISO 3166-1 alpha-2) of phone numbers written without a `+` country code.",
    ),
    Variable("HOMEWARD_DEBUG", "`false`", "`true` shows tracebacks; refused in production."),
    Variable("HOMEWARD_ALLOWED_HOSTS", "`127.0.0.1,localhost`", "Comma-separated host names the server answers to."),
    Variable(
        "HOMEWARD_CSRF_TRUSTED_ORIGINS",
        "empty",
        "Comma-separated origins (`https://homeward.example.org`) behind a TLS proxy.",
    ),
    Variable(
        "HOMEWARD_DEFAULT_LANGUAGE",
        "`en`",
        "Interface language when the browser asks for none we speak: `az`, `hy`, `ru` or `en`.",
    ),
    Variable("HOMEWARD_TIME_ZONE", "`Asia/Baku`", "Time zone for dates shown to users and for deadlines."),
    Variable(
        "HOMEWARD_REQUIRE_STAFF_2FA",
        "`true` in production, else `false`",
        "Staff must enrol and use a TOTP authenticator.",
    ),
    Variable("HOMEWARD_LOCKOUT_ATTEMPTS", "`5`", "Failed logins for one user name before the account is locked."),
    Variable("HOMEWARD_LOCKOUT_MINUTES", "`30`", "How long a lockout lasts."),
    Variable(
        "HOMEWARD_EMAIL_URL",
        "`console:`",
        "`smtp://user:pass@host:port` (add `?tls=1`), `console:` or `file:`(writes to data dir).",
    ),
    Variable("HOMEWARD_DEFAULT_FROM_EMAIL", "`homeward@localhost`", "Sender of password-reset mail."),
    Variable(
        "HOMEWARD_TASKS_IMMEDIATE",
        "`true` on SQLite, `false` on PostgreSQL",
        "Run background tasks in-process instead of on workers.",
    ),
    Variable("HOMEWARD_LOG_LEVEL", "`INFO`", "Log level of the `homeward` loggers."),
    Variable(
        "HOMEWARD_PLACE_NAME_ORDER",
        "`az,hy,ru,en`",
        "Which language's official place name shows first when the user's own language has none.",
    ),
    Variable(
        "HOMEWARD_MAP_TILE_URL",
        "empty (no tiles)",
        "A tile server template such as `https://tiles.example.org/{z}/{x}/{y}.png`; maps work without one.",
    ),
    Variable("HOMEWARD_MAP_TILE_ATTRIBUTION", "empty", "Attribution shown under the map when tiles are used."),
    Variable(
        "HOMEWARD_MAP_BOUNDS",
        "the extent of the gazetteer",
        "`min_lon,min_lat,max_lon,max_lat`: geometry far outside it (50 km margin) is refused on import.",
    ),
    Variable("HOMEWARD_IMPORT_MAX_MB", "`500`", "Largest file accepted by imports and the upload page, in MB."),
    Variable(
        "HOMEWARD_READINESS_CRITERIA",
        "the built-in criteria",
        "A TOML file of readiness criteria, thresholds and weights (see docs/readiness.md).",
    ),
    Variable(
        "HOMEWARD_IATI_REPORTING_ORG",
        "empty (IATI export refused)",
        "The IATI publisher: `REF|Name|kind`, e.g. `XM-DAC-41114|Ministry of Reconstruction|government`.",
    ),
)


def _flag(value: str | None, default: bool, name: str) -> bool:
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name} must be true or false, not {value!r}")


def _positive_int(value: str | None, default: int, name: str) -> int:
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {value!r}") from None
    if number <= 0:
        raise ConfigurationError(f"{name} must be positive, not {number}")
    return number


def _csv(value: str | None, default: list[str]) -> list[str]:
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


@dataclass(frozen=True)
class Environment:
    """The validated deployment settings."""

    production: bool
    data_dir: Path
    database: dict[str, Any]
    secret_key: str
    debug: bool
    allowed_hosts: list[str]
    csrf_trusted_origins: list[str]
    default_language: str
    time_zone: str
    require_staff_2fa: bool
    lockout_attempts: int
    lockout_minutes: int
    email_url: str
    default_from_email: str
    tasks_immediate: bool
    log_level: str
    place_name_order: tuple[str, ...] = SUPPORTED_LANGUAGES
    map_tile_url: str = ""
    map_tile_attribution: str = ""
    map_bounds: tuple[float, float, float, float] | None = None
    import_max_mb: int = 500
    iati_reporting_org: dict[str, str] | None = None
    readiness_criteria: str = ""
    encryption_keys: tuple[str, ...] = (DEVELOPMENT_ENCRYPTION_KEY,)
    lookup_key: str = DEVELOPMENT_LOOKUP_KEY
    phone_region: str = DEFAULT_PHONE_REGION
    documents_dir: Path | None = None

    @property
    def is_sqlite(self) -> bool:
        return str(self.database["ENGINE"]).endswith("sqlite3")


def default_data_dir(env: Mapping[str, str]) -> Path:
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "homeward"


PREPARE_THRESHOLD = 5
"""psycopg prepares a statement on the server once it has run this many times on a connection."""


def database_settings(url: str, *, transaction_pooler: bool = False) -> dict[str, Any]:
    """Translate a database URL into a Django ``DATABASES`` entry.

    SQLite runs in WAL mode with a busy timeout and immediate transactions, so a web server
    and a task worker on one laptop do not fail with "database is locked".

    PostgreSQL binds parameters on the server (``server_side_binding``: the statement text is the
    same for every value, so it can be prepared) and psycopg prepares a statement once it has run
    :data:`PREPARE_THRESHOLD` times on a connection, so it is not planned afresh each time. Behind a
    pooler in transaction mode (``transaction_pooler``) a connection's prepared statements may be on
    another server connection at the next transaction, so nothing is prepared; binding on the server
    is still safe there (each statement is parsed and run in one go).
    """
    scheme = urlsplit(url).scheme
    if scheme in {"postgres", "postgresql", "pgsql"}:
        config = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
        options: dict[str, Any] = {
            "connect_timeout": 5,
            "server_side_binding": True,
            "prepare_threshold": None if transaction_pooler else PREPARE_THRESHOLD,
        }
        config["OPTIONS"] = options
        return config
    if scheme == "sqlite":
        config = dict(dj_database_url.parse(url))
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        }
        return config
    raise ConfigurationError(f"HOMEWARD_DATABASE_URL must start with sqlite:// or postgresql://, not {scheme or url!r}")


def _place_name_order(value: str | None) -> tuple[str, ...]:
    order = _csv(value, list(SUPPORTED_LANGUAGES))
    unknown = [code for code in order if code not in (*SUPPORTED_LANGUAGES, "other")]
    if unknown:
        raise ConfigurationError(
            f"HOMEWARD_PLACE_NAME_ORDER lists unknown languages: {', '.join(unknown)} "
            f"(known: {', '.join(SUPPORTED_LANGUAGES)}, other)"
        )
    return tuple(order)


def _map_bounds(value: str | None) -> tuple[float, float, float, float] | None:
    if value is None or value.strip() == "":
        return None
    parts = _csv(value, [])
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        numbers = []
    if len(numbers) != 4:
        raise ConfigurationError(f"HOMEWARD_MAP_BOUNDS must be min_lon,min_lat,max_lon,max_lat, not {value!r}")
    min_lon, min_lat, max_lon, max_lat = numbers
    if not (-180 <= min_lon < max_lon <= 180 and -90 <= min_lat < max_lat <= 90):
        raise ConfigurationError(f"HOMEWARD_MAP_BOUNDS must have min < max within -180..180 and -90..90, not {value!r}")
    return (min_lon, min_lat, max_lon, max_lat)


def _iati_reporting_org(value: str | None) -> dict[str, str] | None:
    if value is None or value.strip() == "":
        return None
    parts = [part.strip() for part in value.split("|")]
    if len(parts) not in (2, 3) or not all(parts[:2]):
        raise ConfigurationError(f"HOMEWARD_IATI_REPORTING_ORG must be REF|Name or REF|Name|kind, not {value!r}")
    return {"ref": parts[0], "name": parts[1], "kind": parts[2] if len(parts) == 3 else ""}


def _encryption_keys(value: str | None) -> tuple[str, ...]:
    keys = _csv(value, [DEVELOPMENT_ENCRYPTION_KEY])
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key.encode("ascii"))
        except ValueError:  # also a key that is not ASCII, or not base64
            raise ConfigurationError(
                f"HOMEWARD_ENCRYPTION_KEYS: key {position} is not a Fernet key "
                "(32 url-safe base64-encoded bytes; `homeward keys generate` prints one)"
            ) from None
    if len(set(keys)) != len(keys):
        raise ConfigurationError("HOMEWARD_ENCRYPTION_KEYS lists the same key twice")
    return tuple(keys)


def _phone_region(value: str | None) -> str:
    region = (value or DEFAULT_PHONE_REGION).strip().upper() or DEFAULT_PHONE_REGION
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ConfigurationError(f"HOMEWARD_PHONE_REGION must be a two-letter region such as AZ, not {value!r}")
    return region


# The data directory's folders the web server may serve (settings.MEDIA_ROOT and STATIC_ROOT).
SERVED_DATA_FOLDERS = ("files", "static")


def _documents_dir(value: str | None, data_dir: Path) -> Path:
    directory = Path(value).expanduser() if value and value.strip() else data_dir / "documents"
    resolved = directory.resolve()
    for folder in SERVED_DATA_FOLDERS:
        served = (data_dir / folder).resolve()
        if resolved == served or resolved.is_relative_to(served):
            raise ConfigurationError(
                f"HOMEWARD_DOCUMENTS_DIR must not be inside {served}: documents would be reachable without a "
                "scope check"
            )
    return directory


def read_environment(env: Mapping[str, str] | None = None) -> Environment:
    """Read and validate the ``HOMEWARD_*`` variables; raise :class:`ConfigurationError`."""
    env = os.environ if env is None else env
    mode = env.get("HOMEWARD_ENV", "development").strip().lower() or "development"
    if mode not in {"development", "production"}:
        raise ConfigurationError(f"HOMEWARD_ENV must be development or production, not {mode!r}")
    production = mode == "production"

    data_dir = Path(env.get("HOMEWARD_DATA_DIR") or default_data_dir(env)).expanduser()
    url = env.get("HOMEWARD_DATABASE_URL") or f"sqlite:///{data_dir / 'homeward.sqlite3'}"
    pooler = env.get("HOMEWARD_DATABASE_POOLER", "").strip().lower()
    if pooler not in {"", "session", "transaction"}:
        raise ConfigurationError(f"HOMEWARD_DATABASE_POOLER must be empty, session or transaction, not {pooler!r}")
    database = database_settings(url, transaction_pooler=pooler == "transaction")

    language = env.get("HOMEWARD_DEFAULT_LANGUAGE", "en").strip() or "en"
    if language not in SUPPORTED_LANGUAGES:
        raise ConfigurationError(
            f"HOMEWARD_DEFAULT_LANGUAGE must be one of {', '.join(SUPPORTED_LANGUAGES)}, not {language!r}"
        )

    result = Environment(
        production=production,
        data_dir=data_dir,
        database=database,
        secret_key=env.get("HOMEWARD_SECRET_KEY") or DEVELOPMENT_SECRET_KEY,
        debug=_flag(env.get("HOMEWARD_DEBUG"), False, "HOMEWARD_DEBUG"),
        allowed_hosts=_csv(env.get("HOMEWARD_ALLOWED_HOSTS"), ["127.0.0.1", "localhost", "[::1]"]),
        csrf_trusted_origins=_csv(env.get("HOMEWARD_CSRF_TRUSTED_ORIGINS"), []),
        default_language=language,
        time_zone=env.get("HOMEWARD_TIME_ZONE", "Asia/Baku") or "Asia/Baku",
        require_staff_2fa=_flag(env.get("HOMEWARD_REQUIRE_STAFF_2FA"), production, "HOMEWARD_REQUIRE_STAFF_2FA"),
        lockout_attempts=_positive_int(env.get("HOMEWARD_LOCKOUT_ATTEMPTS"), 5, "HOMEWARD_LOCKOUT_ATTEMPTS"),
        lockout_minutes=_positive_int(env.get("HOMEWARD_LOCKOUT_MINUTES"), 30, "HOMEWARD_LOCKOUT_MINUTES"),
        email_url=env.get("HOMEWARD_EMAIL_URL", "console:") or "console:",
        default_from_email=env.get("HOMEWARD_DEFAULT_FROM_EMAIL", "homeward@localhost") or "homeward@localhost",
        tasks_immediate=False,
        log_level=(env.get("HOMEWARD_LOG_LEVEL", "INFO") or "INFO").upper(),
        place_name_order=_place_name_order(env.get("HOMEWARD_PLACE_NAME_ORDER")),
        map_tile_url=(env.get("HOMEWARD_MAP_TILE_URL") or "").strip(),
        map_tile_attribution=(env.get("HOMEWARD_MAP_TILE_ATTRIBUTION") or "").strip(),
        map_bounds=_map_bounds(env.get("HOMEWARD_MAP_BOUNDS")),
        import_max_mb=_positive_int(env.get("HOMEWARD_IMPORT_MAX_MB"), 500, "HOMEWARD_IMPORT_MAX_MB"),
        iati_reporting_org=_iati_reporting_org(env.get("HOMEWARD_IATI_REPORTING_ORG")),
        readiness_criteria=(env.get("HOMEWARD_READINESS_CRITERIA") or "").strip(),
        encryption_keys=_encryption_keys(env.get("HOMEWARD_ENCRYPTION_KEYS")),
        lookup_key=(env.get("HOMEWARD_LOOKUP_KEY") or "").strip() or DEVELOPMENT_LOOKUP_KEY,
        phone_region=_phone_region(env.get("HOMEWARD_PHONE_REGION")),
        documents_dir=_documents_dir(env.get("HOMEWARD_DOCUMENTS_DIR"), data_dir),
    )
    tasks_immediate = _flag(env.get("HOMEWARD_TASKS_IMMEDIATE"), result.is_sqlite, "HOMEWARD_TASKS_IMMEDIATE")
    object.__setattr__(result, "tasks_immediate", tasks_immediate)
    if production:
        check_production(result)
    return result


def check_production(environment: Environment) -> None:
    """Refuse a production deployment with debug on, a weak secret key, development encryption or
    lookup keys, or SQLite."""
    problems = []
    if environment.debug:
        problems.append("HOMEWARD_DEBUG is on")
    if environment.secret_key == DEVELOPMENT_SECRET_KEY:
        problems.append("HOMEWARD_SECRET_KEY is not set (the development key is in use)")
    elif len(environment.secret_key) < MIN_SECRET_KEY_LENGTH:
        problems.append(
            f"HOMEWARD_SECRET_KEY is {len(environment.secret_key)} characters; at least {MIN_SECRET_KEY_LENGTH} are needed"
        )
    if DEVELOPMENT_ENCRYPTION_KEY in environment.encryption_keys:
        problems.append("HOMEWARD_ENCRYPTION_KEYS is not set (the development key is in use)")
    if environment.lookup_key == DEVELOPMENT_LOOKUP_KEY:
        problems.append("HOMEWARD_LOOKUP_KEY is not set (the development key is in use)")
    elif len(environment.lookup_key) < MIN_LOOKUP_KEY_LENGTH:
        problems.append(
            f"HOMEWARD_LOOKUP_KEY is {len(environment.lookup_key)} characters; at least {MIN_LOOKUP_KEY_LENGTH} are needed"
        )
    elif environment.lookup_key in environment.encryption_keys:
        problems.append("HOMEWARD_LOOKUP_KEY must differ from the HOMEWARD_ENCRYPTION_KEYS")
    if environment.is_sqlite:
        problems.append("HOMEWARD_DATABASE_URL points at SQLite; production needs PostgreSQL")
    if problems:
        raise ConfigurationError("refusing to start in production: " + "; ".join(problems))


def email_settings(url: str, data_dir: Path) -> dict[str, Any]:
    """Translate ``HOMEWARD_EMAIL_URL`` into Django e-mail settings."""
    parts = urlsplit(url)
    if parts.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if parts.scheme == "file":
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(data_dir / "mail"),
        }
    if parts.scheme in {"smtp", "smtps"}:
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname or "localhost",
            "EMAIL_PORT": parts.port or (465 if parts.scheme == "smtps" else 25),
            "EMAIL_HOST_USER": parts.username or "",
            "EMAIL_HOST_PASSWORD": parts.password or "",
            "EMAIL_USE_SSL": parts.scheme == "smtps",
            "EMAIL_USE_TLS": "tls=1" in parts.query,
        }
    raise ConfigurationError(f"HOMEWARD_EMAIL_URL must be console:, file: or smtp://…, not {url!r}")
