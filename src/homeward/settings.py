"""Django settings, read from ``HOMEWARD_*`` environment variables (see docs/configuration.md)."""

from __future__ import annotations

from pathlib import Path

import xstatic.pkg.leaflet

from homeward.core.environment import email_settings, read_environment

ENVIRONMENT = read_environment()
BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = ENVIRONMENT.data_dir

SECRET_KEY = ENVIRONMENT.secret_key
DEBUG = ENVIRONMENT.debug
ALLOWED_HOSTS = ENVIRONMENT.allowed_hosts
CSRF_TRUSTED_ORIGINS = ENVIRONMENT.csrf_trusted_origins

INSTALLED_APPS = [
    "homeward.core",
    "homeward.accounts",
    "homeward.places",
    "homeward.registry",
    "homeward.mineaction",
    "homeward.recovery",
    "homeward.returns",
    "homeward.cases",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "ninja",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "homeward.accounts.middleware.UserLanguageMiddleware",
    "homeward.accounts.middleware.StaffTwoFactorMiddleware",
    "homeward.core.middleware.RequestContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "homeward.urls"
WSGI_APPLICATION = "homeward.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "homeward.core.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": ENVIRONMENT.database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout after repeated failures (django-axes): per user name, so one office's shared IP
# does not lock out its colleagues.
AXES_FAILURE_LIMIT = ENVIRONMENT.lockout_attempts
AXES_COOLOFF_TIME = ENVIRONMENT.lockout_minutes / 60
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Deliberately per user name only (see above); the IP-rotation warning does not apply to that choice.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

HOMEWARD_REQUIRE_STAFF_2FA = ENVIRONMENT.require_staff_2fa
HOMEWARD_PLACE_NAME_ORDER = ENVIRONMENT.place_name_order
HOMEWARD_MAP_TILE_URL = ENVIRONMENT.map_tile_url
HOMEWARD_MAP_TILE_ATTRIBUTION = ENVIRONMENT.map_tile_attribution
HOMEWARD_MAP_BOUNDS = ENVIRONMENT.map_bounds
HOMEWARD_IMPORT_MAX_BYTES = ENVIRONMENT.import_max_mb * 1024 * 1024
HOMEWARD_IATI_REPORTING_ORG = ENVIRONMENT.iati_reporting_org
HOMEWARD_READINESS_CRITERIA = ENVIRONMENT.readiness_criteria
HOMEWARD_ENCRYPTION_KEYS = ENVIRONMENT.encryption_keys
HOMEWARD_LOOKUP_KEY = ENVIRONMENT.lookup_key
HOMEWARD_PHONE_REGION = ENVIRONMENT.phone_region
# Documents filed with applications: outside MEDIA_ROOT and STATIC_ROOT, served only by cases.document_views.
HOMEWARD_DOCUMENTS_DIR = ENVIRONMENT.documents_dir or DATA_DIR / "documents"
OTP_TOTP_ISSUER = "Homeward"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 60 * 60
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if ENVIRONMENT.production:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = ENVIRONMENT.default_language
LANGUAGES = [
    ("az", "Azərbaycanca"),
    ("hy", "Հայերեն"),
    ("ru", "Русский"),
    ("en", "English"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# Formats Django does not ship (Armenian), in homeward/formats/<language>/formats.py.
FORMAT_MODULE_PATH = ["homeward.formats"]
TIME_ZONE = ENVIRONMENT.time_zone
USE_TZ = True
LANGUAGE_COOKIE_NAME = "homeward_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve straight from the installed packages: a field laptop needs no collectstatic step.
WHITENOISE_USE_FINDERS = True
# Leaflet comes from the xstatic-leaflet package, never from a CDN.
STATICFILES_DIRS = [("leaflet", xstatic.pkg.leaflet.BASE_DIR)]
MEDIA_ROOT = DATA_DIR / "files"
# Uploads larger than this go to a temporary file and are streamed, never held in memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# Documents uploaded to casework are cut off one byte past HOMEWARD_DOCUMENT_MAX_BYTES as they stream in
# (and then refused as too large); other uploads pass untouched. It must come before Django's handlers.
FILE_UPLOAD_HANDLERS = [
    "homeward.cases.uploads.DocumentSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if ENVIRONMENT.tasks_immediate
            else "django_tasks_db.DatabaseBackend"
        ),
    }
}

DEFAULT_FROM_EMAIL = ENVIRONMENT.default_from_email
globals().update(email_settings(ENVIRONMENT.email_url, DATA_DIR))

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "loggers": {
        "homeward": {"handlers": ["console"], "level": ENVIRONMENT.log_level},
        "django.request": {"handlers": ["console"], "level": "WARNING"},
    },
}
