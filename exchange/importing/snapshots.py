"""A case's importable values, as stored and as a row would make them, to tell what a row
changes: a row whose values equal the case's is left alone, so importing a file twice changes
nothing the second time.
"""

from cases.models import Case
from exchange.columns import COLUMNS

# Case fields a column writes directly (the rest need a lookup: region, state, themes, partners).
SCALAR_FIELDS = [
    "title_en",
    "title_ja",
    "summary_en",
    "summary_ja",
    "start_date",
    "end_date",
    "city_en",
    "city_ja",
    "format",
    "status",
    "is_public",
    "is_best_practice",
    "participants",
]


def comparable(value):
    """Text as the register keeps it (one kind of line break, stripped); others as they are."""
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return value


def keep_text(case: Case) -> None:
    """Put the case's texts in the form the register keeps (`comparable`)."""
    for name in SCALAR_FIELDS:
        value = getattr(case, name)
        if isinstance(value, str):
            setattr(case, name, comparable(value))


def _scalars_and_place(case: Case) -> dict:
    values = {name: comparable(getattr(case, name)) for name in SCALAR_FIELDS}
    values["region"] = case.region_id
    values["state"] = case.state_id
    values["county"] = case.county_id
    return values


def stored(case: Case) -> dict:
    """A stored case's importable values (its themes and partners as prefetched)."""
    values = _scalars_and_place(case)
    values["themes"] = {theme.pk for theme in case.themes.all()}
    values["partners"] = {(role.partner_id, role.role) for role in case.partner_roles.all()}
    return values


def planned(case: Case, themes: list | None, partners: list | None) -> dict:
    """The values a row gives a case: its fields as set, and the themes and partners read."""
    values = _scalars_and_place(case)
    values["themes"] = {theme.pk for theme in themes or []}
    values["partners"] = {(partner.pk, role) for partner, role in partners or []}
    return values


def changed_columns(before: dict, after: dict, positions: dict) -> list[str]:
    """The columns (present in the file) whose values differ, in the template's order."""
    return [
        column.key
        for column in COLUMNS
        if column.key in positions
        and column.key in after
        and before[column.key] != after[column.key]
    ]
