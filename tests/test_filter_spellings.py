"""One spelling of every filter in a query string (issue 15, item 1): `from` and `to` for the
fiscal years on every surface, read by one parser (`stats.Filters.from_query`), and the old
`from_fy`/`to_fy` answered with a permanent redirect to the same query in the new spelling."""

import pathlib
import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.http import QueryDict
from django.urls import reverse
from django.utils import translation

from cases import stats
from cases.stats import Filters, InvalidFilter

ROOT = pathlib.Path(__file__).resolve().parent.parent

# Every address that reads filters from its query string, by URL name (and arguments).
SURFACES = [
    ("api:case-list", {}),
    ("api:stats-region", {}),
    ("api:stats-fiscal-year", {}),
    ("api:stats-state", {}),
    ("api:stats-theme", {}),
    ("exchange:case-download", {"fmt": "csv"}),
    ("exchange:case-download", {"fmt": "xlsx"}),
    ("exchange:case-download", {"fmt": "json"}),
    ("exchange:comparison-download", {"fmt": "csv"}),
    ("cases:list", {}),
    ("dashboard:index", {}),
    ("dashboard:csv", {"slug": "fiscal-year"}),
    ("dashboard:embed", {"slug": "fiscal-year"}),
    ("dashboard:compare", {}),
    ("admin:reports_region", {}),
    ("admin:reports_compare", {}),
]


def _address(name, kwargs):
    with translation.override("en"):
        return reverse(name, kwargs=kwargs)


def _split(location):
    parts = urlsplit(location)
    return parts.path, parse_qsl(parts.query, keep_blank_values=True)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwargs"), SURFACES)
@pytest.mark.parametrize("method", ["get", "head"])
def test_every_surface_redirects_the_old_spelling_for_good(hq_client, name, kwargs, method):
    path = _address(name, kwargs)
    response = getattr(hq_client, method)(f"{path}?region=miami&from_fy=2023&to_fy=2024&x=1")
    assert response.status_code == 301
    assert _split(response["Location"]) == (
        path,
        [("region", "miami"), ("from", "2023"), ("to", "2024"), ("x", "1")],
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "kwargs"), SURFACES)
def test_no_surface_redirects_the_current_spelling(hq_client, name, kwargs):
    response = hq_client.get(f"{_address(name, kwargs)}?region=miami&from=2023&to=2024")
    assert response.status_code != 301


@pytest.mark.django_db
def test_the_new_spelling_wins_and_the_old_is_dropped(client):
    response = client.get("/api/v1/stats/region/?to_fy=2020&theme=energy&to=2024&from_fy=2023")
    assert response.status_code == 301
    assert _split(response["Location"]) == (
        "/api/v1/stats/region/",
        [("theme", "energy"), ("to", "2024"), ("from", "2023")],
    )
    # A script on another site may follow the API's redirect.
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.django_db
def test_repeated_values_and_other_parameters_survive_the_redirect(client):
    response = client.get("/en/cases/export.csv?state=FL&from_fy=2022&state=ca&q=a+b&page=2")
    assert _split(response["Location"]) == (
        "/en/cases/export.csv",
        [("state", "FL"), ("from", "2022"), ("state", "ca"), ("q", "a b"), ("page", "2")],
    )


@pytest.mark.django_db
def test_the_redirect_leads_to_the_same_answer_as_the_new_spelling(client, make_case):
    make_case(region="miami")
    old = client.get("/api/v1/stats/fiscal-year/?from_fy=2017&region=miami", follow=True)
    new = client.get("/api/v1/stats/fiscal-year/?from=2017&region=miami")
    assert old.redirect_chain == [("/api/v1/stats/fiscal-year/?from=2017&region=miami", 301)]
    assert old.json() == new.json()
    assert new.json()["total"] == stats.total(Filters(from_fy=2017, region="miami"))


def test_a_method_other_than_get_is_not_redirected(client, db):
    assert client.post("/api/v1/stats/region/?from_fy=2023").status_code == 405


@pytest.mark.django_db
def test_the_api_documents_one_spelling(client):
    document = client.get("/api/v1/openapi.json").json()
    for path in ("/cases/", "/stats/region/"):
        operation = document["paths"][path]["get"]
        names = {parameter["name"] for parameter in operation["parameters"]}
        assert {"from", "to"} <= names
        assert not {"from_fy", "to_fy"} & names
        assert "301" in operation["responses"]
    page = client.get("/api/v1/").content.decode()
    assert "<code>from_fy</code>" in page  # named once, as the old name that is redirected


@pytest.mark.django_db
def test_the_regional_report_form_reads_and_offers_from_and_to(hq_client):
    page = hq_client.get("/en/admin/reports/region/?region=miami&from=2023&to=2024")
    html = page.content.decode()
    assert 'name="from"' in html
    assert 'name="to"' in html
    assert 'name="from_fy"' not in html
    answer = hq_client.get(
        "/en/admin/reports/region/",
        {"region": "miami", "from": 2023, "to": 2024, "format": "csv", "language": "en"},
    )
    assert answer.status_code == 200
    assert answer["Content-Disposition"].endswith('FY2023-FY2024.csv"')


# --- the one parser ------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "filters",
    [
        Filters(),
        Filters(from_fy=2017, to_fy=2024),
        Filters(region="miami", theme="energy", to_fy=2020),
        Filters(region=("miami", "houston"), state=("FL", "TX")),
    ],
)
def test_from_query_reads_back_what_filters_query_writes(filters):
    assert Filters.from_query(QueryDict(stats.filters_query(filters))) == filters


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("from=abc", "from: “abc” is not a fiscal year."),
        ("to=2016", "to: The register starts with FY2017"),
        ("from=2024&to=2020", "is after the last"),
        ("region=atlantis", "no region"),
        ("state=ZZ", "no state"),
    ],
)
def test_from_query_says_what_is_wrong_and_where(query, words):
    with pytest.raises(InvalidFilter, match=words):
        Filters.from_query(QueryDict(query))


@pytest.mark.django_db
def test_from_query_says_it_in_japanese_on_a_japanese_page():
    with translation.override("ja"), pytest.raises(InvalidFilter) as raised:
        Filters.from_query(QueryDict("from=2016"))
    assert "2017" in str(raised.value)
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", str(raised.value))


@pytest.mark.django_db
def test_the_old_spelling_is_not_a_filter_of_its_own():
    # Only a redirect understands it: the parser knows one spelling.
    assert Filters.from_query(QueryDict("from_fy=2023")) == Filters()


# --- no other reader of the old names -----------------------------------------------------------

OLD = r"""["'](?:from|to)_fy["']"""
READS = [
    # request.GET["from_fy"], query.get("to_fy"), data.getlist('from_fy'), query.pop("to_fy")
    re.compile(r"(?:GET|POST|query|params|data)\s*(?:\[|\.(?:get|getlist|pop)\()\s*" + OLD),
    # links written with the old names
    re.compile(r"[?&](?:from|to)_fy="),
    re.compile(r"""urlencode\(\s*\{[^}]*""" + OLD),
]
# The one place that knows the old names (to redirect them), and the API page that tells
# people they are redirected.
ALLOWED = {"cases/stats/filters.py", "exchange/templates/exchange/api_index.html"}


def _sources():
    for pattern in ("**/*.py", "**/*.html", "**/*.js", "**/*.md"):
        for path in ROOT.glob(pattern):
            relative = path.relative_to(ROOT).as_posix()
            if relative.split("/")[0] in {".venv", ".tools", "tests", "node_modules", "static"}:
                continue
            if "/migrations/" in relative or relative in ALLOWED:
                continue
            yield relative, path


def test_no_module_reads_or_writes_the_old_parameter_names():
    found = []
    for relative, path in _sources():
        text = path.read_text(encoding="utf-8", errors="replace")
        for pattern in READS:
            found += [f"{relative}: {match.group(0)}" for match in pattern.finditer(text)]
    assert not found, "the old spellings outside cases.stats:\n" + "\n".join(found)


def test_the_old_names_are_known_in_one_place():
    assert stats.OLD_SPELLINGS == {"from_fy": "from", "to_fy": "to"}
    assert stats.PARAMETERS == ("from", "to", "region", "state", "theme")
