"""Security hardening: response headers, production settings, admin login throttling,
password rules, upload checks and error pages that give nothing away."""

import datetime
import io
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, SuspiciousOperation, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.http import Http404
from django.test import Client, override_settings
from django.urls import path
from django.utils import timezone

from grassroots import urls as site_urls
from security import throttle
from security.csp import csp_hash, plotly_style_hashes
from security.models import LoginFailure
from showcase.models import HERO_MAX_BYTES, validate_hero_size, validate_hero_type

PROJECT = Path(__file__).resolve().parent.parent
PASSWORD = "correct horse battery staple 42"
LOGIN = "/en/admin/login/"
PLOTLY_STYLE_HASHES = [
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    "'sha256-ji27qzEtxXZW+7dun6UwjHXJ18e6WAin1VvNtkzIE/o='",
]


def parse_csp(header: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as {directive: [sources]}."""
    policy = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            policy[words[0]] = words[1:]
    return policy


def production_env(**extra) -> dict[str, str]:
    """The environment of a production server: debug off, a strong random key, real hosts,
    and none of this machine's DJANGO_/DATABASE_/REDIS_ variables."""
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))
    }
    environ.update(
        DJANGO_SETTINGS_MODULE="grassroots.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(64),
        DJANGO_ALLOWED_HOSTS="portal.example.org",
    )
    environ.update(extra)
    return environ


def run_python(code: str, environ: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
    )


PRODUCTION_NAMES = [
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "CSRF_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SAMESITE",
    "SESSION_COOKIE_AGE",
    "SESSION_EXPIRE_AT_BROWSER_CLOSE",
    "SECURE_REFERRER_POLICY",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "X_FRAME_OPTIONS",
]


def production_settings(**extra) -> dict:
    """The security settings as grassroots/settings.py computes them in production."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n, None) for n in {PRODUCTION_NAMES!r}}}))"
    )
    result = run_python(code, production_env(**extra))
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    if values["SECURE_PROXY_SSL_HEADER"] is not None:
        values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Dozens of sign-in attempts: hash with MD5 here (never in production) to keep them fast."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def chief(make_staff):
    """The staff member whose sign-ins these tests make: an HQ editor (signing in and the
    throttle treat every account alike)."""
    return make_staff("chief", "hq", password=PASSWORD)


# --- Content Security Policy and other headers ------------------------------------------------


class TestContentSecurityPolicy:
    STRICT = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }

    def assert_strict(self, response):
        header = response.headers["Content-Security-Policy"]
        policy = parse_csp(header)
        for directive, sources in self.STRICT.items():
            assert policy.get(directive) == sources, directive
        assert "'unsafe-inline'" not in header
        assert "'unsafe-eval'" not in header
        # Styles from our own files, plus only plotly.js's own two <style> elements.
        assert policy["style-src"] == ["'self'", *PLOTLY_STYLE_HASHES]
        # Style attributes: only empty ones (plotly.js clears some), by hash.
        assert policy["style-src-attr"] == ["'unsafe-hashes'", PLOTLY_STYLE_HASHES[0]]

    @pytest.mark.django_db
    @pytest.mark.parametrize("url", ["/en/", "/ja/", "/en/showcase/", "/en/cases/"])
    def test_public_pages_carry_the_strict_policy(self, client, url):
        response = client.get(url)
        assert response.status_code == 200
        self.assert_strict(response)

    @pytest.mark.django_db
    def test_the_dashboard_carries_the_strict_policy(self, client):
        response = client.get("/en/dashboard/")
        assert response.status_code == 200
        self.assert_strict(response)

    @pytest.mark.django_db
    def test_the_admin_login_and_admin_pages_carry_the_strict_policy(self, client, chief):
        self.assert_strict(client.get(LOGIN))
        client.force_login(chief)
        for url in ("/en/admin/", "/en/admin/cases/case/", "/en/admin/cases/case/add/"):
            response = client.get(url)
            assert response.status_code == 200, url
            self.assert_strict(response)

    @pytest.mark.django_db
    def test_not_found_pages_carry_the_policy_too(self, client):
        response = client.get("/en/no-such-page/")
        assert response.status_code == 404
        self.assert_strict(response)

    @pytest.mark.django_db
    def test_the_embed_page_may_be_framed_by_any_site_by_default(self, client):
        response = client.get("/en/dashboard/embed/region/")
        assert response.status_code == 200
        policy = parse_csp(response.headers["Content-Security-Policy"])
        assert policy["frame-ancestors"] == ["*"]
        assert "X-Frame-Options" not in response.headers
        # Everything else stays as strict as on every other page.
        for directive in ("script-src", "object-src", "base-uri", "default-src"):
            assert policy[directive] == self.STRICT[directive]

    @pytest.mark.django_db
    def test_the_embed_page_can_be_limited_to_listed_sites(self, client, settings):
        settings.PORTAL_EMBED_FRAME_ANCESTORS = ["https://partner.example.org"]
        response = client.get("/en/dashboard/embed/region/")
        policy = parse_csp(response.headers["Content-Security-Policy"])
        assert policy["frame-ancestors"] == ["https://partner.example.org"]

    @pytest.mark.django_db
    def test_an_unknown_embed_chart_is_a_404_that_may_not_be_framed(self, client):
        response = client.get("/en/dashboard/embed/no-such-chart/")
        assert response.status_code == 404
        assert parse_csp(response.headers["Content-Security-Policy"])["frame-ancestors"] == [
            "'none'"
        ]


def test_the_style_hashes_match_the_served_plotly():
    """plotly.min.js writes fixed stylesheets into <style> elements; the policy admits exactly
    those by hash. A plotly upgrade that changes them fails here, not only in a browser."""
    script = (PROJECT / "static" / "vendor" / "plotly" / "plotly.min.js").read_text(
        encoding="utf-8"
    )
    assert plotly_style_hashes(script) == PLOTLY_STYLE_HASHES


def test_the_style_hash_admits_only_its_own_text():
    assert csp_hash("") == PLOTLY_STYLE_HASHES[0]
    assert csp_hash("body{background:url(//evil.example/x)}") not in PLOTLY_STYLE_HASHES


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/en/", "/en/dashboard/", LOGIN])
def test_pages_refuse_framing_sniffing_and_leaking_the_referrer(client, url):
    response = client.get(url)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"


# --- Production settings ----------------------------------------------------------------------


class TestProductionSettings:
    def test_check_deploy_reports_nothing(self):
        """The same command CI runs: `manage.py check --deploy --fail-level WARNING`."""
        result = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=PROJECT,
            env=production_env(),
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert "System check identified no issues (0 silenced)." in result.stdout
        assert "WARNING" not in result.stdout + result.stderr

    def test_check_deploy_would_notice_a_missing_hsts_setting(self):
        """The check above can fail: turning HSTS off in production makes it complain."""
        result = subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            cwd=PROJECT,
            env=production_env(DJANGO_SECURE_HSTS_SECONDS="0"),
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode != 0
        assert "security.W004" in result.stdout + result.stderr

    @pytest.mark.parametrize(
        "key",
        ["short-but-random-3f9a8b7c", "django-insecure-dev-only-grassroots-portal"],
        ids=["short", "development key"],
    )
    def test_a_weak_secret_key_stops_production_start_up(self, key):
        result = run_python("import django; django.setup()", production_env(DJANGO_SECRET_KEY=key))
        assert result.returncode != 0
        assert "ImproperlyConfigured" in result.stderr
        assert "DJANGO_SECRET_KEY is too weak" in result.stderr

    def test_production_values(self):
        values = production_settings()
        assert values["SECURE_SSL_REDIRECT"] is True
        assert values["SECURE_HSTS_SECONDS"] == 365 * 24 * 3600
        assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
        assert values["SECURE_HSTS_PRELOAD"] is True
        assert values["SESSION_COOKIE_SECURE"] is True
        assert values["CSRF_COOKIE_SECURE"] is True
        assert values["SESSION_COOKIE_AGE"] == 8 * 3600
        assert values["SESSION_EXPIRE_AT_BROWSER_CLOSE"] is True
        assert values["SECURE_PROXY_SSL_HEADER"] is None

    def test_redirect_can_be_turned_off_and_a_proxy_header_trusted(self):
        values = production_settings(
            DJANGO_SECURE_SSL_REDIRECT="0",
            DJANGO_SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
            DJANGO_SECURE_HSTS_PRELOAD="0",
        )
        assert values["SECURE_SSL_REDIRECT"] is False
        assert values["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
        assert values["SECURE_HSTS_PRELOAD"] is False


@pytest.fixture(scope="class")
def production():
    """The production security settings, computed once per class by the real settings module."""
    return production_settings()


@pytest.mark.django_db
class TestProductionBehaviour:
    """What a browser sees from a server running with the production settings above."""

    def test_plain_http_is_redirected_to_https(self, client, production):
        with override_settings(DEBUG=False, **production):
            response = client.get("/en/", HTTP_HOST="testserver")
        assert response.status_code == 301
        assert response.headers["Location"] == "https://testserver/en/"

    def test_https_responses_carry_hsts(self, client, production):
        with override_settings(DEBUG=False, **production):
            response = client.get("/en/", secure=True)
        assert response.status_code == 200
        assert (
            response.headers["Strict-Transport-Security"]
            == "max-age=31536000; includeSubDomains; preload"
        )

    def test_behind_a_proxy_its_https_header_counts(self, client, production):
        proxied = {**production, "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https")}
        with override_settings(DEBUG=False, **proxied):
            response = client.get("/en/", HTTP_X_FORWARDED_PROTO="https")
        assert response.status_code == 200

    def test_cookies_are_secure_httponly_and_same_site(self, client, chief, production):
        with override_settings(DEBUG=False, **production):
            page = client.get(LOGIN, secure=True)
            csrf = page.cookies["csrftoken"]
            response = client.post(LOGIN, {"username": "chief", "password": PASSWORD}, secure=True)
        assert response.status_code == 302
        session = response.cookies["sessionid"]
        for cookie in (csrf, session):
            assert cookie["secure"] is True
            assert cookie["httponly"] is True
            assert cookie["samesite"] == "Lax"
        # Ends when the browser closes (no expiry date), and after 8 hours in any case.
        assert session["expires"] == ""
        assert session["max-age"] == ""
        assert client.session.get_expire_at_browser_close() is True
        assert client.session.get_expiry_age() == 8 * 3600


# --- Login throttling -------------------------------------------------------------------------


def attempt(client, username, password, ip="203.0.113.5"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
class TestLoginThrottle:
    def test_five_failures_lock_the_account_even_for_the_right_password(self, client, chief):
        for _ in range(5):
            response = attempt(client, "chief", "wrong password")
            assert response.status_code == 200
            assert "Too many failed sign-in attempts" not in response.text
        response = attempt(client, "chief", PASSWORD)
        assert response.status_code == 200
        assert "Too many failed sign-in attempts" in response.text
        assert "try again in 15 minutes" in response.text
        assert not signed_in(client)

    def test_four_failures_do_not_lock_and_a_success_clears_them(self, client, chief):
        for _ in range(4):
            attempt(client, "chief", "wrong password")
        assert LoginFailure.objects.filter(username="chief").count() == 4
        assert attempt(client, "chief", PASSWORD).status_code == 302
        assert LoginFailure.objects.filter(username="chief").count() == 0

    def test_the_lock_is_shared_not_per_browser(self, chief):
        """Failures live in the database: another browser (or another server process, which
        reads the same table) is refused too."""
        for _ in range(5):
            attempt(Client(), "chief", "wrong password", ip="198.51.100.1")
        other = Client()
        response = attempt(other, "chief", PASSWORD, ip="198.51.100.2")
        assert "Too many failed sign-in attempts" in response.text
        assert not signed_in(other)

    def test_user_names_are_counted_without_regard_to_case(self, client, chief):
        for name in ("Chief", "CHIEF", "chief ", "cHief", "chief"):
            attempt(client, name, "wrong password")
        assert "Too many failed sign-in attempts" in attempt(client, "chief", PASSWORD).text

    def test_the_lock_ends_after_the_lockout_period(self, client, chief):
        for _ in range(5):
            attempt(client, "chief", "wrong password")
        assert not signed_in(client)
        LoginFailure.objects.update(
            attempted_at=timezone.now() - datetime.timedelta(minutes=15, seconds=1)
        )
        assert attempt(client, "chief", PASSWORD).status_code == 302
        assert signed_in(client)

    def test_refused_attempts_are_not_counted(self, client, chief):
        for _ in range(5):
            attempt(client, "chief", "wrong password")
        for _ in range(3):
            attempt(client, "chief", "wrong password")
        assert LoginFailure.objects.count() == 5

    def test_unknown_user_names_lock_the_same_way(self, client):
        """The message must not tell an attacker which accounts exist."""
        for _ in range(5):
            attempt(client, "nobody", "guess")
        assert "Too many failed sign-in attempts" in attempt(client, "nobody", "guess").text

    def test_many_user_names_from_one_address_lock_that_address(
        self, client, chief, django_user_model
    ):
        for n in range(20):
            attempt(client, f"user{n}", "guess", ip="192.0.2.7")
        # Another account's right password from that address is refused...
        response = attempt(client, "chief", PASSWORD, ip="192.0.2.7")
        assert "Too many failed sign-in attempts" in response.text
        # ...but the same account from elsewhere signs in.
        assert attempt(Client(), "chief", PASSWORD, ip="192.0.2.8").status_code == 302

    def test_a_success_does_not_clear_the_address_failures(self, client, chief):
        for n in range(19):
            attempt(client, f"user{n}", "guess", ip="192.0.2.9")
        assert attempt(client, "chief", PASSWORD, ip="192.0.2.9").status_code == 302
        client.logout()
        attempt(client, "someone", "guess", ip="192.0.2.9")
        assert (
            "Too many failed sign-in attempts"
            in attempt(client, "chief", PASSWORD, ip="192.0.2.9").text
        )

    @override_settings(LOGIN_THROTTLE={"LIMIT": 2, "IP_LIMIT": 50, "WINDOW": 60, "LOCKOUT": 120})
    def test_limits_come_from_settings(self, client, chief):
        attempt(client, "chief", "wrong")
        attempt(client, "chief", "wrong")
        response = attempt(client, "chief", PASSWORD)
        assert "try again in 2 minutes" in response.text

    def test_old_failures_are_forgotten(self, chief):
        old = timezone.now() - datetime.timedelta(hours=2)
        LoginFailure.objects.create(username="chief", ip_address=None, attempted_at=old)
        throttle.record_failure("someone", "192.0.2.1")
        assert list(LoginFailure.objects.values_list("username", flat=True)) == ["someone"]


MIN = datetime.timedelta(minutes=1)
T0 = datetime.datetime(2025, 4, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("minutes_ago", "expected_end"),
    [
        ([], None),
        ([0, 1, 2, 3], None),  # four failures: no lock
        ([0, 1, 2, 3, 4], T0 + 15 * MIN),  # five within the window: locked from the newest
        ([0, 4, 8, 12, 15], T0 + 15 * MIN),  # exactly the window apart: still a run
        ([0, 4, 8, 12, 16], None),  # spread over more than the window: no lock
        ([0, 20, 21, 22, 23, 24], T0 - 20 * MIN + 15 * MIN),  # an older run, lock over
    ],
)
def test_locked_until(minutes_ago, expected_end):
    times = [T0 - m * MIN for m in minutes_ago]
    assert throttle.locked_until(times, 5, 15 * MIN, 15 * MIN) == expected_end


class TestClientAddress:
    def request(self, rf, forwarded=None):
        extra = {"REMOTE_ADDR": "10.0.0.2"}
        if forwarded is not None:
            extra["HTTP_X_FORWARDED_FOR"] = forwarded
        return rf.get("/", **extra)

    def test_without_proxies_the_forwarded_header_is_ignored(self, rf, settings):
        settings.TRUSTED_PROXY_COUNT = 0
        assert throttle.client_ip(self.request(rf, "1.2.3.4")) == "10.0.0.2"

    def test_behind_one_proxy_the_address_it_saw_counts(self, rf, settings):
        settings.TRUSTED_PROXY_COUNT = 1
        # The client forged the first entry; the proxy appended the real address.
        assert throttle.client_ip(self.request(rf, "1.2.3.4, 198.51.100.9")) == "198.51.100.9"

    def test_garbage_is_no_address(self, rf, settings):
        settings.TRUSTED_PROXY_COUNT = 1
        assert throttle.client_ip(self.request(rf, "not-an-ip")) is None


# --- Passwords --------------------------------------------------------------------------------


@pytest.mark.django_db
class TestPasswordRules:
    @pytest.mark.parametrize(
        "password",
        ["short1!", "password1234", "12345678901234", "chief-account-chief"],
        ids=["too short", "common", "all digits", "like the user name"],
    )
    def test_weak_passwords_are_refused(self, django_user_model, password):
        user = django_user_model(username="chief-account", email="chief@example.org")
        with pytest.raises(ValidationError):
            validate_password(password, user)

    def test_a_long_unusual_password_is_accepted(self, django_user_model):
        user = django_user_model(username="chief-account")
        validate_password(PASSWORD, user)

    def test_create_staff_refuses_a_weak_password_and_keeps_no_account(
        self, monkeypatch, django_user_model
    ):
        monkeypatch.setattr(sys, "stdin", io.StringIO("password123\n"))
        with pytest.raises(CommandError, match="The password is refused"):
            call_command("create_staff", "weakling", "--role", "viewer", "--password-stdin")
        assert not django_user_model.objects.filter(username="weakling").exists()

    def test_create_staff_accepts_a_strong_password(self, monkeypatch, django_user_model):
        monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
        call_command(
            "create_staff", "strong", "--role", "viewer", "--password-stdin", stdout=io.StringIO()
        )
        assert django_user_model.objects.get(username="strong").check_password(PASSWORD)

    def test_admin_password_change_refuses_a_weak_password(self, client, chief):
        client.force_login(chief)
        response = client.post(
            "/en/admin/password_change/",
            {"old_password": PASSWORD, "new_password1": "abc12345", "new_password2": "abc12345"},
        )
        assert response.status_code == 200
        assert "This password is too short" in response.text
        chief.refresh_from_db()
        assert chief.check_password(PASSWORD)

    def test_admin_user_creation_refuses_a_weak_password(self, admin_client, django_user_model):
        """Accounts are made by the superuser (HQ editors do not manage people)."""
        client = admin_client
        response = client.post(
            "/en/admin/auth/user/add/",
            {
                "username": "newstaff",
                "usable_password": "true",
                "password1": "password",
                "password2": "password",
            },
        )
        assert response.status_code == 200
        assert "This password is too common" in response.text
        assert not django_user_model.objects.filter(username="newstaff").exists()


# --- Uploads ----------------------------------------------------------------------------------


def image_bytes(fmt: str) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), (29, 63, 114)).save(buffer, format=fmt)
    return buffer.getvalue()


class TestHeroUploads:
    @pytest.mark.parametrize(
        ("name", "fmt"), [("a.jpg", "JPEG"), ("a.png", "PNG"), ("a.webp", "WEBP")]
    )
    def test_jpeg_png_and_webp_are_accepted(self, name, fmt):
        upload = SimpleUploadedFile(name, image_bytes(fmt))
        validate_hero_type(_uncommitted(upload))

    @pytest.mark.parametrize(
        ("name", "content"),
        [
            ("a.png", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
            ("a.jpg", b"<html><script>alert(1)</script></html>"),
            ("a.png", "GIF"),
            ("a.webp", "BMP"),
            ("a.png", b""),
            ("a.jpg", image_bytes("PNG")[:40]),
        ],
        ids=["svg named png", "html named jpg", "gif", "bmp", "empty", "truncated"],
    )
    def test_other_content_is_refused_whatever_the_name(self, name, content):
        if isinstance(content, str):
            content = image_bytes(content)
        with pytest.raises(ValidationError) as refused:
            validate_hero_type(_uncommitted(SimpleUploadedFile(name, content)))
        assert refused.value.code == "invalid_image"

    def test_images_over_5_mb_are_refused(self):
        big = SimpleUploadedFile("big.jpg", b"\0" * (HERO_MAX_BYTES + 1))
        with pytest.raises(ValidationError):
            validate_hero_size(big)
        validate_hero_size(SimpleUploadedFile("ok.jpg", b"\0" * HERO_MAX_BYTES))

    @pytest.mark.django_db
    def test_the_model_refuses_a_disguised_file(self, make_case, settings, tmp_path):
        from showcase.models import ShowcasePage

        settings.MEDIA_ROOT = tmp_path
        page = ShowcasePage(
            case=make_case(),
            slug="disguised",
            title_en="Disguised",
            hero_alt_en="A picture",
            hero_image=SimpleUploadedFile("photo.png", image_bytes("GIF")),
        )
        with pytest.raises(ValidationError) as refused:
            page.full_clean()
        assert "hero_image" in refused.value.message_dict


def _uncommitted(upload):
    """A model field's file value for a new upload, as full_clean() passes it to validators."""
    from showcase.models import ShowcasePage

    page = ShowcasePage(hero_image=upload)
    return page.hero_image


# --- Error pages ------------------------------------------------------------------------------

INTERNAL = "internal detail /srv/portal/secret_module.py SECRET_KEY"


def explode(request):
    raise RuntimeError(INTERNAL)


def forbid(request):
    raise PermissionDenied(INTERNAL)


def suspicious(request):
    raise SuspiciousOperation(INTERNAL)


def missing(request):
    raise Http404(INTERNAL)


urlpatterns = [
    path("test-errors/500/", explode),
    path("test-errors/403/", forbid),
    path("test-errors/400/", suspicious),
    path("test-errors/404/", missing),
    *site_urls.urlpatterns,
]


@pytest.mark.django_db
class TestErrorPages:
    @pytest.fixture(autouse=True)
    def _production_errors(self, settings):
        """Debug off (as in production), with the raising views above in the URLs."""
        settings.DEBUG = False
        settings.ROOT_URLCONF = __name__

    LEAKS = [
        "Traceback",
        "RuntimeError",
        "PermissionDenied",
        "SuspiciousOperation",
        "secret_module",
        "/srv/",
        "SECRET_KEY",
        "internal detail",
        "settings.py",
        str(PROJECT),
        "django.",
    ]

    @pytest.mark.parametrize(
        ("url", "status", "words"),
        [
            ("/test-errors/500/", 500, "Something went wrong"),
            ("/test-errors/403/", 403, "You may not open this page"),
            ("/test-errors/400/", 400, "Bad request"),
            ("/test-errors/404/", 404, "We could not find that page"),
        ],
    )
    def test_error_pages_say_what_happened_and_nothing_internal(self, url, status, words):
        client = Client(raise_request_exception=False)
        response = client.get(url)
        assert response.status_code == status
        assert words in response.text
        for leak in self.LEAKS:
            assert leak not in response.text, leak
        assert "Content-Security-Policy" in response.headers

    def test_a_foreign_host_gets_a_plain_400(self):
        response = Client(raise_request_exception=False).get("/en/", HTTP_HOST="evil.example")
        assert response.status_code == 400
        assert "Bad request" in response.text
        assert "evil.example" not in response.text
        assert "ALLOWED_HOSTS" not in response.text
