"""A comparison (`cases.figures.comparison`) as an exporter, and its workbook.

The exporter is the one table of a comparison (every table's rows under a first column naming
the table, the totals first) in the page's language, which `exchange.writers` writes as CSV.
The workbook has a sheet for the summary and totals, one per table and one about the data;
its sheet names and headings are in the page's language, and both summaries are in it.
"""

import tempfile

import xlsxwriter
from django.http import FileResponse
from django.utils.translation import gettext as _

from cases.figures import comparison
from exchange.writers import (
    WORKBOOK_OPTIONS,
    XLSX_CONTENT_TYPE,
    SheetFormats,
    neutralise,
    write_about,
    write_cell,
)
from grassroots.language import other_language, page_language


class ComparisonTable:
    """Header plus rows of a comparison; `as_dict()` is the JSON form (both languages)."""

    def __init__(self, result: comparison.Comparison):
        self.result = result
        self.language = page_language()

    def keys(self) -> list[str]:
        return ["table", "key", "name", "first", "second", "difference"]

    def header(self) -> list[str]:
        return [
            _("Table"),
            _("Code"),
            _("Name"),
            self.result.first.label(self.language),
            self.result.second.label(self.language),
            _("Difference"),
        ]

    def _total_row(self) -> list:
        result = self.result
        return [
            _("Total"),
            "",
            _("All held cases"),
            result.first_total,
            result.second_total,
            result.difference,
        ]

    def rows(self):
        yield self._total_row()
        for name in comparison.DIMENSIONS:
            title = comparison.table_title(name)
            for row in self.result.tables[name]:
                yield [
                    title,
                    row.key or "",
                    row.label(self.language),
                    row.first,
                    row.second,
                    row.difference,
                ]

    def summary_rows(self) -> list[list[str]]:
        """The summary in both languages, as label / value rows under the provenance."""
        texts = comparison.summaries(self.result)
        return [
            ["What changed / 変化の概要", texts["en"]],
            ["", texts["ja"]],
        ]

    def as_dict(self) -> dict:
        result = self.result

        def side(item, total):
            return {"key": item.key, "label_en": item.name_en, "label_ja": item.name_ja,
                    "cases": total}  # fmt: skip

        return {
            "by": result.request.by,
            "first": side(result.first, result.first_total),
            "second": side(result.second, result.second_total),
            "difference": result.difference,
            "scope": {"en": result.scope("en"), "ja": result.scope("ja")},
            "title": {"en": result.title("en"), "ja": result.title("ja")},
            "summary": comparison.summaries(result),
            "tables": {
                name: [
                    {
                        "key": row.key,
                        "label_en": row.label_en,
                        "label_ja": row.label_ja,
                        "first": row.first,
                        "second": row.second,
                        "difference": row.difference,
                    }
                    for row in result.tables[name]
                ]
                for name in comparison.DIMENSIONS
            },
        }


def _sheet_name(text: str) -> str:
    """A valid sheet name: at most 31 characters, none of []:*?/\\."""
    for character in "[]:*?/\\":
        text = text.replace(character, " ")
    return text[:31]


def write_workbook(table: ComparisonTable, target, about: list[list[str]]) -> None:
    result, language = table.result, table.language
    # A small workbook: written whole, so cells may be merged and rows sized in any order.
    workbook = xlsxwriter.Workbook(target, {**WORKBOOK_OPTIONS, "constant_memory": False})
    formats = SheetFormats(workbook)
    formats.difference = workbook.add_format({"num_format": "+#,##0;-#,##0;0"})
    texts = comparison.summaries(result)
    other = other_language(language)

    sheet = workbook.add_worksheet(_sheet_name(_("Summary")))
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 3, 16)
    sheet.write_string(0, 0, neutralise(result.title(language)), formats.title)
    sheet.write_string(1, 0, neutralise(result.scope(language)))
    sheet.write_string(3, 0, _("What changed"), formats.label)
    sheet.merge_range(4, 0, 4, 5, neutralise(texts[language]), formats.wrap)
    sheet.set_row(4, 90)
    sheet.merge_range(5, 0, 5, 5, neutralise(texts[other]), formats.wrap)
    sheet.set_row(5, 90)
    header = table.header()
    for col, title in enumerate(["", *header[3:]]):
        sheet.write_string(7, col, neutralise(title), formats.header)
    sheet.write_string(8, 0, _("All held cases"), formats.label)
    sheet.write_number(8, 1, result.first_total, formats.integer)
    sheet.write_number(8, 2, result.second_total, formats.integer)
    sheet.write_number(8, 3, result.difference, formats.difference)

    for name in comparison.DIMENSIONS:
        sheet = workbook.add_worksheet(_sheet_name(comparison.table_title(name)))
        sheet.set_column(0, 0, 12)
        sheet.set_column(1, 1, 40)
        sheet.set_column(2, 4, 14)
        for col, title in enumerate(header[1:]):
            sheet.write_string(0, col, neutralise(title), formats.header)
        sheet.freeze_panes(1, 0)
        for number, row in enumerate(result.tables[name], start=1):
            write_cell(sheet, number, 0, row.key or "", formats)
            write_cell(sheet, number, 1, row.label(language), formats)
            write_cell(sheet, number, 2, row.first, formats)
            write_cell(sheet, number, 3, row.second, formats)
            sheet.write_number(number, 4, row.difference, formats.difference)
    write_about(workbook, about, formats, name=_sheet_name(_("About the data")))
    workbook.close()


def xlsx_response(table: ComparisonTable, filename: str, about: list[list[str]]):
    """The workbook, built in a temporary file and sent from there."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it once sent)
    write_workbook(table, handle, about)
    handle.seek(0)
    return FileResponse(
        handle, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )
