"""The one writer: an exporter (header plus row generator) as CSV, XLSX or JSON.

- CSV is UTF-8 with a byte-order mark, so Japanese Excel opens it correctly, and streams. On
  PostgreSQL the rows come straight from `COPY ... TO STDOUT` (`exporting.copy_csv`), byte for
  byte what the Python writer makes of them; elsewhere the Python writer writes them.
- XLSX streams too (`xlsx_chunks`): the zip (OOXML) is sent as it is written, the workbook's
  fixed parts first and then the sheet row by row from the exporter's fastest row source
  (`table_rows()`), in constant memory, so a download's first bytes leave at once whatever its
  size. Those fixed parts (styles, theme, the "about" sheet) are xlsxwriter's own for a
  workbook of the same sheets and `SheetFormats`, and each row is the XML xlsxwriter's
  constant-memory mode writes for it, so the streamed file holds what `write_xlsx` (xlsxwriter,
  for the small workbooks) makes of the same exporter, cell for cell.
- JSON streams one record at a time.

In CSV and XLSX a text cell that starts with = + - @ (or a tab or carriage return, or their
full-width forms) gets a leading apostrophe, so opening the file never runs a formula. The
importer takes that apostrophe off again, so an export imports back unchanged.
"""

import csv
import datetime
import io
import json
import math
import re
import zipfile
from collections.abc import Iterable, Iterator

import xlsxwriter
from django.http import StreamingHttpResponse
from xlsxwriter.utility import quote_sheetname, xl_col_to_name, xl_range, xl_range_abs

from exchange.exporting import PartnerCell
from exchange.heartbeat import beat, beating

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
        beating(csv_byte_chunks(exporter, preamble)), content_type=CSV_CONTENT_TYPE
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
        fmt = formats.plain_integer if key in PLAIN_NUMBER_KEYS else formats.integer
        sheet.write_number(row, col, value, fmt)
    elif isinstance(value, list):
        text = LIST_SEPARATOR.join(str(v) for v in value)
        if text:
            sheet.write_string(row, col, neutralise(text))
        else:
            sheet.write_blank(row, col, None)
    else:
        sheet.write_string(row, col, neutralise(str(value)))


# Numbers in these columns have no thousands separator.
PLAIN_NUMBER_KEYS = ("id", "fiscal_year")


def write_header(sheet, first_row: int, exporter, formats: SheetFormats) -> None:
    """The exporter's header row on a sheet, the column widths, the header frozen."""
    keys = exporter.keys()
    for col, (key, title) in enumerate(zip(keys, exporter.header(), strict=True)):
        sheet.write_string(first_row, col, neutralise(title), formats.header)
        sheet.set_column(col, col, CASE_COLUMN_WIDTHS.get(key, 14))
    sheet.freeze_panes(first_row + 1, 0)


def table_rows(exporter) -> Iterator[list]:
    """A case exporter offers its fastest row source; other exporters (the template) just rows."""
    return exporter.table_rows() if hasattr(exporter, "table_rows") else exporter.rows()


def write_table(sheet, first_row: int, exporter, formats: SheetFormats) -> int:
    """The exporter's header and rows on a sheet from `first_row`; returns the rows written.

    Rows go in order, as constant-memory mode requires.
    """
    keys = exporter.keys()
    write_header(sheet, first_row, exporter, formats)
    count = 0
    for count, row in enumerate(table_rows(exporter), start=1):
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


def xlsx_response(
    exporter, filename: str, sheet_name: str = "cases", about=None
) -> StreamingHttpResponse:
    """The workbook, streamed as it is written (`xlsx_chunks`)."""
    response = StreamingHttpResponse(
        xlsx_chunks(exporter, sheet_name, about), content_type=XLSX_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- XLSX, streamed ---------------------------------------------------------------------------

# Excel's last row; xlsxwriter drops what goes below it, and so does the streamed sheet.
XLSX_MAX_ROWS = 1_048_576
# A cell holds at most this many UTF-16 code units; xlsxwriter cuts longer text there.
XLSX_MAX_TEXT = 32_767
# Deflate level of the zip's members: 1 is several times faster than zlib's default 6 and
# makes the case sheet only a little larger.
XLSX_COMPRESSLEVEL = 1
# Rows of sheet XML handed to the compressor at a time (a few hundred kB of text at most), and
# the compressed bytes gathered before they go out as one chunk of the response.
XLSX_ROWS_PER_WRITE = 50
XLSX_CHUNK_BYTES = 64 * 1024
SHEET_PART = "xl/worksheets/sheet1.xml"
WORKBOOK_PART = "xl/workbook.xml"

# Text as xlsxwriter's constant-memory mode writes it: an "_xHHHH_" already in the text is
# escaped, then control characters XML cannot hold (and U+FFFE, U+FFFF) become "_xHHHH_".
_ESCAPED_ESCAPE = re.compile("(_x[0-9a-fA-F]{4}_)")
_NOT_IN_XML = re.compile("[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_DIMENSION = re.compile(r"<dimension [^>]*/>")
_EXCEL_EPOCH = datetime.date(1899, 12, 30).toordinal()
_FIRST_TRUE_DAY = datetime.date(1900, 3, 1)  # Excel counts a 29 February 1900 before it


def _control_escape(match) -> str:
    return f"_x{ord(match.group()):04X}_"


def _cell_text_xml(ref: str, text: str) -> str:
    """An inline-string cell of text not yet neutralised (non-empty).

    Most cells need nothing but `<t>text</t>`, and a few checks done in C tell: printable text
    holds no control character, no U+FFFE or U+FFFF and no white space but the plain space;
    then only a formula trigger at its start, an "_x", XML's specials, a space at either end
    or a great length send it the whole way (`_text_xml`).
    """
    if (
        text.isprintable()
        and len(text) <= XLSX_MAX_TEXT // 2
        and not text.startswith(FORMULA_TRIGGERS)
        and text[0] != " "
        and text[-1] != " "
        and "_x" not in text
        and "&" not in text
        and "<" not in text
        and ">" not in text
    ):
        return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'
    return _text_xml(ref, neutralise(text))


def _text_xml(ref: str, text: str) -> str:
    """An inline-string cell of already neutralised text."""
    if len(text) > XLSX_MAX_TEXT // 2 and len(text.encode("utf-16-le")) > 2 * XLSX_MAX_TEXT:
        text = text.encode("utf-16-le")[: 2 * XLSX_MAX_TEXT].decode("utf-16-le", "ignore")
    if "_x" in text:
        text = _ESCAPED_ESCAPE.sub(r"_x005F\1", text)
    if _NOT_IN_XML.search(text):
        text = _NOT_IN_XML.sub(_control_escape, text)
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    if "&" in text or "<" in text or ">" in text:
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _serial(value: datetime.date) -> float | int:
    """A date (or naive datetime) as Excel's day number, as xlsxwriter writes it."""
    timed = isinstance(value, datetime.datetime)
    day = value.date() if timed else value
    days = day.toordinal() - _EXCEL_EPOCH
    if day < _FIRST_TRUE_DAY:
        days -= 1
    if timed:
        midnight = datetime.datetime.combine(day, datetime.time(), value.tzinfo)
        return days + (value - midnight).total_seconds() / 86400
    return days


class XlsxStyles:
    """The xf index (s="n") of each cell format in the template's styles."""

    def __init__(self, formats: SheetFormats):
        self.date = formats.date.xf_index
        self.integer = formats.integer.xf_index
        self.plain_integer = formats.plain_integer.xf_index


def sheet_rows_xml(rows: Iterable[list], keys: list[str], styles: XlsxStyles) -> Iterator[str]:
    """Each row's <row> element from the sheet's second row on: the XML xlsxwriter's
    constant-memory mode writes for `write_cell` of each value (blank cells left out)."""
    letters = [xl_col_to_name(col) for col in range(len(keys))]
    number_styles = [
        styles.plain_integer if key in PLAIN_NUMBER_KEYS else styles.integer for key in keys
    ]
    date_style = styles.date
    for n, row in enumerate(rows, start=2):
        if n > XLSX_MAX_ROWS:
            break
        cells = [f'<row r="{n}">']
        add = cells.append
        for letter, number_style, value in zip(letters, number_styles, row, strict=True):
            if value is None:
                continue
            kind = type(value)
            if kind is str:
                if value:
                    add(_cell_text_xml(f"{letter}{n}", value))
            elif kind is bool:
                add(f'<c r="{letter}{n}" t="b"><v>{int(value)}</v></c>')
            elif kind is int or (kind is float and math.isfinite(value)):
                add(f'<c r="{letter}{n}" s="{number_style}"><v>{value:.16G}</v></c>')
            elif kind is datetime.date or kind is datetime.datetime:
                add(f'<c r="{letter}{n}" s="{date_style}"><v>{_serial(value):.16G}</v></c>')
            elif kind is list:
                text = LIST_SEPARATOR.join(str(item) for item in value)
                if text:
                    add(_cell_text_xml(f"{letter}{n}", text))
            else:
                # Anything else (a subclass, a float that is no number): as write_cell would.
                add(_other_xml(f"{letter}{n}", value, number_style, date_style))
        add("</row>")
        yield "".join(cells)


def _other_xml(ref: str, value, number_style: int, date_style: int) -> str:
    if value == "":
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, datetime.date):
        return f'<c r="{ref}" s="{date_style}"><v>{_serial(value):.16G}</v></c>'
    if isinstance(value, int | float) and math.isfinite(value):
        return f'<c r="{ref}" s="{number_style}"><v>{value:.16G}</v></c>'
    if isinstance(value, list):
        text = LIST_SEPARATOR.join(str(item) for item in value)
        return _text_xml(ref, neutralise(text)) if text else ""
    text = str(value)
    return _text_xml(ref, neutralise(text)) if text else ""


class WorkbookTemplate:
    """Everything of the workbook but the table's rows, as xlsxwriter writes it for the same
    sheets and formats: the fixed parts (content types, relationships, styles, theme, document
    properties, the "about" sheet), the case sheet's XML up to its first data row and from the
    end of its rows, and workbook.xml."""

    def __init__(self, exporter, sheet_name: str = "cases", about=None):
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
        formats = SheetFormats(workbook)
        sheet = workbook.add_worksheet(sheet_name)
        write_header(sheet, 0, exporter, formats)
        # One cell in each format a row may use, so the styles hold them all; this row is cut.
        # In the order of a case row's columns (start date, fiscal year, participants), so the
        # styles are numbered as xlsxwriter numbers them for the case table.
        sheet.write_datetime(1, 0, datetime.date(2000, 1, 1), formats.date)
        sheet.write_number(1, 1, 0, formats.plain_integer)
        sheet.write_number(1, 2, 0, formats.integer)
        sheet.write_blank(2, 0, None, formats.date)  # constant-memory mode writes row 2 now
        if about:
            write_about(workbook, about, formats)
        workbook.close()
        self.styles = XlsxStyles(formats)
        self.sheet_name = sheet_name
        self.columns = len(exporter.keys())
        self.parts = []
        with zipfile.ZipFile(buffer) as archive:
            for name in archive.namelist():
                if name == SHEET_PART:
                    sheet_xml = archive.read(name).decode("utf-8")
                elif name == WORKBOOK_PART:
                    self.workbook_xml = archive.read(name).decode("utf-8")
                else:
                    self.parts.append((name, archive.read(name)))
        sheet_xml = _DIMENSION.sub("", sheet_xml, count=1)
        self.sheet_head = sheet_xml[: sheet_xml.index('<row r="2"')]
        self.sheet_tail = sheet_xml[sheet_xml.index("</sheetData>") :]
        # workbook() adds the filter's defined name before <calcPr>.
        assert "<calcPr" in self.workbook_xml
        assert "<definedNames>" not in self.workbook_xml

    def sheet_end(self, count: int) -> str:
        """The end of the case sheet after `count` data rows: the filter over the table."""
        if not count:
            return self.sheet_tail
        ref = xl_range(0, 0, count, self.columns - 1)
        return self.sheet_tail.replace("</sheetData>", f'</sheetData><autoFilter ref="{ref}"/>', 1)

    def workbook(self, count: int) -> bytes:
        """workbook.xml, with the name Excel gives a sheet's filtered range when it has one."""
        xml = self.workbook_xml
        if count:
            target = (
                quote_sheetname(self.sheet_name)
                + "!"
                + xl_range_abs(0, 0, count, self.columns - 1)
            )
            name = (
                '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" '
                f'hidden="1">{escape_xml(target)}</definedName></definedNames>'
            )
            xml = xml.replace("<calcPr", name + "<calcPr", 1)
        return xml.encode("utf-8")


def escape_xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class _Pipe:
    """A write-only file that keeps what the zip writer writes until it is taken: the zip
    goes out a chunk at a time. It cannot seek, so every member gets a data descriptor."""

    def __init__(self):
        self.parts = []
        self.size = 0

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts, self.size = [], 0
        return data


def xlsx_chunks(exporter, sheet_name: str = "cases", about=None) -> Iterator[bytes]:
    """The workbook as a zip stream: the fixed parts at once, then the case sheet in chunks of
    about 64 kB as the exporter yields its rows, then workbook.xml (which names the filtered
    range, known only at the end). Memory stays that of a chunk of rows."""
    template = WorkbookTemplate(exporter, sheet_name, about)
    pipe = _Pipe()
    rows = table_rows(exporter)
    try:
        with zipfile.ZipFile(
            pipe, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=XLSX_COMPRESSLEVEL
        ) as archive:
            for name, data in template.parts:
                archive.writestr(name, data)
            with archive.open(SHEET_PART, "w") as sheet:
                sheet.write(template.sheet_head.encode("utf-8"))
                yield pipe.take()
                count, buffer = 0, []
                for row_xml in sheet_rows_xml(rows, exporter.keys(), template.styles):
                    count += 1
                    buffer.append(row_xml)
                    if len(buffer) >= XLSX_ROWS_PER_WRITE:
                        sheet.write("".join(buffer).encode("utf-8", "replace"))
                        buffer = []
                        if pipe.size >= XLSX_CHUNK_BYTES:
                            beat()
                            yield pipe.take()
                buffer.append(template.sheet_end(count))
                sheet.write("".join(buffer).encode("utf-8", "replace"))
            archive.writestr(WORKBOOK_PART, template.workbook(count))
        yield pipe.take()
    finally:
        # A client that goes away half way: end the row query (a server-side cursor) now.
        if hasattr(rows, "close"):
            rows.close()


def xlsx_bytes(exporter, sheet_name: str = "cases", about=None) -> bytes:
    """The whole streamed workbook at once, for small files and tests."""
    return b"".join(xlsx_chunks(exporter, sheet_name, about))


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
        beating(chunk.encode("utf-8") for chunk in json_chunks(meta, exporter.records())),
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
