"""The header row: where it is, which template column each of its cells names, and a column's
spreadsheet letter. A file whose header cannot be read is refused (ImportRefused) as a whole.
"""

from django.utils.translation import gettext as _

from exchange.columns import COLUMNS, COLUMNS_BY_KEY, REQUIRED_KEYS, normalise_header
from exchange.reading import ImportRefused, Sheet, trim

# Lines above the header row (a regional report's description) are skipped; the header is
# looked for among this many first rows.
HEADER_SEARCH_ROWS = 15


def _names() -> dict[str, str]:
    """Every accepted spelling of a column's header -> the column's key."""
    return {name: column.key for column in COLUMNS for name in column.names()}


def split_header(sheet: Sheet) -> tuple[list, list[tuple[int, list]]]:
    """The header row's cells and the data rows after it, with every data row as wide as the
    header. The header is the first row naming the external reference and two more template
    columns; failing that, the first row (whose missing columns column_positions() names)."""
    index = _header_index(sheet)
    header = trim(sheet.rows[index][1])
    width = len(header)
    rows = []
    for number, cells in sheet.rows[index + 1 :]:
        _check_width(sheet.format, number, cells, width)
        rows.append((number, (list(cells) + [None] * width)[:width]))
    return header, rows


def _header_index(sheet: Sheet) -> int:
    names = _names()
    for position, (_number, cells) in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        keys = {names.get(normalise_header(cell)) for cell in cells if cell is not None}
        if "external_ref" in keys and len(keys - {None}) >= 3:
            return position
    return 0


def _check_width(file_format: str, number: int, cells: list, width: int) -> None:
    """Refuse a data row with values beyond the header, or a CSV row short of cells (the sign
    of a lost separator or an unclosed quote, which would shift every value after it)."""
    extra = [cell for cell in cells[width:] if cell is not None and str(cell).strip()]
    if extra:
        raise ImportRefused(
            _("Row %(row)s has values beyond the last column of the header row.") % {"row": number}
        )
    if file_format == "csv" and len(cells) < width:
        raise ImportRefused(
            _(
                "Row %(row)s has %(cells)s cells but the header row has %(width)s. Check "
                'for a missing separator (,) or an unclosed quote (").'
            )
            % {"row": number, "cells": len(cells), "width": width}
        )


def column_positions(header: list) -> tuple[dict[str, int], list[str]]:
    """{column key: position} for the header row, and the headers that were not recognised.
    Refuses a header that names a column twice or lacks a required one."""
    names = _names()
    positions: dict[str, int] = {}
    ignored = []
    for index, cell in enumerate(header):
        text = "" if cell is None else str(cell).strip()
        key = names.get(normalise_header(text))
        if key is None:
            if text:
                ignored.append(text)
            continue
        if key in positions:
            raise ImportRefused(
                _("The column %(header)s appears twice in the header row.")
                % {"header": COLUMNS_BY_KEY[key].header}
            )
        positions[key] = index
    _check_required(positions)
    return positions, ignored


def _check_required(positions: dict[str, int]) -> None:
    missing = [key for key in REQUIRED_KEYS if key not in positions]
    if missing:
        raise ImportRefused(
            _("The header row lacks required columns: %(columns)s. Start from the template.")
            % {"columns": ", ".join(COLUMNS_BY_KEY[key].header for key in missing)}
        )
    if "title_en" not in positions and "title_ja" not in positions:
        raise ImportRefused(
            _("The header row needs a title column: %(en)s or %(ja)s.")
            % {"en": COLUMNS_BY_KEY["title_en"].header, "ja": COLUMNS_BY_KEY["title_ja"].header}
        )


def column_letter(index: int) -> str:
    """A spreadsheet's name for a column: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters
