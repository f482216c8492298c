"""One filter vocabulary (issue 15, item 1): `cases.stats.Filters.read` is the one reader of a
query's filters and `cases.stats.parse_fiscal_year` / `fiscal_year_problem` the one rule for a
fiscal year, on every surface.

(a) the source holds no other bound check, range check, parser of a year's digits or list of
    fiscal-year choices;
(b) the same query string gives the same Filters and the same refused parameters through the
    case browser, the dashboard, the API, the downloads and the regional report's form;
(c) no bad value gives a server error on the pages that read filters.
"""

import ast
import dataclasses
import re
from pathlib import Path

import pytest
from django.http import QueryDict

from cases import stats
from cases.filters import CaseFilter
from cases.models import Case
from cases.stats import Filters, InvalidFilter
from dashboard.forms import ChartFilterForm
from exchange.filtering import BadQuery, public_cases
from exchange.forms import RegionReportForm

ROOT = Path(__file__).resolve().parent.parent
APPS = ("audit", "cases", "dashboard", "exchange", "grassroots", "reports", "security", "showcase")
HOME = ROOT / "cases" / "stats" / "filters.py"
# The rule for a record (a case's own fiscal year, its database constraint), not for a query.
RECORD_RULES = {ROOT / "cases" / "rules.py", ROOT / "cases" / "models" / "case.py"}

# Where the span's ends may be read outside the rule's home, and why: none of them decides
# whether a year may be asked for.
SPAN_READERS = {
    # the API document's limits and its 400 message (the check is parse_fiscal_year)
    "exchange/contract.py",
    # a form's starting value: the last fiscal year that has ended
    "exchange/forms.py",
    "reports/forms.py",
    # a report's open years default to the span's ends
    "exchange/reports/region.py",
    # the comparison shown without a query when nothing is held yet: the first two years
    "cases/figures/comparison.py",
}
# Digits of a year read outside the reader, and why: the admin's own list filter names years
# of records (a planned case's year may lie beyond the current one, which a query may not
# name), and its link to the portal passes that year on to the portal's reader.
DIGIT_READERS = {"cases/admin/filters.py", "cases/admin/case.py"}

# Comparisons of years that are not about a query, and why.
OTHER_COMPARISONS = {
    # which published figures cover a year of the register (data, not a query)
    ("cases/stats/figures.py", "figure.from_fy <= year <= figure.to_fy"),
}
YEARISH = re.compile(r"year|\bfy\b|_fy\b|\bfirst\b|\blast\b|\bstart\b|\bend\b", re.IGNORECASE)


def _modules():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts or path == HOME:
                continue
            yield path, ast.parse(path.read_text(), str(path))


def _name(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _called(node) -> str:
    func = node.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


# --- (a) one rule in the source -----------------------------------------------------------------


def test_no_module_but_the_readers_compares_a_fiscal_year_with_bounds_or_another_year():
    """No `year < 2017`, `first > last`, `from_fy <= to_fy`... outside cases/stats/filters.py
    (and the record's own rule): a comparison of two year-like operands, or of one with
    FIRST_FISCAL_YEAR, is the reader's business."""
    offenders = []
    for path, tree in _modules():
        if path in RECORD_RULES:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Compare):
                continue
            if not all(isinstance(op, ast.Lt | ast.Gt | ast.LtE | ast.GtE) for op in node.ops):
                continue
            operands = [ast.unparse(part) for part in (node.left, *node.comparators)]
            if (_name(path), ast.unparse(node)) in OTHER_COMPARISONS:
                continue
            if "FIRST_FISCAL_YEAR" in " ".join(operands) or all(
                YEARISH.search(text) and not text.isdigit() for text in operands
            ):
                offenders.append(f"{_name(path)}:{node.lineno}: {ast.unparse(node)}")
    assert not offenders, offenders


def test_the_fiscal_year_rule_is_called_from_the_reader_only():
    """`fiscal_year_problem` is called by cases.stats alone; `fiscal_year_span` outside it only
    where a default or a document needs the span's ends (SPAN_READERS, each with its reason)."""
    problem_callers, span_callers = set(), set()
    for path, tree in _modules():
        if path.is_relative_to(ROOT / "cases" / "stats"):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _called(node) == "fiscal_year_problem":
                problem_callers.add(_name(path))
            if isinstance(node, ast.Call) and _called(node) == "fiscal_year_span":
                span_callers.add(_name(path))
    assert problem_callers == set()
    assert span_callers <= SPAN_READERS, span_callers - SPAN_READERS


def test_no_module_but_the_reader_parses_the_digits_of_a_fiscal_year():
    """`isdigit()` (or its kin) of something year-like is parse_fiscal_year's job
    (DIGIT_READERS: the admin's own records filter, with its reason)."""
    offenders = []
    for path, tree in _modules():
        if _name(path) in DIGIT_READERS:
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            if node.func.attr not in ("isdigit", "isdecimal", "isnumeric"):
                continue
            subject = ast.unparse(node.func.value)
            if re.search(r"year|\bfy\b|_fy\b|'from'|'to'|FIRST|LAST", subject):
                offenders.append(f"{_name(path)}:{node.lineno}: {ast.unparse(node)}")
    assert not offenders, offenders


def test_no_form_lists_fiscal_years_of_its_own():
    """Every list of fiscal years to choose from is `stats.fiscal_year_choices` (through
    `cases.filters.FiscalYearChoiceField` for the filter forms): nobody counts years out with
    range() or declares year choices of another origin."""
    offenders = []
    for path, tree in _modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            text = ast.unparse(node)
            if _called(node) == "range" and re.search(r"year|span|FIRST|fy\b", text):
                offenders.append(f"{_name(path)}:{node.lineno}: {text}")
            for keyword in node.keywords:
                if isinstance(keyword.value, ast.List) and all(
                    isinstance(item, ast.Tuple) for item in keyword.value.elts
                ):
                    continue  # fixed choices written out (`by`: two fiscal years or districts)
                value = ast.unparse(keyword.value)
                if keyword.arg == "choices" and re.search(r"year", value, re.IGNORECASE):
                    allowed = "fiscal_year_choices" in value or value == "self.year_choices"
                    if not allowed:
                        offenders.append(f"{_name(path)}:{node.lineno}: choices={value}")
    assert not offenders, offenders


def test_the_reader_is_the_only_place_that_says_a_range_is_reversed():
    message = "is after the last"
    found = [
        _name(path)
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if message in path.read_text()
    ]
    assert found == ["cases/stats/filters.py"]


# --- (b) the same answer on every surface -------------------------------------------------------

GOOD = "from=2019&to=2023&region=miami"
QUERIES = [
    (GOOD, set()),
    (GOOD + "&theme=energy&state=fl", set()),
    ("from=abc&to=2023&region=miami", {"from"}),
    ("from=2016&to=2023&region=miami", {"from"}),
    ("from=2019&to=2999&region=miami", {"to"}),
    ("from=2019&to=99999999999999999999&region=miami", {"to"}),
    ("from=2023&to=2019&region=miami", {"to"}),
    ("from=2019&to=2023&region=atlantis", {"region"}),
    ("from=2019&to=2023&region=miami&state=zz", {"state"}),
    ("from=2019&to=2023&region=miami&theme=moon", {"theme"}),
    ("from=abc&to=2023&region=atlantis&theme=moon", {"from", "region", "theme"}),
]
COMMON = ("from", "to", "region", "state", "theme")
REPORT = ("region", "from", "to")


def _only(filters: Filters, names) -> Filters:
    """`filters` with the parameters outside `names` cleared, and not public."""
    cleared = {
        stats.filters.READ_FIELDS[name]: None
        for name in COMMON
        if name not in names and name not in ("format", "partner_kind")
    }
    return dataclasses.replace(filters, public=False, **cleared)


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "refused"), QUERIES)
def test_every_surface_reads_a_query_the_same_way(query, refused):
    expected = Filters.read(QueryDict(query), names=COMMON)
    assert set(expected.problems) == refused

    # The case browser (and its chips)
    browser = CaseFilter(QueryDict(query), queryset=Case.objects.public())
    assert _only(browser.stats_filters(), COMMON) == expected.filters
    assert browser.stats_filters().public
    assert set(browser.form.errors) == refused
    assert {chip.param for chip in browser.active_filters() if not chip.valid} == refused

    # The dashboard, its CSV and embeds
    dashboard = ChartFilterForm(QueryDict(query))
    assert dashboard.filters() == expected.filters
    assert set(dashboard.errors) == refused

    # The API's figures: strict, the first refused parameter named
    if refused:
        with pytest.raises(InvalidFilter) as raised:
            Filters.from_query(QueryDict(query))
        assert str(raised.value).split(":")[0] in refused
    else:
        assert Filters.from_query(QueryDict(query)) == expected.filters

    # The downloads and the API's case list: strict, every refused parameter named
    if refused:
        with pytest.raises(BadQuery) as raised:
            public_cases(QueryDict(query))
        named = {part.split(":")[0].split()[-1] for part in str(raised.value).split(": ")[:-1]}
        assert refused <= named | {str(raised.value).split(":")[0]}
        for name in refused:
            assert f"{name}: {expected.problems[name]}" in str(raised.value)
    else:
        listed = set(public_cases(QueryDict(query)).values_list("pk", flat=True))
        wanted = dataclasses.replace(expected.filters, public=True).cases()
        assert listed == set(wanted.values_list("pk", flat=True))

    # The regional report's form (region and years only)
    report = RegionReportForm(QueryDict(f"{query}&format=html&language=en"))
    report.is_valid()
    assert report.reading().filters == _only(expected.filters, REPORT)
    assert set(report.errors) == refused & set(REPORT)
    for name in refused & set(REPORT):
        assert report.errors[name] == [expected.problems[name]]


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "refused"), QUERIES)
def test_the_pages_say_the_readers_message(client, query, refused):
    expected = Filters.read(QueryDict(query), names=COMMON)
    pages = [f"/en/cases/?{query}", f"/en/dashboard/?{query}"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        for name in refused:
            assert expected.problems[name] in response.text.replace("&quot;", '"'), url
    # The API refuses what the reader refuses, but answers a reversed range with no cases,
    # as its contract documents.
    reversed_range = query.startswith("from=2023&to=2019")
    api = client.get(f"/api/v1/stats/region/?{query}")
    assert api.status_code == (400 if refused and not reversed_range else 200)


@pytest.mark.django_db
def test_from_query_reads_what_read_reads():
    for query, _refused in QUERIES:
        reading = Filters.read(QueryDict(query), names=stats.PARAMETERS)
        if reading.valid:
            assert Filters.from_query(QueryDict(query)) == reading.filters


def test_parse_fiscal_year_is_the_one_parser():
    last = stats.fiscal_year_span()[1]
    assert stats.parse_fiscal_year(" 2017 ") == 2017
    assert stats.parse_fiscal_year(last) == last
    for bad in ("abc", "", "20x4", "２０２４", "-2020", "2016", str(last + 1), "9" * 30, "\x00"):
        with pytest.raises(InvalidFilter):
            stats.parse_fiscal_year(bad)


# --- (c) never a server error -------------------------------------------------------------------

GARBAGE = [
    "from=%00&to=%00&region=%00&state=%00&theme=%00&partner=%00&q=%00&format=%00",
    "from=99999999999999999999999999&to=-1&partner_kind=%F0%9F%92%A5",
    "region=miami&region=nowhere&region=miami&state=fl&state=FL&theme=energy&theme=energy",
    "from=2019&from=2020&to=2018&to=2024",
    "q=" + "x" * 5000 + "&partner=" + "y" * 5000,
    "region=" + "%E2%80%AE" * 50 + "&from=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%94",
    "from=&to=&region=&q=",
]
PAGES = [
    "/en/cases/",
    "/ja/cases/",
    "/en/dashboard/",
    "/ja/dashboard/",
    "/en/dashboard/data/region.csv",
    "/en/dashboard/embed/region/",
    "/en/dashboard/compare/",
    "/en/cases/export.csv",
    "/api/v1/cases/",
    "/api/v1/stats/region/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("query", GARBAGE)
def test_bad_input_never_gives_a_server_error(client, hq_client, query):
    for page in PAGES:
        response = client.get(f"{page}?{query}")
        assert response.status_code < 500, (page, response.status_code)
    report = hq_client.get(f"/en/admin/reports/region/?{query}&format=html")
    assert report.status_code < 500
