"""The portal behind a real nginx, configured by deploy/nginx/grassroots.conf.

The test starts Debian's nginx with a throw-away certificate in front of two gunicorn servers
(their own ports, a PostgreSQL cluster and a redis-server of the test's own) and checks what a
visitor and a staff member see: https with the app's security headers, the redirect from plain
http, secure cookies, signing in, a publish through one server seen on the other, static files
with long cache headers and gzip, the body limit, and a failed server taken out.
"""

import gzip
import json
import re
import shutil
import ssl
import subprocess
import time
from http.client import HTTPConnection, HTTPSConnection
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest

from tests import stack
from tests.isolation import RUN_ID
from tests.test_two_servers import PASSWORD, PREPARE, Browser, as_pairs, form_fields

pytestmark = pytest.mark.standalone

CONFIG = stack.PROJECT / "deploy/nginx/grassroots.conf"


def render_site(ports, https: int, http: int, folder: Path, static: Path) -> str:
    """The shipped configuration with its SITE lines pointed at this test's servers."""
    text = CONFIG.read_text()
    replacements = [
        ("server 10.0.0.11:8000", f"server 127.0.0.1:{ports[0]}"),
        ("server 10.0.0.12:8000", f"server 127.0.0.1:{ports[1]}"),
        ("listen 80;", f"listen 127.0.0.1:{http};"),
        ("listen [::]:80;", ""),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;"),
        ("listen [::]:443 ssl http2;", ""),
        (
            "return 301 https://$host$request_uri;",
            f"return 301 https://$host:{https}$request_uri;",
        ),
        ("server_name portal.example.org;", "server_name localhost;"),
        ("/etc/ssl/certs/portal.example.org.pem", str(folder / "cert.pem")),
        ("/etc/ssl/private/portal.example.org.key", str(folder / "key.pem")),
        ("/var/log/nginx/grassroots.access.log", str(folder / "access.log")),
        ("/srv/grassroots/staticfiles/", f"{static}/"),
        ("/srv/grassroots/media/", f"{folder}/media/"),
        ("/var/cache/nginx/grassroots", f"{folder}/cache"),
    ]
    for old, new in replacements:
        assert old in text, f"{old!r} is no longer in {CONFIG.name}"
        text = text.replace(old, new)
    return text


MAIN = """
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
{user}
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    access_log off;
    include {folder}/site.conf;
}}
"""


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        stack.missing("needs nginx (Debian package nginx)")
    # Readable by nginx's workers (not pytest's private tmp folder).
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix=f"grassroots-nginx-{RUN_ID}-"))
    folder.chmod(0o755)
    postgres = stack.PrivatePostgres("nginx")
    redis = stack.PrivateRedis(folder)
    servers, proxy = [], None
    try:
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
             "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
             "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
            check=True, capture_output=True,
        )  # fmt: skip
        postgres.init()
        postgres.start()
        redis.start()
        postgres.psql("CREATE DATABASE portal")
        static = folder / "static"
        environ = stack.portal_environment(
            DATABASE_URL=postgres.url("portal"),
            REDIS_URL=redis.url,
            DJANGO_CACHE_KEY_PREFIX=f"nginx-{RUN_ID}",
            DJANGO_STATIC_ROOT=static,
            DJANGO_ALLOWED_HOSTS="localhost,127.0.0.1",
            DJANGO_SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto",
            DJANGO_TRUSTED_PROXY_COUNT="1",
            PORTAL_SHARED_CACHE_SECONDS=str(SHARED_SECONDS),
        )
        planned = int(
            stack.run_python(
                PREPARE.format(password=PASSWORD).replace("import django\ndjango.setup()", ""),
                environ,
            ).split()[-1]
        )
        static.chmod(0o755)
        for number in (1, 2):
            server = stack.Gunicorn(environ, folder / f"gunicorn{number}.log", workers=1)
            server.start()
            servers.append(server)
        https, http = stack.free_port(), stack.free_port()
        (folder / "site.conf").write_text(
            render_site([s.port for s in servers], https, http, folder, static)
        )
        import os

        user = "user root root;" if os.geteuid() == 0 else ""
        (folder / "nginx.conf").write_text(MAIN.format(folder=folder, user=user))
        checked = subprocess.run(
            [nginx, "-t", "-q", "-p", str(folder), "-c", str(folder / "nginx.conf")],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert checked.returncode == 0, checked.stderr
        proxy = subprocess.Popen(
            [nginx, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        stack.wait_for_port(https, 10, proxy, "nginx")
        yield {
            "https": https, "http": http, "servers": servers, "planned": planned,
            "folder": folder,
        }  # fmt: skip
    finally:
        if proxy is not None:
            proxy.terminate()
            proxy.wait(10)
        for server in servers:
            server.stop()
        redis.stop()
        postgres.remove()
        shutil.rmtree(folder, ignore_errors=True)


class HttpsBrowser(Browser):
    """The two-server test's browser, speaking https to nginx and checking its certificate."""

    def __init__(self, port: int, cafile: Path):
        super().__init__(port)
        self.origin = f"https://localhost:{port}"
        self.context = ssl.create_default_context(cafile=str(cafile))
        self.headers_seen = []

    def request(self, method, path, form=None, referer=None, headers=None):
        sent = {"Host": f"localhost:{self.port}", "Accept-Encoding": "identity", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if isinstance(form, bytes):
            body = form
            sent["Content-Type"] = "application/octet-stream"
        elif form is not None:
            body = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Referer"] = self.origin + (referer or path)
        connection = HTTPSConnection("localhost", self.port, timeout=20, context=self.context)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            raw = response.read()
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            self.headers_seen.append(header)
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if response.headers.get("Content-Encoding") == "gzip":
            raw = gzip.decompress(raw)
        return response.status, response.headers, raw.decode(errors="replace")


def browser(proxied) -> HttpsBrowser:
    return HttpsBrowser(proxied["https"], proxied["folder"] / "cert.pem")


def test_https_with_the_apps_headers_and_a_request_id(proxied):
    status, headers, page = browser(proxied).get("/en/")
    assert status == 200
    assert "Grassroots" in page
    assert headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Server" not in headers or "nginx/" not in headers["Server"]
    assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])
    assert wait_for_log_line(proxied["folder"] / "access.log", f"rid={headers['X-Request-ID']}")


def wait_for_log_line(path, text, seconds=5.0) -> bool:
    """nginx writes the access log after the answer has gone out, so a reader can be first."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and text in path.read_text():
            return True
        time.sleep(0.05)
    return False


def test_plain_http_is_redirected_to_https_but_healthz_answers(proxied):
    connection = HTTPConnection("127.0.0.1", proxied["http"], timeout=10)
    connection.request("GET", "/en/cases/?region=miami", headers={"Host": "localhost"})
    response = connection.getresponse()
    response.read()
    assert response.status == 301
    assert response.headers["Location"] == (
        f"https://localhost:{proxied['https']}/en/cases/?region=miami"
    )
    connection.request("GET", "/healthz", headers={"Host": "localhost"})
    response = connection.getresponse()
    assert response.status == 200
    assert json.loads(response.read())["status"] == "ok"
    connection.close()


def test_cookies_are_secure_and_signing_in_works(proxied):
    visitor = browser(proxied)
    status, _headers, page = visitor.get("/en/admin/login/")
    assert status == 200
    fields = form_fields(page, "login-form")
    fields.update(username=["hq"], password=[PASSWORD])
    status, headers, page = visitor.post(
        "/en/admin/login/?next=/en/admin/", as_pairs(fields), referer="/en/admin/login/"
    )
    assert status == 302, page[:1500]
    assert urlsplit(headers["Location"]).path == "/en/admin/"
    cookies = {c.split("=", 1)[0]: c for c in visitor.headers_seen}
    for name in ("csrftoken", "sessionid"):
        assert "Secure" in cookies[name]
        assert "HttpOnly" in cookies[name]
    assert visitor.get("/en/admin/")[0] == 200


def test_a_publish_through_the_proxy_shows_on_both_servers(proxied):
    from tests.test_two_servers import figures

    staff = browser(proxied)
    status, _headers, page = staff.get("/en/admin/login/")
    fields = form_fields(page, "login-form")
    fields.update(username=["hq"], password=[PASSWORD])
    assert staff.post("/en/admin/login/?next=/en/admin/", as_pairs(fields))[0] == 302
    first, second = (Browser(server.port) for server in proxied["servers"])
    before = [figures(first), figures(second)]
    assert before[0] == before[1]

    change = f"/en/admin/cases/case/{proxied['planned']}/change/"
    status, _headers, page = staff.get(change)
    assert status == 200
    fields = form_fields(page, "case_form")
    fields["status"] = ["held"]
    fields["is_public"] = ["on"]
    fields["_save"] = [""]
    status, _headers, page = staff.post(change, as_pairs(fields))
    assert status == 302, re.findall(r'<ul class="errorlist[^>]*>(.*?)</ul>', page, re.S)
    after = [figures(first), figures(second)]
    assert after[0] == after[1]
    assert after[0]["dashboard"] == before[0]["dashboard"] + 1


SHARED_SECONDS = 1


def test_the_proxy_keeps_anonymous_figure_pages_and_revalidates_them(proxied):
    """A figure page is kept by nginx's cache for the app's s-maxage, answered from there
    (with this request's own id), then revalidated with its ETag (the app says 304)."""
    visitor = browser(proxied)
    path = "/en/dashboard/?from=2019"  # an address no other test asks for
    status, first, body = visitor.get(path)
    assert status == 200
    assert first["X-Cache-Status"] == "MISS"
    control = {part.strip() for part in first["Cache-Control"].split(",")}
    assert {"public", "max-age=0", f"s-maxage={SHARED_SECONDS}", "must-revalidate"} <= control
    status, kept, again = visitor.get(path)
    assert (status, kept["X-Cache-Status"], again) == (200, "HIT", body)
    assert kept["ETag"] == first["ETag"]
    assert kept["X-Request-ID"] != first["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", kept["X-Request-ID"])
    assert wait_for_log_line(
        proxied["folder"] / "access.log", f"rid={kept['X-Request-ID']} cache=HIT"
    )
    # nginx keeps time in whole seconds, so its copy goes stale up to a second after the
    # s-maxage; ask until it does (a kept copy answers HIT meanwhile), then it revalidates.
    deadline = time.monotonic() + SHARED_SECONDS + 10
    time.sleep(SHARED_SECONDS)
    status, revalidated, again = visitor.get(path)
    while revalidated["X-Cache-Status"] == "HIT" and time.monotonic() < deadline:
        time.sleep(0.25)
        status, revalidated, again = visitor.get(path)
    assert (status, revalidated["X-Cache-Status"], again) == (200, "REVALIDATED", body)


def test_the_proxy_never_keeps_or_serves_a_signed_in_page(proxied):
    staff = browser(proxied)
    status, _headers, page = staff.get("/en/admin/login/")
    fields = form_fields(page, "login-form")
    fields.update(username=["hq"], password=[PASSWORD])
    assert staff.post("/en/admin/login/?next=/en/admin/", as_pairs(fields))[0] == 302
    path = "/en/dashboard/?from=2018"
    visitor = browser(proxied)
    assert visitor.get(path)[1]["X-Cache-Status"] == "MISS"
    assert visitor.get(path)[1]["X-Cache-Status"] == "HIT"
    for _ in range(2):
        status, headers, _body = staff.get(path)
        assert status == 200
        assert headers["X-Cache-Status"] == "BYPASS"
        assert "private" in headers["Cache-Control"]
        assert "ETag" not in headers


def test_static_files_carry_long_cache_headers_and_gzip(proxied):
    manifest = json.loads((proxied["folder"] / "static" / "staticfiles.json").read_text())["paths"]
    hashed = manifest["css/portal.css"]
    visitor = browser(proxied)
    status, headers, body = visitor.request(
        "GET", f"/static/{hashed}", headers={"Accept-Encoding": "gzip"}
    )
    assert status == 200
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers["Content-Encoding"] == "gzip"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "body" in body
    status, headers, _body = visitor.get("/static/css/portal.css")
    assert status == 200
    assert headers["Cache-Control"] == "public, max-age=3600"


def test_a_body_over_the_limit_is_refused_by_the_proxy(proxied):
    status, _headers, _body = browser(proxied).request(
        "POST", "/en/admin/login/", form=b"x" * (7 * 1024 * 1024)
    )
    assert status == 413


def test_a_failed_server_is_taken_out(proxied):
    """Last: it stops server 2. Every request still gets a 200 from server 1."""
    visitor = browser(proxied)
    proxied["servers"][1].stop()
    statuses = [visitor.get(path)[0] for path in ["/en/", "/en/cases/", "/healthz"] * 8]
    assert statuses == [200] * len(statuses)
    time.sleep(0.1)
