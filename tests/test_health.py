"""/healthz tells a load balancer whether this app server can serve, and never leaks why not."""

from django.db import connection
from django.db.utils import OperationalError
from django.test.utils import CaptureQueriesContext

from grassroots import health


def test_healthy_server_answers_ok_for_database_and_cache(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}


def test_the_answer_is_never_cached(client, db):
    response = client.get("/healthz")
    assert "no-store" in response.headers["Cache-Control"]


def test_health_lives_at_the_root_without_a_language_redirect(client, db):
    response = client.get("/healthz", HTTP_ACCEPT_LANGUAGE="ja")
    assert response.status_code == 200


def test_head_works_and_post_is_refused(client, db):
    assert client.head("/healthz").status_code == 200
    assert client.post("/healthz").status_code == 405


def test_the_check_really_queries_the_database(client, db):
    with CaptureQueriesContext(connection) as queries:
        client.get("/healthz")
    assert any(query["sql"].strip().upper() == "SELECT 1" for query in queries)


def test_a_database_failure_gives_503_naming_only_the_database(client, db, monkeypatch):
    class Unreachable:
        def cursor(self):
            raise OperationalError("could not connect to server at 10.0.0.7: secret detail")

    monkeypatch.setattr(health, "connection", Unreachable())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error", "cache": "ok"}
    assert b"10.0.0.7" not in response.content
    assert b"secret detail" not in response.content
    assert "no-store" in response.headers["Cache-Control"]


def test_a_cache_that_raises_is_degraded_not_down(client, db, monkeypatch):
    def unreachable(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to redis.internal:6379")

    monkeypatch.setattr(health.cache, "set", unreachable)
    response = client.get("/healthz")
    # Every server shares the cache: taking them all out of the balancer would help nobody.
    assert response.status_code == 200
    assert response.json() == {"status": "degraded", "database": "ok", "cache": "degraded"}
    assert b"redis.internal" not in response.content


def test_a_cache_that_drops_writes_is_degraded(client, db, monkeypatch):
    monkeypatch.setattr(health.cache, "get", lambda *args, **kwargs: None)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["cache"] == "degraded"


def test_cache_check_uses_the_configured_shared_cache(db):
    assert health.cache_ok()
    assert health.database_ok()


def test_health_checks_over_plain_http_are_not_redirected_to_https(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/en/").status_code == 301  # everything else still goes to https
