"""Reading an uploaded spreadsheet into rows of cells, or refusing it with a clear reason.

Only the bytes decide what a file is: an XLSX workbook is a zip archive holding
xl/workbook.xml; anything else must be text in UTF-8 (with or without a byte-order mark) or
Shift_JIS/CP932, as Japanese Excel saves CSV. The file name only has to say .csv or .xlsx.
"""

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePath

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Larger files are refused before they are read. The register's whole history is a few
# thousand rows, far below this.
MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 20_000
# A workbook may not unpack to more than this (a small zip can hide a huge sheet).
MAX_XLSX_UNPACKED_BYTES = 100 * 1024 * 1024
ALLOWED_SUFFIXES = {".csv", ".txt", ".xlsx", ""}

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97-2003 .xls and other OLE files


class ImportRefused(Exception):
    """The whole file is refused; the message says why, for the person who uploaded it."""


class Formula(str):
    """A workbook cell that holds a formula (its text, such as "=5*2"), not a value.

    A workbook saved by a program that does not calculate (a script, a converter) stores no
    value for a formula at all, and one saved by Excel stores the value of its last
    calculation, which may be out of date: either way the importer cannot know what the cell
    shows, so it refuses the cell with its row and column rather than import an empty title."""


@dataclass
class Sheet:
    """A file's rows as (row number as the spreadsheet shows it, cells), wholly blank rows
    left out. Which row is the header is the importer's business."""

    format: str
    encoding: str
    rows: list[tuple[int, list]] = field(default_factory=list)


def read_sheet(data: bytes, file_name: str) -> Sheet:
    """The header and rows of a CSV or XLSX file, or ImportRefused."""
    check_size(len(data))
    if not data.strip(b"\xef\xbb\xbf \t\r\n"):
        raise ImportRefused(_("The file is empty."))
    suffix = PurePath(file_name or "").suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise ImportRefused(
            _("Only CSV and XLSX files can be imported; “%(name)s” is neither.")
            % {"name": file_name}
        )
    if data.startswith(OLE_MAGIC):
        raise ImportRefused(
            _(
                "This is an old-style Excel file (.xls). Save it as an Excel workbook (.xlsx) "
                "or as CSV and import that."
            )
        )
    if data.startswith(ZIP_MAGIC):
        return _read_xlsx(data)
    if suffix == ".xlsx":
        raise ImportRefused(
            _("The file is named .xlsx but is not an Excel workbook; it may be damaged.")
        )
    return _read_csv(data)


def check_size(size: int) -> None:
    """Refuse a file over the limit; callers check before reading a large file at all."""
    if size > MAX_IMPORT_BYTES:
        raise ImportRefused(
            _("The file is %(size)s; files up to %(limit)s can be imported.")
            % {"size": filesizeformat(size), "limit": filesizeformat(MAX_IMPORT_BYTES)}
        )


def _decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding it was read with: UTF-8 (BOM or not), then CP932."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp932"), "cp932"
    except UnicodeDecodeError:
        raise ImportRefused(
            _(
                "The file is not a CSV in UTF-8 or Shift_JIS, nor an Excel workbook. Save it "
                "from Excel as “CSV UTF-8” or as an .xlsx workbook."
            )
        ) from None


def _read_csv(data: bytes) -> Sheet:
    text, encoding = _decode(data)
    if "\x00" in text:
        raise ImportRefused(_("The file is not a CSV or XLSX file (it holds binary data)."))
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as error:
        raise ImportRefused(
            _("The CSV file cannot be read: %(error)s.") % {"error": error}
        ) from None
    rows = []
    for number, record in enumerate(records, start=1):
        if any(cell.strip() for cell in record):
            rows.append((number, record))
            _check_row_count(len(rows))
    if not rows:
        raise ImportRefused(_("The file is empty."))
    return Sheet("csv", encoding, rows)


def trim(cells: list) -> list:
    """Cells without the empty ones at the end of the row (spreadsheets often add them)."""
    cells = list(cells)
    while cells and (cells[-1] is None or str(cells[-1]).strip() == ""):
        cells.pop()
    return cells


def _check_row_count(count: int) -> None:
    if count > MAX_IMPORT_ROWS:
        raise ImportRefused(
            _("The file has more than %(limit)s rows; split it into smaller files.")
            % {"limit": f"{MAX_IMPORT_ROWS:,}"}
        )


def _read_xlsx(data: bytes) -> Sheet:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ImportRefused(_("The Excel workbook is damaged and cannot be opened.")) from None
    if "xl/workbook.xml" not in names:
        raise ImportRefused(_("The file is a zip archive but not an Excel workbook (.xlsx)."))
    if unpacked > MAX_XLSX_UNPACKED_BYTES:
        raise ImportRefused(
            _("The workbook is too large once unpacked; split it into smaller files.")
        )
    try:
        # data_only=False: formula cells come as formulas, so they can be refused by name.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds of error for a damaged workbook
        raise ImportRefused(_("The Excel workbook is damaged and cannot be opened.")) from None
    try:
        if not workbook.worksheets:
            raise ImportRefused(_("The workbook has no sheets."))
        sheet = workbook.worksheets[0]
        # Some writers store a wrong used range; read what is there instead of trusting it.
        sheet.reset_dimensions()
        rows = []
        try:
            for number, row in enumerate(sheet.iter_rows(), start=1):
                cells = [_value(cell) for cell in row]
                if any(_filled(cell) for cell in cells):
                    rows.append((number, cells))
                    _check_row_count(len(rows))
        except ImportRefused:
            raise
        except Exception:
            raise ImportRefused(_("The Excel workbook is damaged and cannot be read.")) from None
    finally:
        workbook.close()
    if not rows:
        raise ImportRefused(_("The first sheet of the workbook is empty."))
    return Sheet("xlsx", "", rows)


def _value(cell):
    """A cell's value, or a Formula for a cell that holds one."""
    value = cell.value
    if getattr(cell, "data_type", None) == "f":
        return Formula(getattr(value, "text", None) or value or "=")
    return value


def _filled(cell) -> bool:
    return cell is not None and str(cell).strip() != ""
