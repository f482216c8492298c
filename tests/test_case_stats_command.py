"""manage.py case_stats: the same figures as the stats module, in three formats."""

import csv
import datetime
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cases.models import Case, Theme


def run(*args) -> str:
    out = io.StringIO()
    call_command("case_stats", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def register(make_case):
    energy = Theme.objects.get(slug="energy")
    make_case(region="miami", state="FL", start_date=datetime.date(2023, 6, 1), themes=[energy])
    make_case(region="miami", state="FL", start_date=datetime.date(2025, 3, 31))
    make_case(region="new-york", state="NY", start_date=datetime.date(2024, 12, 1))
    make_case(region="washington-dc", state=None, start_date=datetime.date(2024, 7, 4))
    make_case(region="miami", state="FL", status="draft")


@pytest.mark.django_db
class TestJson:
    def test_by_fiscal_year(self, register):
        data = json.loads(run("--by", "fiscal-year", "--format", "json"))
        assert data["by"] == "fiscal-year"
        assert (data["from_fy"], data["to_fy"], data["total"]) == (2023, 2024, 4)
        assert data["rows"] == [
            {
                "key": 2023,
                "label_en": "FY2023",
                "label_ja": "2023年度（令和5年度）",
                "cases": 1,
                "cumulative": 1,
            },
            {
                "key": 2024,
                "label_en": "FY2024",
                "label_ja": "2024年度（令和6年度）",
                "cases": 3,
                "cumulative": 4,
            },
        ]

    def test_by_region_lists_all_seventeen(self, register):
        data = json.loads(run("--by", "region", "--format", "json"))
        assert len(data["rows"]) == 17
        assert sum(row["cases"] for row in data["rows"]) == data["total"] == 4
        miami = next(row for row in data["rows"] if row["key"] == "miami")
        assert miami == {"key": "miami", "label_en": "Miami", "label_ja": "マイアミ", "cases": 2}

    def test_filters_narrow_every_figure(self, register):
        data = json.loads(
            run(
                "--by",
                "fiscal-year",
                "--from-fy",
                "2024",
                "--to-fy",
                "2024",
                "--region",
                "miami",
                "--format",
                "json",
            )
        )
        assert data["total"] == 1
        assert [(r["key"], r["cases"]) for r in data["rows"]] == [(2024, 1)]

    def test_by_state_keys_are_usps_codes_and_null_for_no_state(self, register):
        data = json.loads(run("--by", "state", "--format", "json"))
        counts = {row["key"]: row["cases"] for row in data["rows"]}
        assert counts["FL"] == 2
        assert counts[None] == 1

    def test_by_theme_keys_are_slugs(self, register):
        data = json.loads(run("--by", "theme", "--format", "json"))
        counts = {row["key"]: row["cases"] for row in data["rows"]}
        assert counts["energy"] == 1

    def test_by_region_fiscal_year_rows_carry_the_year(self, register):
        data = json.loads(
            run("--by", "region-fiscal-year", "--region", "miami", "--format", "json")
        )
        assert [
            (r["key"], r["fiscal_year"], r["cases"], r["cumulative"]) for r in data["rows"]
        ] == [
            ("miami", 2023, 1, 1),
            ("miami", 2024, 1, 2),
        ]

    def test_reconciliation(self, register):
        out = io.StringIO()
        with pytest.raises(CommandError, match="differs from the published figures"):
            call_command("case_stats", "--reconcile", "--format", "json", stdout=out)
        data = json.loads(out.getvalue())
        by_range = {(r["from_fy"], r["to_fy"]): r for r in data["rows"]}
        assert by_range[(2024, 2024)]["published"] == 104
        assert by_range[(2024, 2024)]["computed"] == 3
        assert by_range[(2017, 2024)]["difference"] == 4 - 1292


@pytest.mark.django_db
def test_reconcile_exits_1_on_a_difference_and_0_on_the_demo_data(register):
    # call_command raises CommandError, which manage.py turns into exit status 1.
    with pytest.raises(CommandError):
        run("--reconcile")
    Case.objects.exclude(origin="demo").delete()
    call_command("load_demo", stdout=io.StringIO())
    assert "difference" in run("--reconcile")  # no error: every figure matches


@pytest.mark.django_db
def test_csv_has_a_header_and_one_line_per_row(register):
    lines = list(csv.DictReader(io.StringIO(run("--by", "fiscal-year", "--format", "csv"))))
    assert [(r["key"], r["cases"], r["cumulative"]) for r in lines] == [
        ("2023", "1", "1"),
        ("2024", "3", "4"),
    ]


@pytest.mark.django_db
def test_table_shows_the_rows_and_the_total(register):
    text = run("--by", "region")
    assert "miami" in text
    assert "マイアミ" in text
    assert "Held cases, FY2023–FY2024: 4" in text


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--region", "atlantis"], "no region"),
        (["--theme", "nothing"], "no theme"),
        (["--state", "ZZ"], "no state"),
        (["--from-fy", "2024", "--to-fy", "2020"], "after the last"),
        (["--from-fy", "1950"], "starts with FY2017"),
        (["--by", "planet"], "invalid choice"),
        (["--format", "pdf"], "invalid choice"),
    ],
)
def test_bad_options_are_refused_with_a_clear_message(args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_bad_options_exit_non_zero_from_the_shell():
    """Argument errors need no database, so this runs against none."""
    manage = Path(__file__).resolve().parent.parent / "manage.py"
    for args in (["--by", "planet"], ["--no-such-option"]):
        result = subprocess.run(
            [sys.executable, str(manage), "case_stats", *args],
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode != 0
        assert result.stderr.strip()
