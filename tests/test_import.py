"""Importing cases from CSV and XLSX: every row checked first, all or nothing, idempotent."""

import base64
import csv
import datetime
import io
import string
import zipfile

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from cases.models import Case, CaseOrigin, CasePartner, Partner, PartnerKind, Theme
from exchange.admin import SESSION_KEY, cases_admin_url
from exchange.columns import COLUMNS, HEADERS
from exchange.exporting import CaseExporter
from exchange.importing import ImportInvalid, ImportRefused, apply_import, plan_import
from exchange.models import ImportBatch
from exchange.reading import MAX_IMPORT_BYTES
from exchange.writers import csv_bytes, write_xlsx

KEYS = [column.key for column in COLUMNS]


# --- building files ---------------------------------------------------------------------------


def case_row(**values) -> dict:
    """A valid row for a held, public Miami case in FY2024; keyword arguments override."""
    row = {
        "external_ref": "MIA-001",
        "title_en": "Transport infrastructure workshop",
        "title_ja": "交通インフラに関するワークショップ",
        "summary_en": "With the chamber.",
        "summary_ja": "商工会議所と共催。",
        "start_date": "2024-10-15",
        "end_date": "",
        "fiscal_year": "",
        "region": "miami",
        "state": "FL",
        "county": "",
        "city_en": "Miami",
        "city_ja": "マイアミ",
        "format": "workshop",
        "status": "held",
        "is_public": "yes",
        "is_best_practice": "no",
        "participants": "80",
        "themes": "transport-infrastructure; investment-jobs",
        "partners": "Greater Miami Chamber of Commerce (co-host)",
        "id": "",
    }
    row.update(values)
    return row


def csv_file(rows, header=HEADERS, encoding="utf-8", keys=KEYS) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(key, "") for key in keys])
    return buffer.getvalue().encode(encoding)


def xlsx_file(rows, header=HEADERS, keys=KEYS) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(key) for key in keys])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def register_snapshot():
    """Every case with every column, its themes and partners; and the imports and partners."""
    cases = []
    for case in Case.objects.order_by("pk").prefetch_related("themes", "partner_roles"):
        values = {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields}
        values["themes"] = sorted(theme.slug for theme in case.themes.all())
        values["partners"] = sorted((r.partner_id, r.role) for r in case.partner_roles.all())
        cases.append(values)
    return cases, ImportBatch.objects.count(), Partner.objects.count()


def comparable(case) -> dict:
    """A case's content, without what an import may differ in (ids, times, provenance)."""
    skip = {"id", "created_at", "updated_at", "created_by_id", "updated_by_id"}
    skip |= {"import_batch_id", "origin"}
    # The publishing workflow's who and when: a re-import publishes anew.
    skip |= {"published_at", "published_by_id", "submitted_at", "submitted_by_id"}
    values = {f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields}
    values = {key: value for key, value in values.items() if key not in skip}
    values["themes"] = sorted(theme.slug for theme in case.themes.all())
    values["partners"] = sorted((r.partner.name_en, r.role) for r in case.partner_roles.all())
    return values


@pytest.fixture
def chamber(db):
    return Partner.objects.create(
        name_en="Greater Miami Chamber of Commerce", kind=PartnerKind.CHAMBER
    )


@pytest.fixture
def university(db):
    return Partner.objects.create(
        name_en="Florida International University",
        name_ja="フロリダ国際大学",
        kind=PartnerKind.UNIVERSITY,
    )


# --- valid files ------------------------------------------------------------------------------


@pytest.mark.django_db
class TestValidFiles:
    def test_a_utf8_csv_creates_the_cases_and_records_the_import(self, chamber, hq_editor):
        data = csv_file([case_row(), case_row(external_ref="MIA-002", state="", city_en="")])

        result = apply_import(data, "cases.csv", user=hq_editor)

        batch = result.batch
        assert (batch.rows, batch.created, batch.updated, batch.unchanged) == (2, 2, 0, 0)
        assert batch.file_name == "cases.csv"
        assert batch.file_format == "csv"
        assert batch.encoding == "utf-8"
        assert batch.imported_by == hq_editor
        assert len(batch.file_sha256) == 64
        case = Case.objects.get(external_ref="MIA-001")
        assert case.title_ja == "交通インフラに関するワークショップ"
        assert case.start_date == datetime.date(2024, 10, 15)
        assert case.fiscal_year == 2024
        assert case.region.code == "miami"
        assert case.state.code == "FL"
        assert case.participants == 80
        assert case.is_public is True
        assert case.is_best_practice is False
        assert case.origin == CaseOrigin.IMPORT
        assert case.import_batch == batch
        assert case.created_by == hq_editor
        assert sorted(t.slug for t in case.themes.all()) == [
            "investment-jobs",
            "transport-infrastructure",
        ]
        assert [(r.partner, r.role) for r in case.partner_roles.all()] == [(chamber, "co-host")]
        assert Case.objects.get(external_ref="MIA-002").state is None

    @pytest.mark.parametrize(
        ("encoding", "expected"),
        [("utf-8", "utf-8"), ("utf-8-sig", "utf-8"), ("cp932", "cp932")],
    )
    def test_csv_in_utf8_with_or_without_bom_and_in_shift_jis_is_read(
        self, chamber, encoding, expected
    ):
        # Japanese headers, as Japanese Excel users write them.
        header = [column.label_ja for column in COLUMNS]
        data = csv_file([case_row(title_ja="ニューヨークの女性と STEM")], header, encoding)
        if encoding == "utf-8-sig":
            assert data.startswith(b"\xef\xbb\xbf")

        result = apply_import(data, "案件.csv")

        assert result.batch.encoding == expected
        assert Case.objects.get(external_ref="MIA-001").title_ja == "ニューヨークの女性と STEM"

    def test_an_xlsx_with_native_dates_numbers_and_booleans_is_read(self, chamber):
        row = case_row(
            start_date=datetime.datetime(2025, 3, 31),  # noqa: DTZ001 (cells have no zone)
            end_date=datetime.date(2025, 4, 2),
            participants=120,
            is_public=True,
            is_best_practice=True,
            external_ref=1001,
        )

        result = apply_import(xlsx_file([row]), "cases.xlsx")

        case = Case.objects.get()
        assert result.batch.file_format == "xlsx"
        assert case.external_ref == "1001"
        assert (case.start_date, case.end_date) == (
            datetime.date(2025, 3, 31),
            datetime.date(2025, 4, 2),
        )
        assert case.fiscal_year == 2024
        assert (case.participants, case.is_public, case.is_best_practice) == (120, True, True)

    def test_headers_in_english_words_or_keys_only_are_accepted(self, chamber):
        header = [column.label_en for column in COLUMNS]
        apply_import(csv_file([case_row()], header), "english.csv")
        header = [column.key.upper() for column in COLUMNS]
        result = apply_import(csv_file([case_row(external_ref="B")], header), "keys.csv")
        assert result.batch.created == 1
        assert Case.objects.count() == 2

    def test_labels_of_choices_and_partner_names_in_japanese_are_accepted(self, university):
        row = case_row(
            format="Seminar",
            status="HELD",
            partners="フロリダ国際大学（speaker）",
            is_public="はい",
        )
        apply_import(csv_file([row]), "labels.csv")
        case = Case.objects.get()
        assert (case.format, case.status, case.is_public) == ("seminar", "held", True)
        assert [(r.partner, r.role) for r in case.partner_roles.all()] == [(university, "speaker")]

    def test_unknown_columns_are_ignored_and_reported(self, chamber):
        header = [*HEADERS, "notes / 備考"]
        plan = plan_import(csv_file([case_row()], header, keys=[*KEYS, "notes"]), "x.csv")
        assert plan.is_valid
        assert plan.ignored_columns == ["notes / 備考"]


# --- updating in place ------------------------------------------------------------------------


@pytest.mark.django_db
class TestReimport:
    def test_importing_the_same_file_twice_changes_nothing_the_second_time(self, chamber):
        data = csv_file([case_row(), case_row(external_ref="MIA-002", title_en="Second")])
        apply_import(data, "cases.csv")
        before = register_snapshot()[0]

        result = apply_import(data, "cases.csv")

        assert (result.batch.created, result.batch.updated, result.batch.unchanged) == (0, 0, 2)
        assert register_snapshot()[0] == before  # not even updated_at moved

    def test_a_changed_row_updates_its_case_in_place(self, chamber, university):
        apply_import(csv_file([case_row(), case_row(external_ref="MIA-002")]), "v1.csv")
        first = Case.objects.get(external_ref="MIA-001")

        changed = case_row(
            title_en="Renamed",
            themes="energy",
            partners="Florida International University (sponsor)",
        )
        result = apply_import(csv_file([changed, case_row(external_ref="MIA-002")]), "v2.csv")

        assert (result.batch.created, result.batch.updated, result.batch.unchanged) == (0, 1, 1)
        assert Case.objects.count() == 2
        first.refresh_from_db()
        assert first.title_en == "Renamed"
        assert [t.slug for t in first.themes.all()] == ["energy"]
        assert [(r.partner, r.role) for r in first.partner_roles.all()] == [
            (university, "sponsor")
        ]
        assert first.import_batch == result.batch
        assert first.origin == CaseOrigin.IMPORT
        plan_rows = {row.external_ref: row for row in result.plan.rows}
        assert plan_rows["MIA-001"].changes == ["title_en", "themes", "partners"]

    def test_a_column_left_out_of_the_file_is_left_alone(self, chamber):
        apply_import(csv_file([case_row()]), "full.csv")
        keys = ["external_ref", "title_en", "start_date", "region", "format", "status"]
        header = [column.header for column in COLUMNS if column.key in keys]
        row = case_row(title_en="Only the title changes")

        apply_import(csv_file([row], header, keys=keys), "partial.csv")

        case = Case.objects.get()
        assert case.title_en == "Only the title changes"
        assert case.summary_en == "With the chamber."
        assert case.themes.count() == 2
        assert case.partner_roles.count() == 1

    def test_a_row_without_reference_updates_the_case_with_its_portal_id(self, make_case):
        case = make_case(title_en="Entered by staff")
        row = case_row(external_ref="", id=str(case.pk), title_en="Corrected", partners="")

        result = apply_import(csv_file([row]), "by-id.csv")

        assert result.batch.updated == 1
        case.refresh_from_db()
        assert case.title_en == "Corrected"
        assert case.external_ref == ""
        assert case.origin == CaseOrigin.STAFF


# --- invalid rows -----------------------------------------------------------------------------

BAD_ROWS = [
    # (what, overrides, column, value, words in the message)
    ("unknown region", {"region": "atlantis"}, "region", "atlantis", "no region"),
    ("unknown state", {"state": "ZZ"}, "state", "ZZ", "no state"),
    ("state outside the district", {"state": "CA"}, "state", "CA", "not in the district"),
    (
        "unknown theme",
        {"themes": "energy; moon-landing"},
        "themes",
        "energy; moon-landing",
        "moon-landing",
    ),
    ("reversed dates", {"end_date": "2024-10-01"}, "end_date", "2024-10-01", "before the start"),
    ("bad date", {"start_date": "15/10/2024"}, "start_date", "15/10/2024", "YYYY-MM-DD"),
    ("impossible date", {"start_date": "2024-02-30"}, "start_date", "2024-02-30", "no such day"),
    ("missing start date", {"start_date": ""}, "start_date", "", "required"),
    ("before FY2017", {"start_date": "2017-03-31"}, "start_date", "2017-03-31", "FY2017"),
    ("missing titles", {"title_en": "", "title_ja": ""}, "title_en", "", "title"),
    ("unknown format", {"format": "picnic"}, "format", "picnic", "Unknown value"),
    ("unknown status", {"status": "done"}, "status", "done", "Unknown value"),
    ("held in the future", {"start_date": "2099-04-01"}, "status", "held", "future"),
    ("bad boolean", {"is_public": "maybe"}, "is_public", "maybe", "yes or no"),
    ("bad number", {"participants": "about 80"}, "participants", "about 80", "whole number"),
    (
        "unknown partner",
        {"partners": "Nobody Inc (co-host)"},
        "partners",
        "Nobody Inc (co-host)",
        "no partner named",
    ),
    (
        "unknown role",
        {"partners": "Greater Miami Chamber of Commerce (host)"},
        "partners",
        "Greater Miami Chamber of Commerce (host)",
        "not a role",
    ),
    (
        "partner without role",
        {"partners": "Greater Miami Chamber of Commerce"},
        "partners",
        "Greater Miami Chamber of Commerce",
        "Name (role)",
    ),
    ("missing reference", {"external_ref": ""}, "external_ref", "", "external reference"),
    ("unknown portal id", {"external_ref": "", "id": "999999"}, "id", "999999", "no case"),
    ("wrong fiscal year", {"fiscal_year": "2023"}, "fiscal_year", "2023", "FY2024"),
    ("title too long", {"title_en": "x" * 301}, "title_en", "x" * 301, "300"),
]


@pytest.mark.django_db
class TestInvalidRows:
    @pytest.fixture
    def register(self, make_case, chamber):
        """Cases already in the register, one of them imported earlier."""
        apply_import(csv_file([case_row(external_ref="OLD-1", title_en="Before")]), "old.csv")
        make_case(title_en="Staff case", external_ref="")

    @pytest.mark.parametrize("position", [0, 2])
    @pytest.mark.parametrize(
        ("overrides", "column", "value", "words"),
        [pytest.param(*bad[1:], id=bad[0]) for bad in BAD_ROWS],
    )
    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    def test_a_bad_row_anywhere_changes_nothing_and_is_named(
        self, register, position, overrides, column, value, words, fmt
    ):
        rows = [
            case_row(external_ref="OLD-1", title_en="After"),  # would update
            case_row(external_ref="NEW-1"),  # would create
            case_row(external_ref="NEW-2"),
        ]
        bad = case_row(**{"external_ref": rows[position]["external_ref"], **overrides})
        rows[position] = bad
        data = csv_file(rows) if fmt == "csv" else xlsx_file(rows)
        before = register_snapshot()

        with pytest.raises(ImportInvalid) as raised:
            apply_import(data, f"bad.{fmt}")

        assert register_snapshot() == before
        plan = raised.value.plan
        assert plan.rejected == 1
        errors = [e for e in plan.errors if e.column == column]
        assert errors, plan.errors
        error = errors[0]
        assert error.row == position + 2  # the header is row 1
        assert error.value == value
        assert error.header == COLUMNS[KEYS.index(column)].header
        assert error.letter == string.ascii_uppercase[KEYS.index(column)]
        assert words.casefold() in error.message.casefold()
        assert f"row {position + 2}" in str(error)

    def test_a_reference_twice_in_the_file_rejects_the_second_row(self, chamber):
        data = csv_file([case_row(), case_row(title_en="Again")])
        plan = plan_import(data, "dup.csv")
        assert [row.action for row in plan.rows] == ["create", "rejected"]
        (error,) = plan.errors
        assert (error.row, error.column, error.value) == (3, "external_ref", "MIA-001")
        assert "row 2" in error.message
        with pytest.raises(ImportInvalid):
            apply_import(data, "dup.csv")
        assert not Case.objects.exists()

    def test_two_rows_about_one_case_are_rejected(self, chamber):
        apply_import(csv_file([case_row()]), "first.csv")
        case = Case.objects.get()
        rows = [case_row(title_en="By reference"), case_row(external_ref="", id=str(case.pk))]
        plan = plan_import(csv_file(rows), "twice.csv")
        (error,) = plan.errors
        assert (error.row, error.column, error.value) == (3, "id", str(case.pk))
        assert "Row 2 is already about this case" in error.message

    def test_every_error_of_every_row_is_listed(self, chamber):
        rows = [
            case_row(region="atlantis", format="picnic"),
            case_row(external_ref="B"),
            case_row(external_ref="C", state="ZZ"),
        ]
        plan = plan_import(csv_file(rows), "many.csv")
        assert [(e.row, e.column) for e in plan.errors] == [
            (2, "region"),
            (2, "format"),
            (4, "state"),
        ]
        assert [row.action for row in plan.rows] == ["rejected", "create", "rejected"]

    def test_a_formula_apostrophe_from_an_export_is_removed(self, chamber):
        apply_import(csv_file([case_row(title_en="'=1+1 and more")]), "quoted.csv")
        assert Case.objects.get().title_en == "=1+1 and more"


# --- refused files ----------------------------------------------------------------------------


def _zip_without_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


REFUSED = [
    ("too large", b"a" * (MAX_IMPORT_BYTES + 1), "big.csv", "up to 5.0"),
    ("empty", b"", "empty.csv", "empty"),
    ("only a byte-order mark", b"\xef\xbb\xbf\r\n", "bom.csv", "empty"),
    ("not a spreadsheet name", b"external_ref\nA\n", "cases.pdf", "Only CSV and XLSX"),
    ("binary data", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image.csv", "binary"),
    ("not text at all", bytes(range(128, 256)) * 4, "noise.csv", "not a CSV"),
    ("an old .xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64, "old.xls", "Only CSV"),
    (
        "an old .xls named .xlsx",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64,
        "old.xlsx",
        ".xls",
    ),
    ("a damaged workbook", b"PK\x03\x04" + b"\0" * 200, "broken.xlsx", "damaged"),
    ("a zip that is not a workbook", _zip_without_workbook(), "doc.xlsx", "not an Excel"),
    ("text named .xlsx", b"external_ref,title_en\nA,B\n", "fake.xlsx", "not an Excel"),
    (
        "missing required columns",
        b"title_en,start_date\nA,2024-10-01\n",
        "few.csv",
        "lacks required columns",
    ),
    (
        "no title column",
        b"external_ref,start_date,region,format,status\nA,2024-10-01,miami,workshop,held\n",
        "notitle.csv",
        "title column",
    ),
    ("a header and no rows", ",".join(HEADERS).encode(), "header.csv", "no cases"),
    ("a ragged row", (",".join(HEADERS) + "\r\nA,B,C\r\n").encode(), "ragged.csv", "has 3 cells"),
    (
        "cells beyond the header",
        (",".join(HEADERS) + "\r\n" + "A," * 25 + "Z\r\n").encode(),
        "wide.csv",
        "beyond the last column",
    ),
    (
        "a broken quote",
        (",".join(HEADERS) + '\r\n"A"B,' + "," * 17 + "\r\n").encode(),
        "quote.csv",
        "cannot be read",
    ),
    (
        "a column twice",
        (",".join([*HEADERS, "title_en"]) + "\r\n").encode(),
        "twice.csv",
        "appears twice",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "name", "words"), [pytest.param(*r[1:], id=r[0]) for r in REFUSED]
)
def test_a_malformed_file_is_refused_with_a_reason(make_case, data, name, words):
    make_case()
    before = register_snapshot()
    with pytest.raises(ImportRefused) as raised:
        apply_import(data, name)
    assert words.casefold() in str(raised.value).casefold()
    assert register_snapshot() == before


# --- round trip -------------------------------------------------------------------------------


@pytest.fixture
def varied_register(make_case, chamber, university):
    """Cases with everything an export has to carry, some of it awkward."""
    energy, events = Theme.objects.get(slug="energy"), Theme.objects.get(slug="japan-events")
    cases = [
        make_case(
            external_ref="RT-1",
            title_en='=HYPERLINK("http://evil")',
            title_ja="ニューヨークの女性とSTEM",
            summary_en='Line one\nline two, with a comma and "quotes"',
            summary_ja="",
            state="FL",
            city_en="Miami",
            participants=120,
            is_best_practice=True,
            themes=[energy, events],
            start_date=datetime.date(2025, 3, 31),
            end_date=datetime.date(2025, 4, 2),
        ),
        make_case(
            external_ref="RT-2",
            title_en="-5% emissions @ plant",
            title_ja="",
            region="new-york",
            state=None,
            status="planned",
            start_date=datetime.date(2024, 4, 1),
            is_public=False,
        ),
        make_case(external_ref="RT-3", title_en="+1 idea", region="los-angeles", state="CA"),
    ]
    CasePartner.objects.create(case=cases[0], partner=chamber, role="co-host")
    CasePartner.objects.create(case=cases[0], partner=university, role="speaker")
    CasePartner.objects.create(case=cases[2], partner=university, role="participant")
    return cases


@pytest.mark.django_db
class TestRoundTrip:
    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    def test_an_export_imported_again_changes_nothing(self, varied_register, make_case, fmt):
        make_case(external_ref="", title_en="Staff case without reference")
        data = self.export(fmt)
        before = register_snapshot()[0]

        result = apply_import(data, f"export.{fmt}")

        assert result.batch.unchanged == 4
        assert (result.batch.created, result.batch.updated) == (0, 0)
        assert register_snapshot()[0] == before

    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    def test_an_export_imported_into_an_empty_register_recreates_the_cases(
        self, varied_register, fmt
    ):
        data = self.export(fmt)
        originals = {
            case.external_ref: comparable(case)
            for case in Case.objects.prefetch_related("themes", "partner_roles__partner")
        }
        assert "'=HYPERLINK" in data.decode("utf-8", "replace") or fmt == "xlsx"
        Case.objects.all().delete()

        result = apply_import(data, f"export.{fmt}")

        assert result.batch.created == 3
        recreated = {
            case.external_ref: comparable(case)
            for case in Case.objects.prefetch_related("themes", "partner_roles__partner")
        }
        assert recreated == originals

    def test_the_public_download_imports_back_unchanged(self, varied_register, client):
        response = client.get("/en/cases/export.csv")
        data = b"".join(response.streaming_content)
        before = register_snapshot()[0]

        result = apply_import(data, "download.csv")

        assert result.batch.unchanged == 2  # the two public held cases
        assert register_snapshot()[0] == before

    @staticmethod
    def export(fmt) -> bytes:
        exporter = CaseExporter(Case.objects.all())
        if fmt == "csv":
            return csv_bytes(exporter)
        buffer = io.BytesIO()
        write_xlsx(exporter, buffer)
        return buffer.getvalue()


# --- the command ------------------------------------------------------------------------------


@pytest.mark.django_db
class TestCommand:
    def run(self, *args):
        """Run the command; returns (exit status as manage.py would give it, stdout, stderr).

        manage.py prints a CommandError's message to stderr and exits with its returncode
        (run_from_argv); it also closes the database connections, which would end the test's
        transaction, so the test calls the command directly and does the same itself.
        """
        out, err = io.StringIO(), io.StringIO()
        try:
            call_command("import_cases", *map(str, args), stdout=out, stderr=err)
        except CommandError as error:
            return error.returncode, out.getvalue(), err.getvalue() + f"CommandError: {error}\n"
        return 0, out.getvalue(), err.getvalue()

    def test_a_valid_file_is_imported_and_the_plan_printed(self, chamber, tmp_path, hq_editor):
        path = tmp_path / "cases.csv"
        path.write_bytes(csv_file([case_row(), case_row(external_ref="MIA-002")]))

        status, out, _err = self.run(path, "--user", hq_editor.username)

        assert status == 0
        assert "to create: 2" in out
        assert "+ row 2 MIA-001: Transport infrastructure workshop" in out
        assert "Imported as import #" in out
        assert ImportBatch.objects.get().imported_by == hq_editor
        assert Case.objects.count() == 2

    def test_a_dry_run_writes_nothing(self, chamber, tmp_path):
        path = tmp_path / "cases.xlsx"
        path.write_bytes(xlsx_file([case_row()]))
        status, out, _err = self.run(path, "--dry-run")
        assert status == 0
        assert "to create: 1" in out
        assert "Dry run" in out
        assert not Case.objects.exists()
        assert not ImportBatch.objects.exists()

    def test_invalid_rows_print_row_column_and_value_and_exit_non_zero(self, chamber, tmp_path):
        path = tmp_path / "bad.csv"
        path.write_bytes(csv_file([case_row(), case_row(external_ref="B", state="CA")]))

        status, out, err = self.run(path)

        assert status == 1
        assert "rejected: 1" in out
        assert "row 3, column J (state / 州) “CA”" in err
        assert "1 of 2 rows are invalid; nothing was imported." in err
        assert not Case.objects.exists()

    def test_a_dry_run_with_invalid_rows_also_exits_non_zero(self, chamber, tmp_path):
        path = tmp_path / "bad.csv"
        path.write_bytes(csv_file([case_row(region="nowhere")]))
        status, _out, err = self.run(path, "--dry-run")
        assert status == 1
        assert "nowhere" in err

    def test_a_refused_file_exits_non_zero_without_a_traceback(self, tmp_path):
        path = tmp_path / "notes.csv"
        path.write_bytes(b"")
        status, _out, err = self.run(path)
        assert status == 1
        assert "notes.csv was refused: The file is empty." in err
        assert "Traceback" not in err

    def test_unknown_user_and_missing_file_are_errors(self, tmp_path):
        with pytest.raises(CommandError, match="no user"):
            call_command("import_cases", str(tmp_path / "x.csv"), user="nobody")
        with pytest.raises(CommandError, match="no file"):
            call_command("import_cases", str(tmp_path / "x.csv"))


# --- the admin --------------------------------------------------------------------------------


@pytest.mark.django_db
class TestAdmin:
    upload_url = "/en/admin/exchange/importbatch/upload/"
    preview_url = "/en/admin/exchange/importbatch/upload/preview/"

    def upload(self, client, data: bytes, name: str):
        return client.post(self.upload_url, {"file": named_upload(data, name)})

    def test_upload_preview_confirm_imports_the_file(self, hq_client, hq_editor, chamber):
        assert hq_client.get(self.upload_url).status_code == 200
        data = csv_file([case_row(), case_row(external_ref="MIA-002", title_en="Second case")])

        preview = self.upload(hq_client, data, "cases.csv")

        page = preview.content.decode()
        assert preview.status_code == 200
        assert '<td class="created">2</td>' in page
        assert "Second case" in page
        assert not Case.objects.exists()
        sha256 = preview.context["plan"].sha256
        assert f'name="sha256" value="{sha256}"' in page
        # The preview can be seen again before confirming.
        assert hq_client.get(self.preview_url).context["plan"].sha256 == sha256

        done = hq_client.post(self.preview_url, {"sha256": sha256, "confirm": "Import"})

        batch = ImportBatch.objects.get()
        assert done.status_code == 302
        assert done["Location"] == reverse("admin:exchange_importbatch_change", args=[batch.pk])
        assert (batch.created, batch.imported_by) == (2, hq_editor)
        assert Case.objects.filter(import_batch=batch).count() == 2
        assert SESSION_KEY not in hq_client.session
        detail = hq_client.get(done["Location"])
        assert detail.status_code == 200
        assert "cases.csv" in detail.content.decode()
        cases_url = cases_admin_url(batch.pk)
        if cases_url:  # the import's cases, in the case admin
            assert f'href="{cases_url}"' in detail.content.decode()
            listed = hq_client.get(cases_url)
            assert listed.status_code == 200
            assert "Second case" in listed.content.decode()

    def test_an_invalid_file_shows_its_errors_and_no_import_button(self, hq_client, chamber):
        data = csv_file([case_row(), case_row(external_ref="B", region="atlantis")])

        response = self.upload(hq_client, data, "bad.csv")

        page = response.content.decode()
        assert response.status_code == 200
        assert '<td class="rejected">1</td>' in page
        assert "<td>3</td>" in page
        assert "region / 管轄地域" in page
        assert "<code>atlantis</code>" in page
        assert 'name="confirm"' not in page
        assert not Case.objects.exists()
        assert SESSION_KEY not in hq_client.session

    def test_a_refused_file_is_explained_on_the_upload_page(self, hq_client):
        response = self.upload(hq_client, b"\x89PNG\r\n\x1a\n\x00\x00", "photo.png")
        assert response.status_code == 200
        assert "Only CSV and XLSX files can be imported" in response.content.decode()

    def test_a_too_large_upload_is_refused(self, hq_client):
        response = self.upload(hq_client, b"a" * (MAX_IMPORT_BYTES + 1), "big.csv")
        assert response.status_code == 200
        assert "files up to 5.0" in response.content.decode()

    def test_confirming_with_another_checksum_imports_nothing(self, hq_client, chamber):
        self.upload(hq_client, csv_file([case_row()]), "cases.csv")
        response = hq_client.post(self.preview_url, {"sha256": "0" * 64, "confirm": "1"})
        assert response.status_code == 302
        assert not Case.objects.exists()

    def test_tampered_bytes_in_the_session_import_nothing(self, hq_client, chamber):
        self.upload(hq_client, csv_file([case_row()]), "cases.csv")
        session = hq_client.session
        pending = session[SESSION_KEY]
        pending["data"] = base64.b64encode(csv_file([case_row(title_en="Evil")])).decode()
        session[SESSION_KEY] = pending
        session.save()
        response = hq_client.post(self.preview_url, {"sha256": pending["sha256"], "confirm": "1"})
        assert response.status_code == 302
        assert not Case.objects.exists()

    def test_cancel_forgets_the_file(self, hq_client, chamber):
        self.upload(hq_client, csv_file([case_row()]), "cases.csv")
        response = hq_client.post(self.preview_url, {"cancel": "1"})
        assert response.status_code == 302
        assert SESSION_KEY not in hq_client.session
        assert not Case.objects.exists()

    def test_the_templates_download_and_import_once_the_partner_exists(self, hq_client, chamber):
        csv_response = hq_client.get("/en/admin/exchange/importbatch/template.csv")
        xlsx_response = hq_client.get("/en/admin/exchange/importbatch/template.xlsx")
        assert csv_response.content.startswith(b"\xef\xbb\xbfexternal_ref / ")
        sheet = openpyxl.load_workbook(io.BytesIO(xlsx_response.content)).worksheets[0]
        assert [cell.value for cell in sheet[1]] == HEADERS
        assert sheet["A2"].value == "MIA-2024-001"
        for content, name in ((csv_response.content, "t.csv"), (xlsx_response.content, "t.xlsx")):
            plan = plan_import(content, name)
            assert (plan.created, plan.rejected) == (1, 0)

    def test_the_list_of_imports_offers_the_import_and_report_pages(self, hq_client, chamber):
        apply_import(csv_file([case_row()]), "cases.csv")
        page = hq_client.get("/en/admin/exchange/importbatch/").content.decode()
        assert "cases.csv" in page
        assert self.upload_url in page
        assert "/en/admin/reports/region/" in page
        assert hq_client.get("/en/admin/exchange/importbatch/add/")["Location"].endswith(
            "/upload/"
        )

    def test_staff_without_permission_cannot_import(self, client, django_user_model):
        user = django_user_model.objects.create_user("clerk", password=None, is_staff=True)
        client.force_login(user)
        assert client.get(self.upload_url).status_code == 403


def named_upload(data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data)


# --- formulas ---------------------------------------------------------------------------------


@pytest.mark.django_db
class TestFormulas:
    """A formula cell is refused with its row and column, never imported as an empty value."""

    @pytest.mark.parametrize(
        ("column", "formula"),
        [
            ("title_en", '=HYPERLINK("https://example.org","Workshop")'),
            ("participants", "=5*2"),
            ("themes", '=CONCAT("energy",";")'),
            ("external_ref", '="MIA-"&1'),
        ],
    )
    def test_a_formula_cell_rejects_its_row_naming_row_and_column(self, chamber, column, formula):
        bad = case_row(**{"external_ref": "F-1", column: formula})
        rows = [case_row(external_ref="OK-1"), bad]
        data = xlsx_file(rows)
        with pytest.raises(ImportInvalid) as raised:
            apply_import(data, "formulas.xlsx")
        assert not Case.objects.exists()
        plan = raised.value.plan
        assert [row.action for row in plan.rows] == ["create", "rejected"]
        (error,) = [e for e in plan.errors if e.column == column]
        assert error.row == 3
        assert error.letter == "ABCDEFGHIJKLMNOPQRS"[KEYS.index(column)]
        assert error.value == formula
        assert "formula" in error.message
        assert "row 3, column" in str(error)

    def test_the_import_command_fails_on_a_formula(self, chamber, tmp_path):
        path = tmp_path / "formulas.xlsx"
        path.write_bytes(xlsx_file([case_row(title_en="=5*2")]))
        err = io.StringIO()
        with pytest.raises(CommandError, match="nothing was imported"):
            call_command("import_cases", str(path), stdout=io.StringIO(), stderr=err)
        assert not Case.objects.exists()
        assert "row 2, column B" in err.getvalue()
        assert "formula" in err.getvalue()

    def test_the_preview_calls_the_file_invalid_and_shows_the_cell(self, hq_client, chamber):
        data = xlsx_file([case_row(title_en="=5*2")])
        response = hq_client.post(
            "/en/admin/exchange/importbatch/upload/", {"file": named_upload(data, "f.xlsx")}
        )
        page = response.content.decode()
        assert response.status_code == 200
        assert not response.context["plan"].is_valid
        assert "=5*2" in page
        assert "formula" in page

    def test_a_text_cell_that_starts_with_an_equals_sign_is_text(self, chamber):
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.append(HEADERS)
        row = case_row()
        sheet.append([row.get(key) for key in KEYS])
        cell = sheet.cell(row=2, column=KEYS.index("summary_ja") + 1)
        cell.value = "=は等号"
        cell.data_type = "s"
        buffer = io.BytesIO()
        workbook.save(buffer)
        apply_import(buffer.getvalue(), "text.xlsx")
        assert Case.objects.get().summary_ja == "=は等号"
