"""The open-data API under /api/v1/: public cases only, the stats layer's figures, JSON errors,
and an OpenAPI document that schemathesis holds every response to."""

import datetime
import io
import json

import pytest
import schemathesis
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import checks
from schemathesis.generation import GenerationMode

from cases.models import CasePartner, Partner, PartnerKind, Theme

API = "/api/v1"


@pytest.fixture
def register(make_case):
    energy = Theme.objects.get(slug="energy")
    chamber = Partner.objects.create(name_en="Chamber", kind=PartnerKind.CHAMBER)
    day = datetime.date
    cases = {
        "miami": make_case(
            title_en="Miami workshop", start_date=day(2024, 10, 1), themes=[energy]
        ),
        "miami-old": make_case(title_en="Older Miami seminar", start_date=day(2022, 5, 1)),
        "new-york": make_case(
            title_en="Women in STEM", region="new-york", state="NY", start_date=day(2025, 3, 25)
        ),
        "nationwide": make_case(
            title_en="Nationwide campaign",
            region="washington-dc",
            state=None,
            start_date=day(2023, 1, 10),
        ),
        "hidden": make_case(title_en="Held but not public", is_public=False),
        "draft": make_case(title_en="Still a draft", status="draft"),
        "planned": make_case(title_en="Planned one", status="planned", start_date=day(2027, 4, 1)),
    }
    CasePartner.objects.create(case=cases["miami"], partner=chamber, role="co-host")
    return cases


def titles(response) -> list[str]:
    return [case["title_en"] for case in response.json()["results"]]


@pytest.mark.django_db
class TestCases:
    def test_the_list_holds_public_held_cases_only_newest_first(self, client, register):
        response = client.get(f"{API}/cases/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
        assert response["Access-Control-Allow-Origin"] == "*"
        data = response.json()
        assert data["count"] == 4
        assert (data["next"], data["previous"]) == (None, None)
        assert titles(response) == [
            "Women in STEM",
            "Miami workshop",
            "Nationwide campaign",
            "Older Miami seminar",
        ]
        assert data["results"][2]["state"] is None

    def test_a_case_carries_the_download_columns_and_its_portal_page(self, client, register):
        case = register["miami"]
        data = client.get(f"{API}/cases/{case.pk}/").json()
        assert data["id"] == case.pk
        assert data["start_date"] == "2024-10-01"
        assert data["fiscal_year"] == 2024
        assert (data["region"], data["state"]) == ("miami", "FL")
        assert data["themes"] == ["energy"]
        assert data["partners"] == [{"name": "Chamber", "role": "co-host"}]
        assert data["url"] == f"http://testserver/en/cases/{case.pk}/"
        listed = client.get(f"{API}/cases/").json()["results"]
        assert {row["url"] for row in listed} == {
            f"http://testserver/en/cases/{row['id']}/" for row in listed
        }
        assert len(listed) > 1

    @pytest.mark.parametrize("which", ["hidden", "draft", "planned"])
    def test_a_case_that_is_not_public_is_not_found(self, client, register, which):
        response = client.get(f"{API}/cases/{register[which].pk}/")
        assert response.status_code == 404
        assert response.json() == {"error": "There is no public case with this id."}
        listed = titles(client.get(f"{API}/cases/?page_size=200"))
        assert register[which].title_en not in listed

    @pytest.mark.parametrize("pk", ["0", "abc", "-1", "99999999999999999999999", "1.5"])
    def test_a_malformed_id_is_a_json_404(self, client, register, pk):
        response = client.get(f"{API}/cases/{pk}/")
        assert response.status_code == 404
        assert "error" in response.json()

    @pytest.mark.parametrize(
        ("query", "expected"),
        [
            ("region=miami", ["Miami workshop", "Older Miami seminar"]),
            ("state=ny", ["Women in STEM"]),
            ("theme=energy", ["Miami workshop"]),
            ("from=2024", ["Women in STEM", "Miami workshop"]),
            ("to=2023", ["Nationwide campaign", "Older Miami seminar"]),
            ("q=stem", ["Women in STEM"]),
            ("q=chamber", ["Miami workshop"]),
            ("partner_kind=chamber", ["Miami workshop"]),
            (
                "sort=oldest",
                ["Older Miami seminar", "Nationwide campaign", "Miami workshop", "Women in STEM"],
            ),
            ("region=miami&sort=title", ["Miami workshop", "Older Miami seminar"]),
        ],
    )
    def test_the_case_browser_filters_apply(self, client, register, query, expected):
        assert titles(client.get(f"{API}/cases/?{query}")) == expected

    def test_pages_are_stable_and_linked(self, client, make_case):
        for n in range(5):
            make_case(title_en=f"Same day {n}")
        first = client.get(f"{API}/cases/?page_size=2").json()
        second = client.get(first["next"]).json()
        third = client.get(second["next"]).json()
        assert first["count"] == 5
        assert first["next"] == "http://testserver/api/v1/cases/?page=2&page_size=2"
        assert second["previous"] == "http://testserver/api/v1/cases/?page=1&page_size=2"
        assert third["next"] is None
        ids = [c["id"] for page in (first, second, third) for c in page["results"]]
        assert ids == sorted(ids, reverse=True)  # same day: newest id first, no repeats

    def test_page_size_is_capped(self, client, make_case):
        make_case()
        data = client.get(f"{API}/cases/?page_size=100000").json()
        assert data["count"] == 1

    @pytest.mark.parametrize(
        ("query", "status", "words"),
        [
            ("region=atlantis", 400, "no region"),
            ("state=ZZ", 400, "no state"),
            ("from=2010", 400, "from must be a whole number from 2017 to"),
            ("region=", 400, "region is empty"),
            ("page_size=99999999999999999999", 400, "page_size must be a whole number from 1"),
            ("page=+1", 400, "page must be a whole number"),
            ("state=Fl", 400, "no code"),
            ("format=picnic", 400, "format must be one of"),
            ("page=0", 400, "page must be"),
            ("page=abc", 400, "page must be"),
            ("page_size=-3", 400, "page_size must be"),
            ("q=%00", 400, "NUL"),
            ("page=9", 404, "no page 9"),
        ],
    )
    def test_bad_queries_get_a_json_error(self, client, register, query, status, words):
        response = client.get(f"{API}/cases/?{query}")
        assert response.status_code == status
        assert words in response.json()["error"]

    def test_unknown_parameters_are_ignored(self, client, register):
        assert client.get(f"{API}/cases/?colour=blue").json()["count"] == 4

    def test_a_range_that_ends_before_it_starts_is_empty_not_an_error(self, client, register):
        response = client.get(f"{API}/cases/?from=2024&to=2020")
        assert response.status_code == 200
        assert response.json()["count"] == 0

    @pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "trace"])
    @pytest.mark.parametrize("path", ["/cases/", "/cases/1/", "/stats/region/", "/nowhere/", ""])
    def test_writes_are_a_json_405_not_a_csrf_page(self, register, method, path):
        from django.test import Client

        client = Client(enforce_csrf_checks=True)
        response = getattr(client, method)(f"{API}{path}")
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD, OPTIONS"
        assert response["Content-Type"] == "application/json"
        assert "read-only" in response.json()["error"]

    def test_options_says_what_may_be_asked(self, client, register):
        response = client.options(f"{API}/cases/")
        assert response.status_code == 204
        assert response["Allow"] == "GET, HEAD, OPTIONS"
        assert response["Access-Control-Allow-Origin"] == "*"

    def test_the_list_runs_the_same_queries_for_one_case_or_many(self, client, make_case):
        from tests.test_query_counts import assert_data_queries

        make_case(themes=[Theme.objects.get(slug="energy")])
        # The uncached list, counting data queries only: the generation read is a query with
        # the database cache and none with Redis. The provenance's data date and demonstration
        # flag are two of them (remembered per generation in production).
        with assert_data_queries(7):
            client.get(f"{API}/cases/?region=miami")
        for n in range(12):
            case = make_case(title_en=f"More {n}", themes=[Theme.objects.get(slug="culture")])
            partner = Partner.objects.create(name_en=f"Partner {n}", kind=PartnerKind.OTHER)
            CasePartner.objects.create(case=case, partner=partner, role="speaker")
        with assert_data_queries(7):
            response = client.get(f"{API}/cases/?region=miami")
        assert response.json()["count"] == 13


def case_stats(*args) -> dict:
    out = io.StringIO()
    call_command("case_stats", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.django_db
class TestStats:
    @pytest.mark.parametrize("by", ["region", "fiscal-year", "state", "theme"])
    @pytest.mark.parametrize(
        "query",
        [
            {},
            {"region": "miami"},
            {"from": "2023", "to": "2024"},
            {"state": "FL", "theme": "energy"},
        ],
    )
    def test_the_figures_equal_case_stats(self, client, register, by, query):
        response = client.get(f"{API}/stats/{by}/", query)
        assert response.status_code == 200
        args = ["--by", by]
        for key, value in query.items():
            args += [{"from": "--from-fy", "to": "--to-fy"}.get(key, f"--{key}"), value]
        answer = response.json()
        assert answer.pop("provenance")["count"] == answer["total"]
        assert answer == case_stats(*args)

    def test_non_public_held_cases_count(self, client, register):
        assert client.get(f"{API}/stats/region/").json()["total"] == 5

    @pytest.mark.parametrize(
        ("query", "words"),
        [
            ("region=atlantis", "no region"),
            ("theme=moon", "no theme"),
            ("state=ZZ", "no state"),
            ("from=abc", "must be a whole number"),
            ("from=1950", "from 2017"),
            ("to=2999", "from 2017"),
            ("from=02024", "whole number"),
            ("from=", "from is empty"),
            ("region=", "region is empty"),
        ],
    )
    def test_bad_filters_get_a_400(self, client, register, query, words):
        response = client.get(f"{API}/stats/fiscal-year/?{query}")
        assert response.status_code == 400
        assert words in response.json()["error"]

    @pytest.mark.parametrize("by", ["region", "fiscal-year", "state", "theme"])
    def test_a_range_that_ends_before_it_starts_counts_nothing(self, client, register, by):
        data = client.get(f"{API}/stats/{by}/?from=2024&to=2020").json()
        assert (data["from_fy"], data["to_fy"], data["total"]) == (2024, 2020, 0)
        assert all(row["cases"] == 0 for row in data["rows"])


@pytest.mark.django_db
class TestReferenceLists:
    def test_regions_states_and_themes(self, client):
        regions = client.get(f"{API}/regions/").json()
        states = client.get(f"{API}/states/").json()
        themes = client.get(f"{API}/themes/").json()
        assert regions["count"] == 17
        new_york = next(r for r in regions["results"] if r["code"] == "new-york")
        assert "CT" in new_york["states"]
        assert states["count"] == 56
        california = next(s for s in states["results"] if s["code"] == "CA")
        assert california["regions"] == ["san-francisco", "los-angeles"] or sorted(
            california["regions"]
        ) == ["los-angeles", "san-francisco"]
        assert {t["group"] for t in themes["results"]} == {
            "line-of-work",
            "topic",
            "priority-area",
        }

    def test_unknown_api_addresses_are_json_404s(self, client):
        response = client.get(f"{API}/nothing/here/")
        assert response.status_code == 404
        assert "openapi.json" in response.json()["error"]


@pytest.mark.django_db
class TestOpenApi:
    def test_the_document_describes_every_endpoint(self, client):
        document = client.get(f"{API}/openapi.json").json()
        assert document["openapi"].startswith("3.1")
        assert set(document["paths"]) == {
            "/cases/",
            "/cases/{id}/",
            "/stats/region/",
            "/stats/fiscal-year/",
            "/stats/state/",
            "/stats/theme/",
            "/regions/",
            "/states/",
            "/themes/",
        }
        parameters = {p["name"]: p for p in document["paths"]["/cases/"]["get"]["parameters"]}
        # The case browser's own filters, read from its FilterSet.
        assert {"from", "to", "region", "state", "theme", "q", "page", "page_size"} <= set(
            parameters
        )
        assert "miami" in parameters["region"]["schema"]["enum"]
        assert parameters["from"]["schema"]["minimum"] == 2017
        assert "license" in document["info"]

    def test_every_enforced_limit_is_stated(self, client):
        document = client.get(f"{API}/openapi.json").json()
        parameters = {p["name"]: p for p in document["paths"]["/cases/"]["get"]["parameters"]}
        assert parameters["q"]["schema"]["maxLength"] == 100
        assert parameters["page_size"]["schema"]["maximum"] == 2**63 - 1
        assert "200" in parameters["page_size"]["description"]
        assert {"FL", "fl"} <= set(parameters["state"]["schema"]["enum"])
        stats = {p["name"]: p for p in document["paths"]["/stats/region/"]["get"]["parameters"]}
        assert stats["to"]["schema"]["minimum"] == 2017


@pytest.mark.django_db(transaction=True)
def test_the_parameter_contract_is_built_once_per_generation(client, register, monkeypatch):
    # Outside a transaction, as a server runs: the worker keeps it for the generation.
    from exchange import contract

    built = []
    build = contract._case_list_params
    monkeypatch.setattr(contract, "_case_list_params", lambda: built.append(1) or build())
    for query in ("", "?region=miami", "?theme=energy&page=1"):
        assert client.get(f"{API}/cases/{query}").status_code == 200
    assert built == [1]
    # Bad values are still refused by the remembered contract.
    assert client.get(f"{API}/cases/?format=nonsense").status_code == 400
    assert built == [1]


@pytest.fixture
def wsgi_app():
    """Django's WSGI application, kept inside the test's transaction.

    A real request closes the database connection when it ends; the test client stops that,
    and so must we, or the test's transaction would be cut off mid-run.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


PARAMETERLESS = {"/regions/", "/states/", "/themes/"}
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
    checks.positive_data_acceptance,
    checks.negative_data_rejection,
]


@pytest.mark.django_db
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_schemathesis_finds_no_server_error_and_no_response_outside_the_schema(
    register, wsgi_app, mode
):
    """Generated requests to every operation: no 5xx, every answer fits the document, every
    request the document calls valid is answered (a page past the last is a documented 404)
    and every one it calls invalid is refused. 25 examples per operation and mode."""
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 9

    for operation in operations:
        if mode == GenerationMode.NEGATIVE and operation.path in PARAMETERLESS:
            continue  # nothing in such a request can be made invalid

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=25,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            # Schemathesis calls the WSGI app directly and does not undo a gzip encoding the
            # way an HTTP client does: ask for the plain body (the encoding is tested apart).
            case.call_and_validate(checks=CHECKS, headers={"Accept-Encoding": "identity"})

        run()


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_page_about_the_data_explains_it_and_links_the_api_and_downloads(client, language):
    response = client.get(f"/{language}/data/?region=miami")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'href="/api/v1/openapi.json"' in page
    assert 'href="/api/v1/cases/"' in page
    assert f'href="/{language}/cases/export.csv?region=miami"' in page
    assert "<code>external_ref</code>" in page
    assert "外部参照番号" in page
    assert "Task Force" in page or "タスクフォース" in page


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_api_front_page_lists_every_address_and_links_the_document(client, language):
    response = client.get(f"{API}/", HTTP_ACCEPT_LANGUAGE=language)
    page = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert 'href="/api/v1/openapi.json"' in page
    for path in ("/api/v1/cases/", "/api/v1/stats/fiscal-year/", "/api/v1/themes/"):
        assert f"<code>{path}</code>" in page
    assert "9223372036854775807" in page  # the limits come from the document
    assert f'lang="{language}"' in page


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "sort=region", "sort=title&page_size=1&page=3"])
def test_a_case_in_the_list_is_the_record_its_own_address_gives(
    client, register, make_case, query
):
    """The list reads its cases as values (exchange.exporting.values_of) where the detail reads
    a model instance (case_values): every field, themes and partners included, must agree."""
    in_a_county = make_case(title_en="Los Angeles forum", region="los-angeles", state="CA")
    assert in_a_county.county_id is not None
    register["nationwide"].end_date = datetime.date(2023, 1, 12)
    register["nationwide"].save()
    older = register["miami-old"]
    older.themes.set(Theme.objects.filter(slug__in=["energy", "culture"]))
    older.participants = 40
    older.save()
    listed = client.get(f"{API}/cases/?{query}").json()["results"]
    assert listed
    for record in listed:
        own = client.get(f"{API}/cases/{record['id']}/").json()
        assert record == own
        assert list(record) == list(own)  # in the same order


@pytest.mark.django_db
@pytest.mark.parametrize("sort", ["newest", "region", "title"])
def test_a_deep_window_steps_over_the_cases_before_it_without_joins(
    client, register, monkeypatch, settings, sort
):
    """A deep page reads its ids first (cases.listing.window). That walk must stay on the case
    table alone: the rows are read as values through the region, state and county, and a walk
    that kept those joins took 29 ms instead of 3 at a million cases."""
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cases import listing

    settings.PORTAL_FIGURE_CACHE = False  # each page made afresh, not read from the cache
    shallow = [
        client.get(f"{API}/cases/?sort={sort}&page_size=1&page={page}").json()["results"]
        for page in (1, 2, 3, 4)
    ]
    monkeypatch.setattr(listing, "DEEP", 0)  # every window is read by its ids first
    with CaptureQueriesContext(connection) as queries:
        deep = [
            client.get(f"{API}/cases/?sort={sort}&page_size=1&page={page}").json()["results"]
            for page in (1, 2, 3, 4)
        ]
    assert deep == shallow
    walks = [
        query["sql"]
        for query in queries
        if re.match(r'SELECT "cases_case"\."id"( AS "pk")? FROM', query["sql"])
        and "LIMIT" in query["sql"]
    ]
    assert walks
    assert not [sql for sql in walks if "JOIN" in sql]


@pytest.mark.django_db
def test_a_pages_partners_are_named_by_their_keys_not_by_a_join(client, register, settings):
    """exchange.exporting.partners_of names a page's partners with a lookup by key on each
    row: joined, PostgreSQL hashed the whole partner table (5,000 names) to name the fifty-odd
    rows of a page of a million-case list, 1.3 ms where the lookups take 0.6."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    settings.PORTAL_FIGURE_CACHE = False
    with CaptureQueriesContext(connection) as queries:
        listed = client.get(f"{API}/cases/").json()["results"]
    assert [{"name": "Chamber", "role": "co-host"}] in [record["partners"] for record in listed]
    named = [
        sql for query in queries if (sql := query["sql"]).startswith('SELECT "cases_casepartner"')
    ]
    assert named
    assert not [sql for sql in named if "JOIN" in sql]
