"""One log line per request, with a request id that follows the request everywhere."""

import logging
import re

import pytest
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path

from grassroots import middleware

LOGGER = "grassroots.request"


def request_lines(caplog):
    return [record for record in caplog.records if record.name == LOGGER]


def fields(record) -> dict:
    return dict(re.findall(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)', record.getMessage()))


def boom(request):
    logging.getLogger("tests.inside").warning("about to fail")
    raise RuntimeError("boom")


urlpatterns = [path("boom", boom)]


@pytest.fixture
def log(caplog):
    caplog.set_level(logging.INFO)
    return caplog


def test_one_line_per_request_with_method_path_status_duration_and_id(client, db, log):
    response = client.get("/healthz")
    lines = request_lines(log)
    assert len(lines) == 1
    line = fields(lines[0])
    assert line["method"] == "GET"
    assert line["path"] == "/healthz"
    assert line["status"] == "200"
    assert float(line["duration_ms"]) >= 0
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", line["request_id"])
    assert line["user_id"] == "-"


def test_every_request_gets_a_new_id(client, db):
    first = client.get("/healthz").headers["X-Request-ID"]
    second = client.get("/healthz").headers["X-Request-ID"]
    assert first != second


def test_a_sane_incoming_id_is_kept(client, db, log):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="lb-1234.abc_DEF")
    assert response.headers["X-Request-ID"] == "lb-1234.abc_DEF"
    assert fields(request_lines(log)[0])["request_id"] == "lb-1234.abc_DEF"


@pytest.mark.parametrize(
    "forged",
    ["x" * 65, "has space", 'quote"d', "new\nline request_id=forged", "日本語", "a=b"],
)
def test_an_unsafe_incoming_id_is_replaced(client, db, log, forged):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=forged)
    request_id = response.headers["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    message = request_lines(log)[0].getMessage()
    assert "\n" not in message
    assert "forged" not in message


def test_redirects_made_by_middleware_are_logged(client, db, log):
    response = client.get("/")  # LocaleMiddleware sends a visitor to /en/
    assert response.status_code == 302
    line = fields(request_lines(log)[0])
    assert (line["path"], line["status"]) == ("/", "302")


def test_a_404_is_logged_with_its_status(client, db, log):
    client.get("/en/no-such-page/")
    assert fields(request_lines(log)[0])["status"] == "404"


@override_settings(ROOT_URLCONF=__name__, DEBUG_PROPAGATE_EXCEPTIONS=False)
def test_a_server_error_is_logged_as_500_with_the_same_id_as_the_other_lines(db, log):
    from django.test import Client

    response = Client(raise_request_exception=False).get("/boom")
    assert response.status_code == 500
    request_id = response.headers["X-Request-ID"]
    line = request_lines(log)[0]
    assert line.levelno == logging.ERROR
    assert fields(line)["status"] == "500"
    inside = [r for r in log.records if r.name == "tests.inside"]
    assert inside
    assert inside[0].request_id == request_id


def test_the_logged_in_user_is_named_by_id(client, hq_editor, log):
    user = hq_editor
    client.force_login(user)
    client.get("/en/admin/")
    assert fields(request_lines(log)[-1])["user_id"] == str(user.pk)


def test_paths_with_spaces_and_quotes_stay_one_field(client, db, log):
    client.get('/en/a b"c/')
    line = request_lines(log)[0].getMessage()
    assert fields(request_lines(log)[0])["status"] == "404"
    assert 'path="/en/a b\\"c/"' in line


def test_filter_adds_the_current_id_and_a_dash_outside_requests():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "hello", None, None)
    middleware.RequestIdFilter().filter(record)
    assert record.request_id == "-"


def test_the_configured_handler_prints_the_request_id_on_every_line(client, db, log):
    """The real LOGGING config (console handler, filter, formatter) adds the id to lines that
    do not mention it themselves."""
    console = next(
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, middleware.RequestIdFilter) for f in handler.filters)
    )
    with override_settings(ROOT_URLCONF=__name__):
        from django.test import Client

        response = Client(raise_request_exception=False).get("/boom")
    # The console handler's filter stamped the record while the request ran.
    inside = next(r for r in log.records if r.name == "tests.inside")
    printed = console.format(inside)
    assert f"[{response.headers['X-Request-ID']}] about to fail" in printed


def test_request_id_middleware_comes_first(settings):
    assert settings.MIDDLEWARE[0] == "grassroots.middleware.RequestIdMiddleware"


def test_a_head_answer_keeps_the_length_and_drops_the_body(rf):
    def page(request):
        response = HttpResponse(b"x" * 100)
        response.headers["Content-Length"] = "100"
        return response

    response = middleware.RequestIdMiddleware(page)(rf.head("/en/"))
    assert response.content == b""
    assert response.headers["Content-Length"] == "100"
