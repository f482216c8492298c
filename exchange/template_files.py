"""The import template, as CSV (UTF-8 with BOM) and XLSX: the header row and one example row.

The XLSX template adds two sheets after the first (the importer reads only the first): what
each column means, and the codes the register accepts.
"""

import datetime
import io

import xlsxwriter
from django.utils import translation

from cases.models import CaseFormat, CaseStatus, PartnerRole, Region, State, Theme
from exchange.columns import COLUMNS
from exchange.exporting import PartnerCell
from exchange.writers import WORKBOOK_OPTIONS, SheetFormats, csv_chunks, write_table

EXAMPLE = {
    "external_ref": "MIA-2024-001",
    "title_en": "Transport infrastructure workshop",
    "title_ja": "交通インフラに関するワークショップ",
    "summary_en": "Co-hosted with the Greater Miami Chamber of Commerce.",
    "summary_ja": "グレーター・マイアミ商工会議所との共催。",
    "start_date": datetime.date(2024, 10, 15),
    "end_date": None,
    "fiscal_year": 2024,
    "region": "miami",
    "state": "FL",
    "county": "",
    "city_en": "Miami",
    "city_ja": "マイアミ",
    "format": "workshop",
    "status": "held",
    "is_public": True,
    "is_best_practice": False,
    "participants": 80,
    "themes": ["investment-jobs", "transport-infrastructure"],
    "partners": [PartnerCell("Greater Miami Chamber of Commerce", "co-host")],
    "id": None,
}


class TemplateExporter:
    """Header plus one example row: an exporter like CaseExporter, for the writers."""

    columns = COLUMNS

    def header(self) -> list[str]:
        return [column.header for column in self.columns]

    def keys(self) -> list[str]:
        return [column.key for column in self.columns]

    def rows(self):
        yield [EXAMPLE[key] for key in self.keys()]


def template_csv() -> bytes:
    exporter = TemplateExporter()
    return "".join(csv_chunks(exporter.header(), exporter.rows())).encode("utf-8")


def template_xlsx() -> bytes:
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {**WORKBOOK_OPTIONS, "constant_memory": False})
    formats = SheetFormats(workbook)
    write_table(workbook.add_worksheet("cases"), 0, TemplateExporter(), formats)

    help_sheet = workbook.add_worksheet("columns")
    for col, (title, width) in enumerate(
        [("Column / 列", 34), ("Required / 必須", 12), ("Meaning / 説明", 90)]
    ):
        help_sheet.write_string(0, col, title, formats.header)
        help_sheet.set_column(col, col, width)
    with translation.override("en"):
        for row, column in enumerate(COLUMNS, start=1):
            help_sheet.write_string(row, 0, column.header)
            help_sheet.write_string(row, 1, "yes" if column.required else "")
            help_sheet.write_string(row, 2, str(column.help), formats.wrap)
    help_sheet.freeze_panes(1, 0)

    codes = workbook.add_worksheet("codes")
    lists = [
        (
            "region / 管轄地域",
            [(r.code, f"{r.name_en} / {r.name_ja}") for r in Region.objects.all()],
        ),
        ("state / 州", [(s.code, f"{s.name_en} / {s.name_ja}") for s in State.objects.all()]),
        ("themes / テーマ", [(t.slug, f"{t.name_en} / {t.name_ja}") for t in Theme.objects.all()]),
        ("format / 形式", _choices(CaseFormat)),
        ("status / 状況", _choices(CaseStatus)),
        ("partner role / 役割", _choices(PartnerRole)),
    ]
    for index, (title, values) in enumerate(lists):
        col = index * 3
        codes.write_string(0, col, title, formats.header)
        codes.write_string(0, col + 1, "", formats.header)
        codes.set_column(col, col, 22)
        codes.set_column(col + 1, col + 1, 40)
        for row, (code, name) in enumerate(values, start=1):
            codes.write_string(row, col, code)
            codes.write_string(row, col + 1, name)
    codes.freeze_panes(1, 0)
    workbook.close()
    return buffer.getvalue()


def _choices(choices) -> list[tuple[str, str]]:
    result = []
    for value in choices.values:
        with translation.override("en"):
            english = str(choices(value).label)
        with translation.override("ja"):
            japanese = str(choices(value).label)
        result.append((value, f"{english} / {japanese}"))
    return result
