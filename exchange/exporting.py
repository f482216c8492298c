"""Exporters: a header plus a row generator. `exchange.writers` turns them into files.

An exporter never loads everything: it walks the queryset in chunks (`iterator(chunk_size)`),
and each chunk brings its themes and partners along in one query apiece.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Prefetch

from cases.models import Case, CasePartner, Theme
from exchange.columns import COLUMNS, Column

CHUNK_SIZE = 500


@dataclass(frozen=True)
class PartnerCell:
    """A partner's part in a case, as a spreadsheet writes it: "Name (role)"."""

    name: str
    role: str

    def __str__(self) -> str:
        return f"{self.name} ({self.role})"


def export_queryset(queryset):
    """The queryset with what a case row needs loaded alongside, newest first unless the
    queryset is ordered already (a case browser sort)."""
    queryset = queryset.select_related("region", "state").prefetch_related(
        Prefetch("themes", queryset=Theme.objects.only("slug", "group", "sort_order")),
        Prefetch(
            "partner_roles",
            queryset=CasePartner.objects.select_related("partner").only(
                "case_id", "role", "partner__name_en"
            ),
        ),
    )
    if not queryset.query.order_by:
        queryset = queryset.order_by("-start_date", "-pk")
    return queryset


def theme_slugs(case) -> list[str]:
    """A case's theme slugs in the register's theme order (group, order, slug)."""
    themes = sorted(case.themes.all(), key=lambda t: (t.group, t.sort_order, t.slug))
    return [theme.slug for theme in themes]


def partner_cells(case) -> list[PartnerCell]:
    """A case's partners with their roles, by role then name."""
    roles = sorted(case.partner_roles.all(), key=lambda r: (r.role, r.partner.name_en))
    return [PartnerCell(role.partner.name_en, role.role) for role in roles]


def case_values(case) -> dict:
    """One case as {column key: value}: str, int, date, bool, None or a list for themes and
    partners. The same values the importer reads back."""
    return {
        "external_ref": case.external_ref,
        "title_en": case.title_en,
        "title_ja": case.title_ja,
        "summary_en": case.summary_en,
        "summary_ja": case.summary_ja,
        "start_date": case.start_date,
        "end_date": case.end_date,
        "fiscal_year": case.fiscal_year,
        "region": case.region.code,
        "state": case.state.code if case.state_id else None,
        "city": case.city,
        "format": case.format,
        "status": case.status,
        "is_public": case.is_public,
        "is_best_practice": case.is_best_practice,
        "participants": case.participants,
        "themes": theme_slugs(case),
        "partners": partner_cells(case),
        "id": case.pk,
    }


class CaseExporter:
    """The case list: one row per case, the columns of the import template.

    Give it any queryset of cases (public ones for the public downloads, a region's held cases
    for a regional report); `rows()` yields lists of values in `columns` order.
    """

    columns: list[Column] = COLUMNS

    def __init__(self, queryset, chunk_size: int = CHUNK_SIZE):
        self.queryset = export_queryset(queryset)
        self.chunk_size = chunk_size

    def header(self) -> list[str]:
        return [column.header for column in self.columns]

    def keys(self) -> list[str]:
        return [column.key for column in self.columns]

    def cases(self) -> Iterator[Case]:
        return self.queryset.iterator(chunk_size=self.chunk_size)

    def rows(self) -> Iterator[list]:
        keys = self.keys()
        for case in self.cases():
            values = case_values(case)
            yield [values[key] for key in keys]

    def records(self) -> Iterator[dict]:
        """Rows as {key: JSON value}: dates as ISO strings, partners as {name, role}."""
        keys = self.keys()
        for row in self.rows():
            yield {key: json_value(value) for key, value in zip(keys, row, strict=True)}


def json_value(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        return [
            {"name": item.name, "role": item.role} if isinstance(item, PartnerCell) else item
            for item in value
        ]
    return value
