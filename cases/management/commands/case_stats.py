"""Print the register's figures, as the portal and every report compute them."""

import csv
import json
import unicodedata

import pandas as pd
from django.core.management.base import BaseCommand, CommandError

from cases import stats

BREAKDOWNS = {
    "region": stats.by_region,
    "fiscal-year": stats.by_fiscal_year,
    "state": stats.by_state,
    "theme": stats.by_theme,
    "region-fiscal-year": stats.by_region_fiscal_year,
    "format": stats.by_format,
    "partner-kind": stats.by_partner_kind,
}


class Command(BaseCommand):
    help = (
        "Print held-case totals by region, fiscal year, state, theme or region and fiscal "
        "year, or the reconciliation against the published figures."
    )

    def add_arguments(self, parser):
        parser.add_argument("--by", choices=BREAKDOWNS, default="region")
        parser.add_argument("--from-fy", type=int, metavar="YEAR", help="first fiscal year")
        parser.add_argument("--to-fy", type=int, metavar="YEAR", help="last fiscal year")
        # Filters given more than once count the cases of any of the values, as the case
        # browser does with several values of one filter.
        parser.add_argument(
            "--region", metavar="CODE", action="append", help="only this region (e.g. miami)"
        )
        parser.add_argument(
            "--state", metavar="USPS", action="append", help="only this state (e.g. FL)"
        )
        parser.add_argument(
            "--theme", metavar="SLUG", action="append", help="only cases with this theme"
        )
        parser.add_argument(
            "--case-format",
            metavar="FORMAT",
            action="append",
            help="only cases of this format (workshop, seminar...)",
        )
        parser.add_argument(
            "--partner-kind",
            metavar="KIND",
            action="append",
            help="only cases with a partner of this kind (chamber, university...)",
        )
        parser.add_argument(
            "--partner",
            metavar="SLUG",
            action="append",
            help="only cases this partner took part in (its page's slug)",
        )
        parser.add_argument("--search", metavar="WORDS", help="only cases the site search finds")
        parser.add_argument(
            "--public",
            action="store_true",
            help="count only the public cases (those the case browser lists)",
        )
        parser.add_argument("--format", choices=["table", "csv", "json"], default="table")
        parser.add_argument(
            "--reconcile",
            action="store_true",
            help="compare the register with the published figures instead; exits with status "
            "1 when any differs",
        )

    def handle(self, *args, **options):
        if options["reconcile"]:
            frame = stats.reconcile()
            self._emit(frame, options["format"], envelope=None)
            differing = frame[frame["difference"] != 0]
            if len(differing):
                # Loudly: a script or CI job must not take a mismatch for success.
                raise CommandError(
                    "The register differs from the published figures: "
                    + "; ".join(
                        f"{row.label_en} register {row.computed:,}, published {row.published:,} "
                        f"(difference {row.difference:+,})"
                        for row in differing.itertuples()
                    )
                )
            return
        filters = stats.Filters(
            from_fy=options["from_fy"],
            to_fy=options["to_fy"],
            region=options["region"],
            state=options["state"],
            theme=options["theme"],
            format=options["case_format"] or (),
            partner_kind=options["partner_kind"] or (),
            partner=options["partner"],
            search=options["search"] or "",
            public=options["public"],
        )
        try:
            filters.validate()
        except stats.InvalidFilter as error:
            raise CommandError(str(error)) from None

        by_year = stats.by_fiscal_year(filters)
        frame = by_year if options["by"] == "fiscal-year" else BREAKDOWNS[options["by"]](filters)
        years = by_year["key"]
        envelope = {
            "by": options["by"],
            "from_fy": int(years.iloc[0]) if len(years) else filters.from_fy,
            "to_fy": int(years.iloc[-1]) if len(years) else filters.to_fy,
            "total": stats.total(filters),
        }
        self._counted = "Public" if filters.public else "Held"
        if options["by"] == "region-fiscal-year":
            frame = frame.rename(
                columns={
                    "region": "key",
                    "region_label_en": "label_en",
                    "region_label_ja": "label_ja",
                }
            )
        self._emit(frame, options["format"], envelope)

    def _emit(self, frame: pd.DataFrame, fmt: str, envelope: dict | None):
        records = [
            {column: _plain(value) for column, value in row.items()}
            for row in frame.to_dict(orient="records")
        ]
        if fmt == "json":
            payload = {**envelope, "rows": records} if envelope is not None else {"rows": records}
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
        elif fmt == "csv":
            writer = csv.DictWriter(
                self.stdout, fieldnames=list(frame.columns), lineterminator="\n"
            )
            writer.writeheader()
            writer.writerows(records)
        else:
            self._table(frame, records, envelope)

    def _table(self, frame, records, envelope):
        columns = [c for c in frame.columns if c not in ("source_en", "source_ja")]
        cells = [[_text(record[c]) for c in columns] for record in records]
        widths = [
            max([_width(c), *(_width(row[i]) for row in cells)]) for i, c in enumerate(columns)
        ]
        numeric = {c for c in columns if pd.api.types.is_numeric_dtype(frame[c])}

        def line(values):
            return "  ".join(
                _pad(v, w, right=c in numeric)
                for v, w, c in zip(values, widths, columns, strict=True)
            ).rstrip()

        self.stdout.write(line(columns))
        self.stdout.write("  ".join("-" * w for w in widths))
        for row in cells:
            self.stdout.write(line(row))
        if envelope is not None:
            span = f"FY{envelope['from_fy']}–FY{envelope['to_fy']}" if envelope["from_fy"] else "-"
            counted = getattr(self, "_counted", "Held")
            self.stdout.write(f"\n{counted} cases, {span}: {envelope['total']:,}")


def _plain(value):
    """Numpy scalars and missing values as plain JSON-friendly Python values."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        return value.item()
    return value


def _text(value) -> str:
    return "" if value is None else str(value)


def _width(text: str) -> int:
    """Display width in a terminal: East Asian wide characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * (width - _width(text))
    return gap + text if right else text + gap
