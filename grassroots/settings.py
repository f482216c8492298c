"""Settings for the Grassroots Portal, read from the environment.

With nothing set, the portal runs for development on an SQLite file in the project folder.
With DJANGO_DEBUG off, the secret key and allowed hosts must come from the environment, or
start-up fails with ImproperlyConfigured rather than running on a guessable default.
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from grassroots.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", default=True)

# Only ever used with DEBUG on; production must supply its own key.
_DEV_SECRET_KEY = "django-insecure-dev-only-grassroots-portal"
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    SECRET_KEY = _DEV_SECRET_KEY
# A short or published key lets anyone forge sessions and password-reset links.
if not DEBUG and (len(SECRET_KEY) < 50 or SECRET_KEY == _DEV_SECRET_KEY):
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is too weak: use at least 50 random characters, never the "
        "development key."
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_ALLOWED_HOSTS must list the portal's host names when DJANGO_DEBUG is off."
        )
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", "testserver"]

INSTALLED_APPS = [
    # Django's admin with the portal's site (a Reports section): reports/site.py.
    "reports.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django_filters",
    "cases",
    "showcase",
    "dashboard",
    "exchange",
    "staff",
    "security",
    "audit",
    "reports.apps.ReportsConfig",
    # The demonstration data (fixtures/demo/) and `manage.py load_demo`.
    "demo",
]

MIDDLEWARE = [
    # First, so every response is logged with its request id: redirects and errors too.
    "grassroots.middleware.RequestIdMiddleware",
    # Every HTML page compressed for clients that accept gzip: outside everything that writes
    # the body or its headers (pages already compressed, as cached ones are, are left alone).
    "grassroots.middleware.HtmlGZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A view that meets an unreachable database is answered from the cache or with a 503.
    "grassroots.outage.OutageMiddleware",
    # Before CSRF: a POST to the read-only API is a JSON 405, not an HTML 403 page.
    "exchange.middleware.ReadOnlyApiMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: every change a request makes is recorded as its user's.
    "audit.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "grassroots.urls"
WSGI_APPLICATION = "grassroots.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "showcase.context_processors.portal",
                "grassroots.language.context",
            ],
        },
    },
]

# Database: DATABASE_URL selects PostgreSQL (postgres://...) through psycopg 3; without it, an
# SQLite file beside manage.py so a fresh clone needs no server.
_database_url = env_str("DATABASE_URL")
if _database_url:
    if not _database_url.startswith(("postgres://", "postgresql://", "sqlite:")):
        raise ImproperlyConfigured(
            "DATABASE_URL must be a postgres:// (or sqlite:) URL; got a different scheme."
        )
    DATABASES = {
        "default": dj_database_url.parse(
            _database_url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60)
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set; otherwise a table in the database. Either way every app
# server (and every worker) shares one cache, so a bumped generation key is seen everywhere.
# The table is created by `manage.py createcachetable` (./dev up and prod; tests do it
# themselves).
CACHE_TABLE = "portal_cache"
REDIS_URL = env_str("REDIS_URL")
# Every key this portal writes starts with the prefix, and clearing the cache removes only
# those keys: two portals (or two test runs) can share one Redis database.
CACHE_KEY_PREFIX = env_str("DJANGO_CACHE_KEY_PREFIX", "grassroots")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "grassroots.cache.PortalRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": CACHE_TABLE,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
# Cache figures and whole anonymous figure pages under the generation key (cases.figures.caching).
# Off (0) only to measure the uncached cost; ETags and 304s work either way.
PORTAL_FIGURE_CACHE = env_bool("PORTAL_FIGURE_CACHE", default=True)
# Seconds a shared cache in front of the app (deploy/nginx, a CDN) may serve an anonymous
# figure page before revalidating it with its ETag (cases.figures.caching).
PORTAL_SHARED_CACHE_SECONDS = env_int("PORTAL_SHARED_CACHE_SECONDS", 10)
# How many cases of a list (the case browser, the API's case list) can be reached page by page
# (cases.listing): deeper pages cost an OFFSET over most of the table; downloads give all.
PORTAL_LIST_DEPTH = 10_000
# The same for a text search: its count tests each case's text (cases.listing).
PORTAL_SEARCH_DEPTH = 1_000

# Paper of the reports (XLSX page setup, printable pages): "a4", "letter", or "auto" (A4 for a
# Japanese report, Letter for an English one). A report form or --paper can still choose.
PORTAL_REPORT_PAPER = env_str("PORTAL_REPORT_PAPER", "auto").strip().lower()
if PORTAL_REPORT_PAPER not in ("auto", "a4", "letter"):
    raise ImproperlyConfigured(
        f"PORTAL_REPORT_PAPER must be auto, a4 or letter, not {PORTAL_REPORT_PAPER!r}"
    )

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: the public site defaults to English; staff mostly work in Japanese.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ja", _("Japanese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
# One date style per language: "16 October 2024" (grassroots/formats/en), 2024年10月16日.
FORMAT_MODULE_PATH = ["grassroots.formats"]
# Timestamps (who changed what, when) are stored in UTC and shown in Tokyo time, where the
# task force sits. Case dates are plain dates: the local date of the event in the US.
USE_TZ = True
TIME_ZONE = "Asia/Tokyo"

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Where collectstatic writes and whitenoise serves from in production.
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "grassroots.static_storage.PortalStaticFilesStorage"
        )
    },
}

# In development whitenoise serves straight from the apps' and project's static folders.
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_USE_FINDERS = DEBUG
# Files with a content hash in their name get whitenoise's one-year immutable caching; the few
# reached under their plain name (favicon, files linked from outside) are cached for an hour,
# so a deploy that changes them reaches every browser within the hour.
WHITENOISE_MAX_AGE = 0 if DEBUG else 3600

# Uploaded files (showcase hero images).
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT") or BASE_DIR / "media")
# Images up to 5 MB; larger request bodies are refused before they reach a view.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# No page may be framed by another site, except the chart embed pages, which opt out.
X_FRAME_OPTIONS = "DENY"

# --- Security: Content Security Policy, TLS, cookies, sessions, login throttling -------------
# Content Security Policy on every response (django.middleware.csp). Pages carry no inline
# script or style: chart data travels as JSON (json_script) and static/js/charts.js draws it.
# plotly.js adds two <style> elements of its own, admitted by their hashes instead of
# 'unsafe-inline' (which would admit any injected style): an empty one it fills through the
# CSSOM (insertRule, which CSP does not govern), and one holding the fixed stylesheet of its
# bundled map library. tests/test_security.py recomputes the second hash from the served
# static/vendor/plotly/plotly.min.js, so upgrading plotly tells you when it changes.
_PLOTLY_STYLE_HASHES = [
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",  # the empty <style>
    "'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='",  # maplibre-gl's stylesheet
]
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, *_PLOTLY_STYLE_HASHES],
    # plotly.js clears some elements' style attribute (setAttribute("style", "")): admit
    # empty style attributes only, by the hash of the empty string.
    "style-src-attr": [CSP.UNSAFE_HASHES, _PLOTLY_STYLE_HASHES[0]],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
# Who may frame the chart embed pages (the one exception to frame-ancestors 'none'): any site
# by default, or a comma-separated list of origins such as https://example.org.
PORTAL_EMBED_FRAME_ANCESTORS = env_list("DJANGO_EMBED_FRAME_ANCESTORS") or ["*"]

# TLS. In production every request is redirected to https and browsers are told to use only
# https for a year (HSTS). DJANGO_SECURE_SSL_REDIRECT=0 runs production settings over plain
# http on a workstation. Behind a load balancer that ends TLS, name the header it sets
# (DJANGO_SECURE_PROXY_SSL_HEADER=X-Forwarded-Proto): only do so when the balancer always
# overwrites that header, or clients could claim https themselves.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers check health over plain http to the app server: answer them, not redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)
_proxy_ssl_header = env_str("DJANGO_SECURE_PROXY_SSL_HEADER")
if _proxy_ssl_header:
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + _proxy_ssl_header.upper().replace("-", "_"),
        "https",
    )
# Proxies in front of the app that append to X-Forwarded-For: the client address the login
# throttle counts is the one the outermost trusted proxy saw. 0: use REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Cookies: only over https in production, never readable by scripts, not sent on cross-site
# subrequests. Only the admin sets them (the public site is anonymous).
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# A staff session lasts a working day at most, and ends when the browser closes.
SESSION_COOKIE_AGE = 8 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Admin login throttling (security/throttle.py): after LIMIT failures within WINDOW seconds
# for one user name, or IP_LIMIT from one address, sign-in is refused for LOCKOUT seconds.
LOGIN_THROTTLE = {
    "LIMIT": 5,
    "IP_LIMIT": 20,
    "WINDOW": 15 * 60,
    "LOCKOUT": 15 * 60,
}

LOGIN_URL = "admin:login"

# One line per record on stderr (gunicorn and systemd/containers collect it), each with the id
# of the request it belongs to ("-" outside requests), so one request's lines can be found
# together. grassroots.request writes the access line (grassroots/middleware.py).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "grassroots.middleware.RequestIdFilter"}},
    "formatters": {
        "portal": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "portal",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}

# E-mail (the review queue's notifications, cases.notify), in Django 6.1's MAILERS form: SMTP
# (DJANGO_EMAIL_HOST, localhost without it) in production or whenever a host is set; printed
# to the console in development. Tests use locmem (the test runner swaps every mailer for it).
if env_str("DJANGO_EMAIL_HOST") or not DEBUG:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": env_str("DJANGO_EMAIL_HOST", "localhost"),
                "port": env_int("DJANGO_EMAIL_PORT", 587),
                "username": env_str("DJANGO_EMAIL_HOST_USER") or None,
                "password": env_str("DJANGO_EMAIL_HOST_PASSWORD") or None,
                "use_tls": env_bool("DJANGO_EMAIL_USE_TLS", default=True),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "Grassroots Portal <noreply@localhost>")
# The portal's address as people reach it, for links in e-mail.
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000")
