"""The regional report as CSV: the case list, UTF-8 with a byte-order mark for Japanese
Excel, under lines saying what it holds."""

from cases.figures import provenance
from exchange.reports.region import RegionReport, demo_label
from exchange.writers import (
    BOM,
    csv_byte_chunks,
    csv_chunks,
)


def csv_report(report: RegionReport) -> bytes:
    """The case list, UTF-8 with a byte-order mark, under a few lines that say what it is.

    The importer skips those lines, so the file can be edited and imported back.
    """
    preamble = [
        ["Regional report / 地域別レポート", f"{report.region.name_en} / {report.region.name_ja}"],
        ["Filters / 条件", report.filter_label],
        ["Data as of / データの日付", report.data_date_label],
        ["Data taken at / データ取得日時", report.taken_at_label],
        ["Cases held / 実施案件数", str(report.total)],
        [
            "Counting rule / 集計方法",
            f"{provenance.FIGURES_RULE['en']} {provenance.FIGURES_RULE['ja']}",
        ],
        ["Portal / ポータル", report.region_url],
        ["Licence / 利用規約", provenance.LICENCE_BOTH],
        *([["DEMONSTRATION DATA / デモデータ", demo_label()]] if report.demo_cases else []),
        [],
    ]
    head = "".join(csv_chunks(preamble[0], preamble[1:])).removeprefix(BOM)
    # The table as the downloads write it (COPY on PostgreSQL), its byte-order mark dropped.
    table = b"".join(csv_byte_chunks(report.exporter())).removeprefix(BOM.encode("utf-8"))
    return (BOM + head).encode("utf-8") + table
