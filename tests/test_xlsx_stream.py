"""The case workbook streams (issue 14, item 5): the zip goes out as its rows are read, in
constant memory, and holds what xlsxwriter made of the same exporter: the same values, types,
formats, frozen header, filter and "about" sheet."""

import datetime
import io
import re
import runpy
import tracemalloc
import zipfile
from decimal import Decimal
from xml.dom import minidom

import openpyxl
import pytest
from django.conf import settings
from django.http import QueryDict
from hypothesis import given
from hypothesis import strategies as st

from cases.models import Case, CasePartner, Partner, PartnerKind, Theme
from exchange import heartbeat, writers
from exchange.columns import COLUMNS, HEADERS
from exchange.exporting import CaseExporter, PartnerCell
from exchange.template_files import EXAMPLE
from exchange.writers import write_xlsx, xlsx_bytes, xlsx_chunks
from tests.office import convert

KEYS = [column.key for column in COLUMNS]
ABOUT = [["Data as of / データの日付", "2026-12-04"], ["Filters", "=region=miami"]]


def row(i: int, **values) -> list:
    """A case row as `CaseExporter.rows()` gives it, `values` by column key."""
    # The import template's example case (exchange.template_files.EXAMPLE), numbered.
    base = {
        **EXAMPLE,
        "external_ref": f"REF-{i}",
        "title_en": f"Workshop number {i}",
        "summary_en": "Co-hosted with the chamber of commerce, " * 3,
        "summary_ja": "商工会議所との共催。" * 4,
        "start_date": datetime.date(2024, 4, 1) + datetime.timedelta(days=i % 365),
        "is_best_practice": i % 2 == 0,
        "participants": 1000 + i,
        "themes": ["culture", "energy"],
        "partners": [PartnerCell("Greater Miami Chamber", "co-host")],
        "id": i,
    }
    base.update(values)
    return [base[key] for key in KEYS]


AWKWARD = [
    row(1, title_en='=HYPERLINK("http://evil.example","click")', city_en="@home"),
    row(2, title_en="+81 東京", summary_en="-1 plus one", title_ja="＝全角"),
    row(3, title_en="NUL\x00 and VT\x0b and ESC\x1b", summary_en="Line one\nline two\r\nend"),
    row(4, title_en="  spaces around  ", summary_en="\ttab first", city_en="_x0041_ stays"),
    row(5, title_en="<r>not rich</r>", summary_en="a & b < c > d ]]> \"q\" 'a'"),
    row(6, title_en="x" * 40_000, summary_en="😀" * 20_000, summary_ja="\ufffe\uffff"),
    row(7, themes=[], partners=[], county=None, state=None, participants=None, id=None),
    row(8, end_date=datetime.date(2024, 12, 31), participants=0, is_public=False),
    row(9, participants=2.5, fiscal_year=2025, title_en=Decimal("1.50")),
    row(10, start_date=datetime.datetime(2024, 5, 6, 18, 30), summary_ja=""),  # noqa: DTZ001
]


# xlsxwriter writes a text of the form "<r>...</r>" as raw XML (a rich string: the cell reads
# back empty, or breaks the file); the streamed writer writes it as the text it is.
SAME = [values for values in AWKWARD if values[1] != "<r>not rich</r>"]


class Exporter:
    """The shape of CaseExporter over rows made here; `read` counts the rows handed out."""

    def __init__(self, rows, header=HEADERS):
        self.source = rows
        self.read = 0
        self.columns = COLUMNS
        self.heading = header

    def keys(self):
        return KEYS

    def header(self):
        return self.heading

    def rows(self):
        for values in self.source:
            self.read += 1
            yield values


class Synthetic(Exporter):
    """`count` rows made as they are read."""

    def __init__(self, count: int):
        super().__init__(())
        self.count = count

    def rows(self):
        for i in range(self.count):
            self.read += 1
            yield row(i)


def old_xlsx(exporter, about=None) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(exporter, buffer, about=about)
    return buffer.getvalue()


def cell_facts(cell) -> tuple:
    return (
        cell.coordinate,
        cell.value,
        cell.data_type,
        cell.number_format,
        cell.font.b,
        cell.font.color.rgb if cell.font.color is not None else None,
        cell.fill.fill_type,
        cell.fill.fgColor.rgb,
        cell.alignment.wrap_text,
        cell.alignment.vertical,
        cell.border.left.style,
    )


def book_facts(data: bytes) -> dict:
    """What a person opening the workbook sees, as openpyxl reads it."""
    book = openpyxl.load_workbook(io.BytesIO(data))
    facts = {"sheets": book.sheetnames}
    for sheet in book.worksheets:
        facts[sheet.title] = {
            "freeze": sheet.freeze_panes,
            "filter": sheet.auto_filter.ref,
            "widths": {key: dim.width for key, dim in sheet.column_dimensions.items()},
            "cells": [[cell_facts(cell) for cell in cells] for cells in sheet.iter_rows()],
        }
    return facts


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def without_dimension(xml: bytes) -> bytes:
    return re.sub(rb"<dimension [^>]*/>", b"", xml)


class TestSameWorkbook:
    @pytest.mark.parametrize("about", [None, ABOUT])
    def test_the_streamed_workbook_holds_what_xlsxwriter_made(self, about):
        old, new = old_xlsx(Exporter(SAME), about), xlsx_bytes(Exporter(SAME), about=about)
        assert book_facts(new) == book_facts(old)
        facts = book_facts(new)
        assert facts["sheets"] == (["cases", "about"] if about else ["cases"])
        cases = facts["cases"]
        assert cases["freeze"] == "A2"
        assert cases["filter"] == f"A1:U{len(SAME) + 1}"
        assert cases["widths"]["B"] == pytest.approx(40.71, abs=0.01)
        # The header: bold white text on dark blue, wrapped, at the top, boxed.
        header = cases["cells"][0][0]
        assert header[1:3] == (HEADERS[0], "s")
        assert header[4:] == (True, "FFFFFFFF", "solid", "FF1D3F72", True, "top", "thin")

    def test_the_sheet_xml_is_xlsxwriters_byte_for_byte(self):
        old = parts(old_xlsx(Exporter(SAME), ABOUT))
        new = parts(xlsx_bytes(Exporter(SAME), about=ABOUT))
        assert set(new) == set(old)
        for name in old:
            if name == "docProps/core.xml":  # the creation time
                continue
            assert without_dimension(new[name]) == without_dimension(old[name]), name

    def test_values_types_and_formats_read_back(self):
        sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(Exporter(AWKWARD)))).worksheets[0]
        values = list(sheet.iter_rows(values_only=True))
        assert list(values[0]) == HEADERS
        first = dict(zip(KEYS, values[1], strict=True))
        assert first["title_en"] == '\'=HYPERLINK("http://evil.example","click")'
        assert first["city_en"] == "'@home"
        assert first["start_date"] == datetime.datetime(2024, 4, 2)  # noqa: DTZ001
        assert first["is_public"] is True
        assert first["themes"] == "culture; energy"
        assert first["partners"] == "Greater Miami Chamber (co-host)"
        cells = {KEYS[cell.column - 1]: cell for cell in sheet[2]}
        assert cells["start_date"].number_format == "yyyy-mm-dd"
        assert cells["participants"].number_format == "#,##0"
        assert cells["fiscal_year"].number_format == "0"
        assert cells["id"].number_format == "0"
        assert cells["is_public"].data_type == "b"
        assert all(cell.data_type != "f" for cells in sheet.iter_rows() for cell in cells)
        timed = dict(zip(KEYS, values[10], strict=True))
        assert timed["start_date"] == datetime.datetime(2024, 5, 6, 18, 30)  # noqa: DTZ001

    def test_bad_characters_leave_every_part_well_formed_xml(self):
        rows = [*AWKWARD, row(11, title_en="\ud800 lone surrogate")]
        data = xlsx_bytes(Exporter(rows), about=[["NUL\x00", "VT\x0b"]])
        for xml in parts(data).values():
            minidom.parseString(xml)  # raises on anything that is not well-formed XML
        values = list(
            openpyxl.load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True)
        )
        titles = [values[n][1] for n in range(1, len(values))]
        assert titles[4] == "<r>not rich</r>"
        assert len(titles[5]) == 32_767  # Excel's longest cell, as xlsxwriter cuts it
        assert values[5][3] == "a & b < c > d ]]> \"q\" 'a'"
        assert titles[10] == "? lone surrogate"

    @given(
        st.text(
            st.sampled_from("ab _x0D41=+-@&<>\t\r\n\x00\x0b\x1f\ufffe\u3000＝＠日"),
            min_size=1,
        )
        | st.text(min_size=1)
    )
    def test_a_plain_cell_is_written_as_every_cell_is(self, text):
        # Most cells take a short way (nothing to neutralise, escape or preserve); it must
        # write what the whole way writes.
        assert writers._cell_text_xml("B2", text) == writers._text_xml(
            "B2", writers.neutralise(text)
        )

    def test_an_empty_table_has_a_header_and_no_filter(self):
        old, new = old_xlsx(Exporter([])), xlsx_bytes(Exporter([]))
        assert book_facts(new) == book_facts(old)
        assert book_facts(new)["cases"]["filter"] is None
        assert b"_FilterDatabase" not in parts(new)["xl/workbook.xml"]


class TestStreaming:
    def test_the_first_bytes_leave_before_any_row_is_read(self):
        exporter = Synthetic(5_000)
        chunks = xlsx_chunks(exporter)
        first = next(chunks)
        assert first.startswith(b"PK\x03\x04")
        assert exporter.read == 0
        # Then the sheet goes out as its rows are read, not after the last one.
        assert next(chunks)
        assert 0 < exporter.read < 5_000
        rest = b"".join(chunks)
        assert exporter.read == 5_000
        assert rest

    def test_memory_stays_that_of_a_chunk_of_rows(self):
        class Repeated(Exporter):
            def rows(self):
                for _ in range(30_000):
                    self.read += 1
                    yield values

        values = row(1)
        exporter = Repeated(())
        size = 0
        tracemalloc.start()
        try:
            for chunk in xlsx_chunks(exporter):
                size += len(chunk)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert exporter.read == 30_000
        # A few dozen rows of XML and the zip writer's buffers, whatever the file's size.
        assert size > 2_000_000
        assert peak < 1_000_000, (peak, size)

    def test_a_download_abandoned_half_way_closes_the_rows(self):
        exporter = Synthetic(5_000)
        chunks = xlsx_chunks(exporter)
        next(chunks)
        next(chunks)
        chunks.close()
        assert exporter.read < 5_000


@pytest.mark.django_db
class TestDownload:
    @pytest.fixture
    def cases(self, make_case):
        energy = Theme.objects.get(slug="energy")
        chamber = Partner.objects.create(name_en="@Chamber", kind=PartnerKind.CHAMBER)
        made = [
            make_case(title_en="=1+1", summary_en="Line\x0bbreak", themes=[energy]),
            make_case(title_en="Women in STEM", region="new-york", state="NY"),
            make_case(title_en="Older", start_date=datetime.date(2022, 5, 1), participants=1234),
        ]
        CasePartner.objects.create(case=made[0], partner=chamber, role="co-host")
        return made

    def test_the_public_download_streams_the_workbook_of_the_plain_path(self, client, cases):
        from exchange.filtering import public_cases

        response = client.get("/en/cases/export.xlsx?from=2022")
        assert response.status_code == 200
        assert response.streaming
        assert response["Content-Type"].startswith("application/vnd.openxmlformats")
        assert response["Content-Disposition"].startswith('attachment; filename="grassroots-')
        data = b"".join(response.streaming_content)
        exporter = CaseExporter(public_cases(QueryDict("from=2022")))
        exporter.table_rows = exporter.rows  # the model path, whatever the database
        new, old = book_facts(data), book_facts(old_xlsx(exporter, about=[["x", "y"]]))
        assert new["sheets"] == ["cases", "about"]
        assert new["cases"] == old["cases"]
        assert len(new["cases"]["cells"]) == 4

    def test_a_download_abandoned_half_way_leaves_the_connection_usable(
        self, make_case, monkeypatch
    ):
        # On PostgreSQL the rows come through a server-side cursor, still open half way.
        monkeypatch.setattr(writers, "XLSX_CHUNK_BYTES", 1)  # a chunk every 50 rows
        for i in range(120):
            make_case(title_en=f"Case {i}")
        chunks = xlsx_chunks(CaseExporter(Case.objects.all()))
        next(chunks)  # the fixed parts
        next(chunks)  # the first rows: the query is running
        chunks.close()  # the client went away
        assert Case.objects.count() == 120


@pytest.mark.libreoffice
def test_libreoffice_opens_the_streamed_workbook(tmp_path):
    path = tmp_path / "cases.xlsx"
    path.write_bytes(xlsx_bytes(Exporter(AWKWARD[:5]), about=ABOUT))
    text = convert(path, tmp_path, "csv", "Text - txt - csv (StarCalc):44,34,76").read_text(
        "utf-8"
    )
    assert "'=HYPERLINK" in text
    assert "交通インフラに関するワークショップ" in text
    assert "2024-04-02" in text
    assert "1,001" in text
    assert "spaces around" in text


class TestHeartbeat:
    """A streamed download tells gunicorn its worker is alive as it sends (a sync worker's
    timeout otherwise counts the whole response: a 6-second XLSX was cut at a 3-second timeout
    before, and is whole with the heartbeat)."""

    @pytest.fixture
    def beats(self, monkeypatch):
        calls = []
        monkeypatch.setattr(heartbeat, "INTERVAL", 0)
        heartbeat.install(lambda: calls.append(1))
        yield calls
        heartbeat.install(None)

    def test_the_xlsx_beats_as_its_chunks_go_out(self, beats):
        chunks = list(xlsx_chunks(Synthetic(5_000)))
        assert len(chunks) > 5
        assert len(beats) >= len(chunks) - 2

    def test_csv_and_json_downloads_beat(self, beats):
        exporter = Synthetic(3)
        b"".join(writers.csv_response(exporter, "x.csv").streaming_content)
        exporter.records = lambda: ({"n": n} for n in range(3))
        b"".join(writers.json_response(exporter, {}).streaming_content)
        assert len(beats) >= 2

    def test_beats_are_spaced_and_nothing_happens_outside_gunicorn(self, monkeypatch):
        calls = []
        heartbeat.install(lambda: calls.append(1))
        try:
            for _ in range(100):
                heartbeat.beat()
        finally:
            heartbeat.install(None)
        assert calls == [1]  # at most one per INTERVAL
        heartbeat.beat()  # none installed: nothing to call

    def test_each_gunicorn_worker_installs_its_notify(self):
        config = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))

        class Worker:
            def notify(self):
                pass

        worker = Worker()
        try:
            config["post_worker_init"](worker)
            assert heartbeat._notify == worker.notify
        finally:
            heartbeat.install(None)
