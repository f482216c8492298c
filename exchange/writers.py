"""The one writer: an exporter (header plus row generator) as CSV, XLSX or JSON.

- CSV is UTF-8 with a byte-order mark, so Japanese Excel opens it correctly, and streams. On
  PostgreSQL the rows come straight from `COPY ... TO STDOUT` (`exporting.copy_csv`), byte for
  byte what the Python writer makes of them; elsewhere the Python writer writes them.
- XLSX is written by xlsxwriter in constant-memory mode into a temporary file, from the
  exporter's fastest row source (`table_rows()`).
- JSON streams one record at a time.

In CSV and XLSX a text cell that starts with = + - @ (or a tab or carriage return, or their
full-width forms) gets a leading apostrophe, so opening the file never runs a formula. The
importer takes that apostrophe off again, so an export imports back unchanged.
"""

import csv
import datetime
import io
import json
import tempfile
from collections.abc import Iterable, Iterator

import xlsxwriter
from django.http import FileResponse, StreamingHttpResponse

from exchange.exporting import PartnerCell

BOM = "\ufeff"
# Characters a spreadsheet may read as the start of a formula or of a DDE payload.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
QUOTE = "'"
LIST_SEPARATOR = "; "
ROWS_PER_CHUNK = 200

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON_CONTENT_TYPE = "application/json"


def neutralise(text: str) -> str:
    """Text that cannot start a formula in a spreadsheet: '=1+1 for =1+1."""
    if text and text.startswith(FORMULA_TRIGGERS):
        return QUOTE + text
    return text


def unneutralise(text: str) -> str:
    """The text neutralise() was given: the importer's side of the round trip."""
    if len(text) > 1 and text[0] == QUOTE and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:]
    return text


def text_cell(value) -> str:
    """A value as the text a CSV cell holds (already neutralised)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return neutralise(LIST_SEPARATOR.join(str(item) for item in value))
    if isinstance(value, int | float):
        return str(value)
    return neutralise(str(value))


# --- CSV --------------------------------------------------------------------------------------


class _Line:
    """A file-like object that hands back what csv.writer writes to it."""

    def write(self, value):
        return value


def csv_chunks(header: list[str], rows: Iterable[list]) -> Iterator[str]:
    """The CSV text in chunks of a few hundred rows, the byte-order mark first."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    yield BOM + writer.writerow([neutralise(h) for h in header])
    buffer = []
    for row in rows:
        buffer.append(writer.writerow([text_cell(value) for value in row]))
        if len(buffer) >= ROWS_PER_CHUNK:
            yield "".join(buffer)
            buffer = []
    if buffer:
        yield "".join(buffer)


def preamble_text(rows: list[list[str]]) -> str:
    """Lines that say what a file is (provenance), then an empty line, before its header. The
    importer skips lines above the header row, so the file still imports back."""
    writer = csv.writer(_Line(), lineterminator="\r\n")
    return "".join(writer.writerow([neutralise(cell) for cell in row]) for row in rows) + "\r\n"


def csv_byte_chunks(exporter, preamble: list[list[str]] | None = None) -> Iterator[bytes]:
    """The exporter's CSV file as encoded chunks, by the database's COPY where it can."""
    if preamble:
        yield (BOM + preamble_text(preamble)).encode("utf-8")
        chunks = csv_byte_chunks(exporter)
        yield next(chunks).removeprefix(BOM.encode("utf-8"))
        yield from chunks
        return
    if getattr(exporter, "flat", False):
        yield "".join(csv_chunks(exporter.header(), [])).encode("utf-8")
        yield from exporter.copy_rows()
        return
    for chunk in csv_chunks(exporter.header(), exporter.rows()):
        yield chunk.encode("utf-8")


def write_csv(exporter, stream) -> None:
    """Write the exporter's CSV to an open binary file."""
    for chunk in csv_byte_chunks(exporter):
        stream.write(chunk)


def csv_response(exporter, filename: str, preamble=None) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        csv_byte_chunks(exporter, preamble), content_type=CSV_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- XLSX -------------------------------------------------------------------------------------

WORKBOOK_OPTIONS = {
    "constant_memory": True,
    # Text stays text: never a formula, never a hyperlink, never a number.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


class SheetFormats:
    """The cell formats a workbook's sheets share."""

    def __init__(self, workbook):
        self.header = workbook.add_format(
            {
                "bold": True,
                "bg_color": "#1D3F72",
                "font_color": "#FFFFFF",
                "text_wrap": True,
                "valign": "top",
                "border": 1,
            }
        )
        self.date = workbook.add_format({"num_format": "yyyy-mm-dd"})
        self.integer = workbook.add_format({"num_format": "#,##0"})
        self.plain_integer = workbook.add_format({"num_format": "0"})
        self.text = workbook.add_format({"valign": "top"})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.label = workbook.add_format({"bold": True, "valign": "top"})
        self.link = workbook.add_format({"font_color": "#1D3F72", "underline": 1})
        self.percent = workbook.add_format({"num_format": "+0.0%;-0.0%;0.0%"})
        self.signed = workbook.add_format({"num_format": "+#,##0;-#,##0;0"})


# Width (in characters) of each case column when the sheet opens.
CASE_COLUMN_WIDTHS = {
    "external_ref": 16,
    "title_en": 40,
    "title_ja": 36,
    "summary_en": 50,
    "summary_ja": 44,
    "start_date": 12,
    "end_date": 12,
    "fiscal_year": 10,
    "region": 16,
    "state": 8,
    "county": 16,
    "city_en": 16,
    "city_ja": 14,
    "format": 14,
    "status": 10,
    "is_public": 8,
    "is_best_practice": 10,
    "participants": 12,
    "themes": 30,
    "partners": 40,
    "id": 8,
}


def write_cell(sheet, row: int, col: int, value, formats: SheetFormats, key: str = "") -> None:
    """One value in its native Excel type; text always as neutralised text."""
    if value is None or value == "":
        sheet.write_blank(row, col, None)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, datetime.date):
        sheet.write_datetime(row, col, value, formats.date)
    elif isinstance(value, int | float):
        fmt = formats.plain_integer if key in ("id", "fiscal_year") else formats.integer
        sheet.write_number(row, col, value, fmt)
    elif isinstance(value, list):
        text = LIST_SEPARATOR.join(str(v) for v in value)
        if text:
            sheet.write_string(row, col, neutralise(text))
        else:
            sheet.write_blank(row, col, None)
    else:
        sheet.write_string(row, col, neutralise(str(value)))


def write_table(sheet, first_row: int, exporter, formats: SheetFormats) -> int:
    """The exporter's header and rows on a sheet from `first_row`; returns the rows written.

    Rows go in order, as constant-memory mode requires.
    """
    keys = exporter.keys()
    for col, (key, title) in enumerate(zip(keys, exporter.header(), strict=True)):
        sheet.write_string(first_row, col, neutralise(title), formats.header)
        sheet.set_column(col, col, CASE_COLUMN_WIDTHS.get(key, 14))
    sheet.freeze_panes(first_row + 1, 0)
    count = 0
    # A case exporter offers its fastest row source; other exporters (the template) just rows.
    rows = exporter.table_rows() if hasattr(exporter, "table_rows") else exporter.rows()
    for count, row in enumerate(rows, start=1):
        for col, (key, value) in enumerate(zip(keys, row, strict=True)):
            write_cell(sheet, first_row + count, col, value, formats, key)
    if count:
        sheet.autofilter(first_row, 0, first_row + count, len(keys) - 1)
    return count


ABOUT_SHEET = "about"


def write_about(workbook, rows: list[list[str]], formats: SheetFormats, name=ABOUT_SHEET):
    """A sheet that says what the workbook is: label / value rows (provenance)."""
    sheet = workbook.add_worksheet(name)
    sheet.set_column(0, 0, 30)
    sheet.set_column(1, 1, 100)
    for row, (label, value) in enumerate(rows):
        sheet.write_string(row, 0, neutralise(label), formats.label)
        sheet.write_string(row, 1, neutralise(value), formats.wrap)
    return sheet


def write_xlsx(exporter, target, sheet_name: str = "cases", about=None) -> None:
    """A workbook with the exporter's table on one sheet, and an "about" sheet when given its
    rows. `target` is a path or a file."""
    workbook = xlsxwriter.Workbook(target, WORKBOOK_OPTIONS)
    formats = SheetFormats(workbook)
    write_table(workbook.add_worksheet(sheet_name), 0, exporter, formats)
    if about:
        write_about(workbook, about, formats)
    workbook.close()


def xlsx_response(exporter, filename: str, sheet_name: str = "cases", about=None) -> FileResponse:
    """The workbook, built in a temporary file (not in memory) and sent from there."""
    # FileResponse closes the file (and so deletes it) once it is sent.
    handle = tempfile.TemporaryFile()  # noqa: SIM115
    write_xlsx(exporter, handle, sheet_name, about)
    handle.seek(0)
    return FileResponse(
        handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )


# --- JSON -------------------------------------------------------------------------------------


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=_json_default)


def _json_default(value):
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, PartnerCell):
        return {"name": value.name, "role": value.role}
    return str(value)


def json_chunks(meta: dict, records: Iterable[dict]) -> Iterator[str]:
    """{...meta, "results": [record, ...]} with records streamed in chunks."""
    head = _json(meta)
    yield head[:-1] + (', "results": [' if meta else '"results": [')
    buffer, first = [], True
    for record in records:
        buffer.append(("" if first else ",\n") + _json(record))
        first = False
        if len(buffer) >= ROWS_PER_CHUNK:
            yield "".join(buffer)
            buffer = []
    yield "".join(buffer) + "]}\n"


def json_response(exporter, meta: dict, filename: str | None = None) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        (chunk.encode("utf-8") for chunk in json_chunks(meta, exporter.records())),
        content_type=f"{JSON_CONTENT_TYPE}; charset=utf-8",
    )
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_bytes(exporter) -> bytes:
    """The whole CSV at once, for small files (templates, tests)."""
    buffer = io.BytesIO()
    write_csv(exporter, buffer)
    return buffer.getvalue()
