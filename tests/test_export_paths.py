"""The two ways an export reads its rows give the same file.

On PostgreSQL a CSV download is streamed by `COPY (...) TO STDOUT` and an XLSX reads one flat
query; everywhere else the Python writer walks model instances. The PostgreSQL paths must give
the very bytes (CSV) and values (XLSX) of the Python path for awkward data: Japanese text,
commas, quotes, line breaks, empty cells, formula triggers, several themes and partners, no
state.
"""

import csv
import datetime
import io
import threading

import openpyxl
import pytest
from django.db import connection

from cases.models import Case, CasePartner, Partner, PartnerKind, Region, State, Theme
from exchange.columns import HEADERS
from exchange.exporting import CaseExporter, flat_rows, uses_flat_path
from exchange.writers import csv_byte_chunks, csv_chunks, write_xlsx

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the COPY path exists on PostgreSQL only"
)


def add_case(region="miami", state="FL", themes=(), partners=(), **fields) -> Case:
    """A saved held public case (saved as the admin saves it, so every derived field is set)."""
    values = {
        "title_en": "Case",
        "title_ja": "",
        "start_date": datetime.date(2024, 10, 1),
        "format": "workshop",
        "status": "held",
        "is_public": True,
    }
    values.update(fields)
    case = Case(
        region=Region.objects.get(code=region),
        state=State.objects.get(code=state) if state else None,
        **values,
    )
    case.save()
    case.themes.set(Theme.objects.filter(slug__in=themes))
    for partner, role in partners:
        CasePartner.objects.create(case=case, partner=partner, role=role)
    return case


@pytest.fixture
def awkward(db):
    """Cases holding everything a CSV writer can get wrong."""
    comma = Partner.objects.create(name_en='Acme, "the" Company', kind=PartnerKind.US_COMPANY)
    formula = Partner.objects.create(name_en="=Formula Inc", kind=PartnerKind.OTHER)
    university = Partner.objects.create(
        name_en="Zeta University", name_ja="ゼータ大学", kind=PartnerKind.UNIVERSITY
    )
    lower = Partner.objects.create(name_en="alpha lower-case", kind=PartnerKind.NONPROFIT)
    return [
        add_case(
            external_ref="AW-1",
            title_en='Workshop, with "quotes"',
            title_ja="ニューヨークの女性とSTEM、カンマ",
            summary_en="Line one\nline two\r\nline three",
            summary_ja="改行\nあり",
            city_en="New York, NY",
            participants=120,
            is_best_practice=True,
            end_date=datetime.date(2024, 10, 3),
            themes=["energy", "investment-jobs", "culture", "supply-chain"],
            partners=[(university, "speaker"), (comma, "co-host"), (lower, "co-host")],
        ),
        add_case(
            external_ref="",
            title_en="",
            title_ja="＝全角の式",
            summary_en="-5% emissions",
            summary_ja="",
            region="new-york",
            state=None,
            city_en="",
            start_date=datetime.date(2025, 3, 31),
            partners=[(formula, "sponsor")],
        ),
        add_case(
            external_ref="@ref",
            title_en="+1 idea",
            summary_en='"Quoted from the start',
            city_en="\ttabbed",
            region="los-angeles",
            state="CA",
            start_date=datetime.date(2023, 4, 1),
            themes=["japan-events"],
        ),
        add_case(external_ref="AW-4", title_en="Not public", is_public=False),
    ]


def python_csv(exporter) -> bytes:
    return "".join(csv_chunks(exporter.header(), exporter.rows())).encode("utf-8")


def as_text(value):
    """A value as the Python path's row gives it, with lists joined as the writers join them."""
    if isinstance(value, list):
        return "; ".join(str(item) for item in value) or None
    return value


@pytest.mark.django_db
def test_sqlite_and_other_databases_keep_the_python_writer(awkward):
    exporter = CaseExporter(Case.objects.all())
    assert exporter.flat is uses_flat_path(Case.objects.all())
    if connection.vendor != "postgresql":
        assert b"".join(csv_byte_chunks(exporter)) == python_csv(exporter)


@on_postgresql
@pytest.mark.django_db
class TestPostgresqlPaths:
    def test_copy_writes_the_bytes_of_the_python_csv_writer(self, awkward):
        exporter = CaseExporter(Case.objects.all())
        assert exporter.flat
        copied = b"".join(csv_byte_chunks(exporter))
        assert copied == python_csv(exporter)
        rows = list(csv.reader(io.StringIO(copied.decode("utf-8-sig"), newline="")))
        assert rows[0] == HEADERS
        assert len(rows) == 5
        first = next(dict(zip(HEADERS, row, strict=True)) for row in rows if row[0] == "AW-1")
        # By role, then name by code point (upper case before lower), as Python sorts.
        assert first["partners / パートナー"] == (
            'Acme, "the" Company (co-host); alpha lower-case (co-host); Zeta University (speaker)'
        )
        themes = Theme.objects.filter(
            slug__in=["energy", "investment-jobs", "culture", "supply-chain"]
        )
        in_order = sorted(themes, key=lambda theme: (theme.group, theme.sort_order, theme.slug))
        assert first["themes / テーマ"] == "; ".join(theme.slug for theme in in_order)
        assert first["summary_en / 概要（英語）"] == "Line one\nline two\r\nline three"

    @pytest.mark.parametrize(
        "query",
        ["", "region=miami", "q=acme", "sort=title", "sort=oldest", "state=CA", "theme=energy"],
    )
    def test_the_download_streams_copy_output_with_the_browsers_filters(
        self, client, awkward, query
    ):
        from django.http import QueryDict

        from exchange.filtering import public_cases

        response = client.get(f"/en/cases/export.csv?{query}")
        assert response.status_code == 200
        data = b"".join(response.streaming_content)
        expected = python_csv(CaseExporter(public_cases(QueryDict(query))))
        # Under the provenance lines and the blank line, the table is the Python writer's.
        preamble, table = data.split(b"\r\n\r\n", 1)
        assert preamble.startswith(b"\xef\xbb\xbf")
        assert b"\xef\xbb\xbf" + table == expected

    def test_the_download_is_one_copy_statement(self, client, awkward, django_assert_num_queries):
        # The rows come from one COPY; the count, data date and demonstration flag of the
        # provenance lines are the other three.
        with django_assert_num_queries(4) as captured:
            response = client.get("/en/cases/export.csv")
            b"".join(response.streaming_content)
        copies = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("COPY (")]
        assert len(copies) == 1

    def test_the_flat_rows_hold_the_values_of_the_model_rows(self, awkward):
        exporter = CaseExporter(Case.objects.all())
        portable = [[as_text(value) for value in row] for row in exporter.rows()]
        flat = [[value if value != "" else None for value in row] for row in exporter.table_rows()]
        portable = [[value if value != "" else None for value in row] for row in portable]
        assert flat == portable

    def test_the_xlsx_from_the_flat_query_matches_the_python_path(self, awkward):
        def cells(exporter):
            buffer = io.BytesIO()
            write_xlsx(exporter, buffer)
            sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).worksheets[0]
            return [list(row) for row in sheet.iter_rows(values_only=True)]

        flat = CaseExporter(Case.objects.all())
        portable = CaseExporter(Case.objects.all())
        portable.table_rows = portable.rows  # force the model path for the comparison
        assert cells(flat) == cells(portable)
        assert cells(flat)[0] == HEADERS

    def test_a_download_abandoned_half_way_leaves_the_connection_usable(self, awkward):
        exporter = CaseExporter(Case.objects.all())
        stream = csv_byte_chunks(exporter)
        next(stream)  # the header
        next(stream)  # the first rows: the COPY is running
        stream.close()  # the client went away
        assert Case.objects.count() == 4

    def test_the_flat_query_keeps_the_querysets_filters_and_order(self, awkward):
        queryset = Case.objects.filter(region__code="miami").order_by("start_date", "pk")
        ids = [row[-1] for row in flat_rows(queryset)]
        assert ids == list(queryset.values_list("pk", flat=True))

    @pytest.mark.parametrize("chunk_size", [1, 3])
    def test_the_flat_rows_come_a_chunk_of_ids_at_a_time_in_order(
        self, awkward, chunk_size, django_assert_num_queries
    ):
        queryset = Case.objects.order_by("title_en", "pk")
        whole = list(flat_rows(queryset))
        # The ids through one cursor, then one query for each chunk of them.
        chunks = -(-len(awkward) // chunk_size)
        with django_assert_num_queries(1 + chunks):
            chunked = list(flat_rows(queryset, chunk_size=chunk_size))
        assert chunked == whole
        assert [row[-1] for row in chunked] == list(queryset.values_list("pk", flat=True))

    def test_an_export_abandoned_between_chunks_leaves_the_connection_usable(self, awkward):
        rows = flat_rows(Case.objects.all(), chunk_size=1)
        next(rows)  # the first chunk is written while the next ones are read
        rows.close()  # the client went away
        assert not [t for t in threading.enumerate() if t.name == "read-ahead"]
        assert Case.objects.count() == 4
