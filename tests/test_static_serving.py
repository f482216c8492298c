"""Static files in production: hashed names, far-future caching, compressed transfers.

Production settings are read at import, so these run in fresh interpreters with DEBUG off,
after a real collectstatic into a temporary STATIC_ROOT, and request the files through the
whole WSGI stack (whitenoise in the middleware), as gunicorn would.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent

FETCH = """
import json, sys
import django
django.setup()
from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import Client

client = Client()
hashed = staticfiles_storage.url("css/portal.css")
answers = {"hashed_url": hashed}
for name, url, encoding in [
    ("hashed", hashed, ""),
    ("gzip", hashed, "gzip"),
    ("br", hashed, "gzip, br"),
    ("plain", "/static/css/portal.css", ""),
    ("plotly", staticfiles_storage.url("vendor/plotly/plotly.min.js"), ""),
    ("plotly_gzip", staticfiles_storage.url("vendor/plotly/plotly.min.js"), "gzip"),
    ("plotly_br", staticfiles_storage.url("vendor/plotly/plotly.min.js"), "gzip, deflate, br"),
]:
    response = client.get(url, HTTP_ACCEPT_ENCODING=encoding, secure=True)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    answers[name] = {
        "status": response.status_code,
        "cache_control": response.headers.get("Cache-Control", ""),
        "content_encoding": response.headers.get("Content-Encoding", ""),
        "vary": response.headers.get("Vary", ""),
        "length": len(body),
    }
print(json.dumps(answers))
"""


@pytest.fixture(scope="module")
def production_static(tmp_path_factory):
    """collectstatic into a temporary folder with production settings, then fetch files."""
    root = tmp_path_factory.mktemp("staticfiles")
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))
    }
    environ.update(
        DJANGO_SETTINGS_MODULE="grassroots.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="static-serving-test-" + "k" * 50,
        DJANGO_ALLOWED_HOSTS="testserver",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_STATIC_ROOT=str(root),
    )

    def run(*command):
        result = subprocess.run(
            command, cwd=PROJECT, env=environ, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    run(sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0")
    answers = json.loads(run(sys.executable, "-c", FETCH).strip().splitlines()[-1])
    return root, answers


def max_age(cache_control: str) -> int:
    for part in cache_control.split(","):
        name, _, value = part.strip().partition("=")
        if name == "max-age":
            return int(value)
    return 0


def test_collectstatic_writes_hashed_and_compressed_copies(production_static):
    root, answers = production_static
    hashed_name = answers["hashed_url"].removeprefix("/static/")
    assert hashed_name != "css/portal.css"
    assert (root / hashed_name).is_file()
    assert (root / f"{hashed_name}.gz").is_file()
    assert (root / f"{hashed_name}.br").is_file()
    assert (root / "staticfiles.json").is_file()


def test_hashed_files_are_cached_for_a_year_and_immutable(production_static):
    _root, answers = production_static
    hashed = answers["hashed"]
    assert hashed["status"] == 200
    assert max_age(hashed["cache_control"]) >= 31_536_000
    assert "immutable" in hashed["cache_control"]
    assert "public" in hashed["cache_control"]


def test_files_under_their_plain_name_are_cached_briefly(production_static):
    """A plain name can change content at the next deploy: not immutable, about an hour."""
    _root, answers = production_static
    plain = answers["plain"]
    assert plain["status"] == 200
    assert "immutable" not in plain["cache_control"]
    assert 600 <= max_age(plain["cache_control"]) <= 3600


def test_compressed_body_when_the_browser_accepts_it(production_static):
    _root, answers = production_static
    identity, gzip, either = answers["hashed"], answers["gzip"], answers["br"]
    assert identity["content_encoding"] == ""
    assert gzip["content_encoding"] == "gzip"
    assert either["content_encoding"] == "br"
    assert either["length"] < gzip["length"]
    assert gzip["length"] < identity["length"] / 2
    assert "Accept-Encoding" in gzip["vary"]


def test_the_first_visit_s_largest_file_is_small_compressed(production_static):
    """plotly.js is the bulk of a chart page's first visit: the cartesian partial bundle,
    sent brotli-compressed to browsers that accept it (issue 14's target: 600 kB in all)."""
    _root, answers = production_static
    plain, gzip, brotli = answers["plotly"], answers["plotly_gzip"], answers["plotly_br"]
    assert plain["status"] == gzip["status"] == brotli["status"] == 200
    assert gzip["content_encoding"] == "gzip"
    assert brotli["content_encoding"] == "br"
    assert gzip["length"] < 520_000
    assert brotli["length"] < 420_000
