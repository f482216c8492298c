"""Importing cases from a spreadsheet: a service with no HTTP in it.

`plan_import(data, file_name)` reads and validates every row and says what would happen to
each (create, update, unchanged, rejected), writing nothing. `apply_import(...)` plans again
inside one transaction and writes only when no row is rejected, so a file with any invalid row
changes nothing. The admin's upload page and `manage.py import_cases` both use these two.

Rules (the template's columns are in `exchange.columns`):
- A row is matched by its external reference: a reference the register holds updates that
  case in place, a new one creates a case (origin "import"). A row with no reference but a
  portal ID updates the case with that ID (how an export of staff-entered cases imports back).
- A row whose values equal the case's is left alone (unchanged); importing the same file
  twice changes nothing the second time.
- A column missing from the file leaves that field of an updated case as it is.
- Partners are matched by English name (then by Japanese name); an unknown partner is an
  error: add the partner in the admin first, so a misspelling never creates a second partner.
- Cells an export neutralised ('=...) are read back without the apostrophe.
"""

import datetime
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import PurePath

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from cases import rules
from cases.models import (
    REVIEWED,
    Case,
    CaseFormat,
    CaseOrigin,
    CaseStatus,
    County,
    Jurisdiction,
    Partner,
    PartnerRole,
    Region,
    State,
    Theme,
)
from cases.register import Change, Refused, cases
from exchange.columns import COLUMNS, COLUMNS_BY_KEY, REQUIRED_KEYS, normalise_header
from exchange.models import ImportBatch
from exchange.reading import Formula, ImportRefused, Sheet, read_sheet, trim
from exchange.writers import unneutralise

__all__ = [
    "ImportInvalid",
    "ImportPlan",
    "ImportRefused",
    "RowError",
    "RowPlan",
    "apply_import",
    "plan_import",
]

CREATE, UPDATE, UNCHANGED, REJECTED = "create", "update", "unchanged", "rejected"

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
LIST_SPLIT = re.compile(r"[;；\n]")
PARTNER_ENTRY = re.compile(r"^(?P<name>.*?)\s*[(（](?P<role>[^()（）]*)[)）]\s*$")
TRUE_WORDS = {"yes", "y", "true", "t", "1", "はい", "○", "〇", "公開"}
FALSE_WORDS = {"no", "n", "false", "f", "0", "いいえ", "×", "非公開", ""}
DATE_PATTERNS = [
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日$"),
]
MAX_ID = 2**63 - 1


@dataclass
class RowError:
    """A problem with one cell (or with a whole row when `column` is blank)."""

    row: int
    column: str
    header: str
    letter: str
    value: str
    message: str

    def __str__(self) -> str:
        where = (
            _("row %(row)s, column %(letter)s (%(header)s)")
            % {"row": self.row, "letter": self.letter, "header": self.header}
            if self.column
            else _("row %(row)s") % {"row": self.row}
        )
        value = f" “{self.value}”" if self.value != "" else ""
        return f"{where}{value}: {self.message}"


@dataclass
class RowPlan:
    """What importing one row would do."""

    row: int
    action: str
    external_ref: str = ""
    title: str = ""
    case: Case | None = None
    themes: list | None = None
    partners: list | None = None
    changes: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def change_headers(self) -> list[str]:
        return [COLUMNS_BY_KEY[key].header for key in self.changes]


@dataclass
class ImportPlan:
    """Every row of a file and what importing it would do. Valid when no row is rejected."""

    file_name: str
    sha256: str
    format: str
    encoding: str
    rows: list[RowPlan]
    ignored_columns: list[str]

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action)

    @property
    def created(self) -> int:
        return self.count(CREATE)

    @property
    def updated(self) -> int:
        return self.count(UPDATE)

    @property
    def unchanged(self) -> int:
        return self.count(UNCHANGED)

    @property
    def rejected(self) -> int:
        return self.count(REJECTED)

    @property
    def is_valid(self) -> bool:
        return self.rejected == 0

    @property
    def errors(self) -> list[RowError]:
        return [error for row in self.rows for error in row.errors]


class ImportInvalid(Exception):
    """The file has invalid rows; nothing was written. `plan` says which and why."""

    def __init__(self, plan: ImportPlan):
        super().__init__(_("%(count)s rows are invalid.") % {"count": plan.rejected})
        self.plan = plan


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def plan_import(
    data: bytes, file_name: str, allowed_regions=None, can_publish: bool = True
) -> ImportPlan:
    """Read and validate a file and plan every row; writes nothing. Raises ImportRefused.

    `allowed_regions` (region ids, None for all) and `can_publish` say what the importing
    user may do (see staff.access): rows beyond that are rejected.
    """
    sheet = read_sheet(data, file_name)
    header, rows = _split_header(sheet)
    positions, ignored = _columns(header)
    if not rows:
        raise ImportRefused(_("The file has a header row but no cases."))
    planner = _Planner(header, rows, positions)
    planned = planner.plan()
    if allowed_regions is not None or not can_publish:
        _reject_beyond_role(planner, planned, allowed_regions, can_publish)
    return ImportPlan(
        file_name=PurePath(file_name or "").name[:255] or "upload",
        sha256=sha256_of(data),
        format=sheet.format,
        encoding=sheet.encoding,
        rows=planned,
        ignored_columns=ignored,
    )


def _reject_beyond_role(planner, planned, allowed_regions, can_publish) -> None:
    """Reject rows about a case outside the user's districts (as it is, or as the row would
    make it) and, for a user who may not publish, rows that would publish or withdraw one."""
    ids = sorted({row.case.pk for row in planned if row.case is not None and row.case.pk})
    current = {}
    for start in range(0, len(ids), 500):
        chunk = Case.objects.filter(pk__in=ids[start : start + 500])
        current.update(
            (pk, (region, public, publication))
            for pk, region, public, publication in chunk.values_list(
                "pk", "region_id", "is_public", "publication"
            )
        )
    for row in planned:
        case = row.case
        if case is None:
            continue
        was_region, was_public, was_publication = current.get(case.pk, (None, False, ""))
        regions = {case.region_id, was_region} - {None}
        if allowed_regions is not None and not regions <= set(allowed_regions):
            code = case.region.code if case.region_id else ""
            message = _("You can import cases of your own districts only.")
            row.errors.append(planner.error(row.row, "region", code, message))
        if not can_publish and "is_public" in planner.positions and case.is_public != was_public:
            message = _("Only HQ editors can publish or withdraw a case; leave this as it was.")
            row.errors.append(planner.error(row.row, "is_public", case.is_public, message))
        if not can_publish and row.action == UPDATE and was_publication in REVIEWED:
            # A reviewed case counts in the official figures: a change to it is HQ's to review.
            message = _(
                "This case has been reviewed by HQ; change it in the admin, where the change "
                "goes to HQ for review."
            )
            row.errors.append(planner.error(row.row, "", "", message))
        if row.errors:
            row.action = REJECTED


@dataclass
class ImportResult:
    plan: ImportPlan
    batch: ImportBatch


def apply_import(
    data: bytes, file_name: str, user=None, allowed_regions=None, can_publish: bool = True
) -> ImportResult:
    """Plan the file and, if every row is valid, write it in one transaction.

    Raises ImportRefused for a file that cannot be read and ImportInvalid when any row is
    invalid; in both cases the register is as it was.
    """
    try:
        with transaction.atomic():
            plan = plan_import(data, file_name, allowed_regions, can_publish)
            if not plan.is_valid:
                raise ImportInvalid(plan)
            batch = _write(plan, user, can_publish=can_publish)
    except (Refused, ValidationError) as error:  # the plan rejects such rows first
        messages = getattr(error, "messages", None) or [str(error)]
        raise ImportRefused(
            _("The register refused the import, so nothing was changed: %(error)s")
            % {"error": "; ".join(messages)}
        ) from None
    except IntegrityError as error:
        raise ImportRefused(
            _("The register refused the import, so nothing was changed: %(error)s")
            % {"error": error}
        ) from None
    return ImportResult(plan, batch)


# --- reading the header -----------------------------------------------------------------------

# Lines above the header row (a regional report's description) are skipped; the header is
# looked for among this many first rows.
HEADER_SEARCH_ROWS = 15


def _split_header(sheet: Sheet) -> tuple[list, list[tuple[int, list]]]:
    """The header row's cells and the data rows after it, with every data row as wide as the
    header. The header is the first row naming the external reference and two more template
    columns; failing that, the first row (whose missing columns _columns() then names)."""
    names = {name: column.key for column in COLUMNS for name in column.names()}
    index = 0
    for position, (_number, cells) in enumerate(sheet.rows[:HEADER_SEARCH_ROWS]):
        keys = {names.get(normalise_header(cell)) for cell in cells if cell is not None}
        if "external_ref" in keys and len(keys - {None}) >= 3:
            index = position
            break
    header = trim(sheet.rows[index][1])
    width = len(header)
    rows = []
    for number, cells in sheet.rows[index + 1 :]:
        extra = [cell for cell in cells[width:] if cell is not None and str(cell).strip()]
        if extra:
            raise ImportRefused(
                _("Row %(row)s has values beyond the last column of the header row.")
                % {"row": number}
            )
        if sheet.format == "csv" and len(cells) < width:
            raise ImportRefused(
                _(
                    "Row %(row)s has %(cells)s cells but the header row has %(width)s. Check "
                    'for a missing separator (,) or an unclosed quote (").'
                )
                % {"row": number, "cells": len(cells), "width": width}
            )
        rows.append((number, (list(cells) + [None] * width)[:width]))
    return header, rows


def _columns(header: list) -> tuple[dict[str, int], list[str]]:
    """{column key: position} for the header row, and the headers that were not recognised."""
    names = {name: column.key for column in COLUMNS for name in column.names()}
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
    return positions, ignored


def column_letter(index: int) -> str:
    """A spreadsheet's name for a column: 0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


# --- cell values ------------------------------------------------------------------------------


class CellError(ValueError):
    """A cell's value cannot be read; the message says what was expected."""


def _text(raw) -> str:
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, datetime.datetime):
        raw = raw.date() if raw.time() == datetime.time(0) else raw
    if isinstance(raw, datetime.date):
        return raw.isoformat()
    text = unneutralise(str(raw))
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _date(raw) -> datetime.date | None:
    if isinstance(raw, datetime.datetime):
        if raw.time() != datetime.time(0):
            raise CellError(_("Give a date without a time."))
        return raw.date()
    if isinstance(raw, datetime.date):
        return raw
    text = _text(raw)
    if not text:
        return None
    for pattern in DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return datetime.date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                raise CellError(_("There is no such day.")) from None
    raise CellError(_("Not a date; write it as YYYY-MM-DD, e.g. 2024-10-01."))


def _integer(raw) -> int | None:
    if isinstance(raw, bool):
        raise CellError(_("Give a whole number."))
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float):
        if not raw.is_integer():
            raise CellError(_("Give a whole number."))
        value = int(raw)
    else:
        text = _text(raw).replace(",", "")
        if not text:
            return None
        if not re.fullmatch(r"[0-9]+", text):
            raise CellError(_("Give a whole number, 0 or more."))
        value = int(text)
    if value < 0:
        raise CellError(_("Give a whole number, 0 or more."))
    if value > MAX_ID:
        raise CellError(_("The number is too large."))
    return value


def _boolean(raw) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float) and raw in (0, 1):
        return bool(raw)
    text = _text(raw).casefold()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellError(_("Write yes or no."))


def _items(raw) -> list[str]:
    return [item.strip() for item in LIST_SPLIT.split(_text(raw)) if item.strip()]


def _choice_lookup(choices) -> dict[str, str]:
    """Every accepted spelling of a choice (code, English label, Japanese label) -> code."""
    lookup = {}
    for language in ("en", "ja"):
        with translation.override(language):
            for value, label in choices:
                lookup[normalise_header(label)] = value
    for value, _label in choices:
        lookup[normalise_header(value)] = value
    return lookup


# --- planning ---------------------------------------------------------------------------------


class _Planner:
    """Plans a sheet's rows against the register, with every lookup loaded once."""

    def __init__(self, header: list, rows: list[tuple[int, list]], positions: dict[str, int]):
        self.rows = rows
        self.positions = positions
        self.headers = {
            key: ("" if header[index] is None else str(header[index]).strip())
            for key, index in positions.items()
        }
        self.regions = {r.code.casefold(): r for r in Region.objects.all()}
        self.states = {s.code.upper(): s for s in State.objects.all()}
        self.themes = {t.slug.casefold(): t for t in Theme.objects.all()}
        self.formats = _choice_lookup(CaseFormat.choices)
        self.statuses = _choice_lookup(CaseStatus.choices)
        self.roles = _choice_lookup(PartnerRole.choices)
        self._partners = None
        # Each region's district as state codes, for the district rule without a query a row.
        self.districts: dict[int, set[str]] = {}
        held_by: dict[str, int] = {}
        for region_id, code in Jurisdiction.objects.values_list("region_id", "state__code"):
            self.districts.setdefault(region_id, set()).add(code)
            held_by[code] = held_by.get(code, 0) + 1
        self.split_states = {code for code, districts in held_by.items() if districts > 1}
        # Counties by FIPS code and by (state code, folded name, with or without "County").
        self.counties: dict = {}
        for county in County.objects.select_related("state", "region"):
            self.counties[county.fips] = county
            for name in (county.name_en, county.name_ja):
                for form in {name, re.sub(r"(?i)\s*county$|郡$", "", name)}:
                    self.counties[(county.state.code, normalise_header(form))] = county

    # Lookups of partners and existing cases, only for what the file names.

    @property
    def partners(self) -> dict[str, Partner]:
        if self._partners is None:
            exact, folded, japanese = {}, {}, {}
            for partner in Partner.objects.only("pk", "name_en", "name_ja", "kind"):
                exact[partner.name_en] = partner
                folded.setdefault(partner.name_en.casefold(), []).append(partner)
                if partner.name_ja:
                    japanese.setdefault(partner.name_ja, []).append(partner)
            self._partners = (exact, folded, japanese)
        return self._partners

    def find_partner(self, name: str) -> Partner | None:
        exact, folded, japanese = self.partners
        if name in exact:
            return exact[name]
        for table, key in ((folded, name.casefold()), (japanese, name)):
            found = table.get(key, [])
            if len(found) == 1:
                return found[0]
        return None

    def existing_cases(self, refs: Iterable[str], ids: Iterable[int]):
        by_ref, by_id = {}, {}
        base = Case.objects.select_related("region", "state", "county__state").prefetch_related(
            "themes", "partner_roles"
        )
        refs, ids = sorted(set(refs)), sorted(set(ids))
        for start in range(0, len(refs), 500):
            for case in base.filter(external_ref__in=refs[start : start + 500]):
                by_ref[case.external_ref] = case
        for start in range(0, len(ids), 500):
            for case in base.filter(pk__in=ids[start : start + 500]):
                by_id[case.pk] = case
        return by_ref, by_id

    # The plan.

    def raw(self, cells: list, key: str):
        index = self.positions.get(key)
        return None if index is None else cells[index]

    def error(self, row: int, key: str, raw, message) -> RowError:
        if not key:
            return RowError(row, "", "", "", "", str(message))
        index = self.positions.get(key)
        return RowError(
            row=row,
            column=key,
            header=self.headers.get(key) or COLUMNS_BY_KEY[key].header,
            letter=column_letter(index) if index is not None else "",
            value=_text(raw),
            message=str(message),
        )

    def plan(self) -> list[RowPlan]:
        identities = []
        for _number, cells in self.rows:
            ref = self.raw(cells, "external_ref")
            ref = "" if isinstance(ref, Formula) else _text(ref)
            try:
                pk = _integer(self.raw(cells, "id"))
            except CellError:
                pk = None
            identities.append((ref, pk))
        by_ref, by_id = self.existing_cases(
            (ref for ref, _pk in identities if ref),
            (pk for ref, pk in identities if not ref and pk),
        )
        seen_refs: dict[str, int] = {}
        seen_cases: dict[int, int] = {}
        plans = []
        for number, cells in self.rows:
            plan = self.plan_row(number, cells, by_ref, by_id, seen_refs, seen_cases)
            plan.errors.sort(key=lambda error: self.positions.get(error.column, -1))
            plan.action = REJECTED if plan.errors else plan.action
            plans.append(plan)
        return plans

    def plan_row(self, number, cells, by_ref, by_id, seen_refs, seen_cases) -> RowPlan:
        errors: list[RowError] = []
        values: dict = {}

        def read(key, parse):
            raw = self.raw(cells, key)
            try:
                values[key] = parse(raw)
            except CellError as problem:
                errors.append(self.error(number, key, raw, problem))

        formulas = {key for key in self.positions if isinstance(self.raw(cells, key), Formula)}
        for key in sorted(formulas, key=self.positions.get):
            errors.append(
                self.error(
                    number,
                    key,
                    self.raw(cells, key),
                    _(
                        "This cell holds a formula; only values can be imported. Copy the "
                        "column and paste it as values (Paste Special, Values), then import "
                        "again."
                    ),
                )
            )
        for key in self.positions:
            kind = COLUMNS_BY_KEY[key].kind
            if key in ("themes", "partners") or key in formulas:
                continue
            parser = {"date": _date, "int": _integer, "bool": _boolean}.get(kind, _text)
            read(key, parser)

        ref = values.get("external_ref", "")
        plan = RowPlan(row=number, action=CREATE, external_ref=ref)
        plan.title = values.get("title_en") or values.get("title_ja") or ""

        # Which case the row is: by reference, else by portal ID (update only).
        existing = None
        duplicate = False
        if ref:
            if len(ref) > Case._meta.get_field("external_ref").max_length:
                errors.append(
                    self.error(number, "external_ref", ref, _("At most 100 characters."))
                )
            if ref in seen_refs:
                duplicate = True
                errors.append(
                    self.error(
                        number,
                        "external_ref",
                        ref,
                        _("This reference is also in row %(row)s; each case needs its own.")
                        % {"row": seen_refs[ref]},
                    )
                )
            else:
                seen_refs[ref] = number
            existing = by_ref.get(ref)
        elif values.get("id"):
            pk = values["id"]
            existing = by_id.get(pk)
            if existing is None:
                errors.append(
                    self.error(
                        number,
                        "id",
                        pk,
                        _(
                            "There is no case with this ID. To add a new case, give it an "
                            "external reference."
                        ),
                    )
                )
        elif "external_ref" not in [e.column for e in errors]:
            errors.append(
                self.error(
                    number,
                    "external_ref",
                    "",
                    _("Every case needs an external reference (or, to update one, its ID)."),
                )
            )

        if existing is not None:
            # Two rows for one case (by reference in one, by ID in the other) would fight.
            if existing.pk in seen_cases and not duplicate:
                key = "external_ref" if ref else "id"
                errors.append(
                    self.error(
                        number,
                        key,
                        self.raw(cells, key),
                        _("Row %(row)s is already about this case; each case needs one row.")
                        % {"row": seen_cases[existing.pk]},
                    )
                )
            elif not duplicate:
                seen_cases[existing.pk] = number
        before = _snapshot(existing) if existing is not None else None
        case = existing if existing is not None else Case(origin=CaseOrigin.IMPORT)
        if existing is None:
            case.external_ref = ref
        plan.case = case
        plan.action = UPDATE if existing is not None else CREATE

        for name in SCALAR_FIELDS:
            if name not in values:
                continue
            value = values[name]
            if name in ("format", "status"):
                value = self.choice(number, name, value, errors)
                if value is None:
                    continue
            elif name == "start_date" and value is None:
                errors.append(self.error(number, name, "", _("A start date is required.")))
                continue
            setattr(case, name, value)

        if "region" in values:
            code = values["region"]
            region = self.regions.get(code.casefold()) if code else None
            if region is None:
                message = (
                    _("There is no region with this code; use a code such as miami or new-york.")
                    if code
                    else _("A region is required.")
                )
                errors.append(self.error(number, "region", code, message))
            else:
                case.region = region
        if "state" in values:
            code = values["state"]
            if not code:
                case.state = None
            elif code.upper() in self.states:
                case.state = self.states[code.upper()]
            else:
                errors.append(
                    self.error(number, "state", code, _("There is no state with this USPS code."))
                )
        if "county" in values:
            name = values["county"]
            if not name:
                case.county = None
            else:
                state_code = case.state.code if case.state_id else ""
                county = self.counties.get(name.strip()) or self.counties.get(
                    (state_code, normalise_header(name))
                )
                if county is None:
                    errors.append(
                        self.error(
                            number,
                            "county",
                            name,
                            _("There is no county of this name in the row's state."),
                        )
                    )
                else:
                    case.county = county
        if values.get("fiscal_year") is not None and isinstance(case.start_date, datetime.date):
            expected = rules.fiscal_year_of(case.start_date)
            if values["fiscal_year"] != expected:
                errors.append(
                    self.error(
                        number,
                        "fiscal_year",
                        values["fiscal_year"],
                        _("The start date falls in FY%(expected)s, not FY%(given)s.")
                        % {"expected": expected, "given": values["fiscal_year"]},
                    )
                )
        if "themes" in self.positions and "themes" not in formulas:
            plan.themes = self.parse_themes(number, cells, errors)
        if "partners" in self.positions and "partners" not in formulas:
            plan.partners = self.parse_partners(number, cells, errors)

        # The register's own rules: the district, the dates, the titles, lengths, choices.
        bad = {error.column for error in errors}
        # Foreign keys are left out: region and state come from the register itself (or are
        # already reported), and checking that each still exists would cost a query a row.
        exclude = [name for name in bad if name in _MODEL_FIELDS] + _FOREIGN_KEYS
        if isinstance(case.start_date, datetime.date):
            case.fiscal_year = rules.fiscal_year_of(case.start_date)
        else:
            exclude += ["start_date", "fiscal_year"]
        try:
            self.full_clean(case, exclude)
        except ValidationError as problem:
            for name, messages in problem.message_dict.items():
                key = _FIELD_COLUMNS.get(name, name if name in COLUMNS_BY_KEY else "")
                if key and key in bad:
                    continue
                raw = self.raw(cells, key) if key else ""
                for message in messages:
                    errors.append(self.error(number, key, raw, message))

        plan.errors = errors
        if existing is not None and not errors:
            plan.changes = _changes(before, _snapshot_new(case, plan), self.positions)
            if not plan.changes:
                plan.action = UNCHANGED
        return plan

    def full_clean(self, case: Case, exclude: list[str]) -> None:
        """`case.full_clean()`, every rule the model's own, with the region's district taken
        from the districts loaded once rather than queried for every row."""
        case.known_district = self.districts.get(case.region_id, set())
        case.known_split_states = self.split_states
        case.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)

    def choice(self, number, name, value, errors):
        lookup = self.formats if name == "format" else self.statuses
        if not value:
            errors.append(self.error(number, name, "", _("This column is required.")))
            return None
        code = lookup.get(normalise_header(value))
        if code is None:
            choices = CaseFormat.values if name == "format" else CaseStatus.values
            errors.append(
                self.error(
                    number,
                    name,
                    value,
                    _("Unknown value; use one of: %(choices)s.") % {"choices": ", ".join(choices)},
                )
            )
        return code

    def parse_themes(self, number, cells, errors) -> list[Theme]:
        raw = self.raw(cells, "themes")
        themes, unknown = [], []
        for slug in _items(raw):
            theme = self.themes.get(slug.casefold())
            if theme is None:
                unknown.append(slug)
            elif theme not in themes:
                themes.append(theme)
        for slug in unknown:
            errors.append(
                self.error(
                    number,
                    "themes",
                    raw,
                    _("There is no theme “%(slug)s”; theme slugs are listed in the template.")
                    % {"slug": slug},
                )
            )
        return themes

    def parse_partners(self, number, cells, errors) -> list[tuple[Partner, str]]:
        raw = self.raw(cells, "partners")
        result = []
        for entry in _items(raw):
            match = PARTNER_ENTRY.match(entry)
            if not match or not match["name"].strip():
                errors.append(
                    self.error(
                        number,
                        "partners",
                        raw,
                        _("“%(entry)s”: write a partner as “Name (role)”.") % {"entry": entry},
                    )
                )
                continue
            name, role_text = match["name"].strip(), match["role"].strip()
            role = self.roles.get(normalise_header(role_text))
            partner = self.find_partner(name)
            if role is None:
                errors.append(
                    self.error(
                        number,
                        "partners",
                        raw,
                        _("“%(role)s” is not a role; use one of: %(roles)s.")
                        % {"role": role_text, "roles": ", ".join(PartnerRole.values)},
                    )
                )
            if partner is None:
                errors.append(
                    self.error(
                        number,
                        "partners",
                        raw,
                        _(
                            "There is no partner named “%(name)s”. Add the partner in the admin "
                            "first, or correct the name."
                        )
                        % {"name": name},
                    )
                )
            if role and partner and (partner, role) not in result:
                result.append((partner, role))
        return result


_MODEL_FIELDS = {f.name for f in Case._meta.get_fields()}
_FOREIGN_KEYS = [f.name for f in Case._meta.concrete_fields if f.many_to_one]
# Model fields whose errors belong to another column.
_FIELD_COLUMNS = {"fiscal_year": "start_date", NON_FIELD_ERRORS: ""}


def _snapshot(case: Case) -> dict:
    """A case's importable values, comparable with _snapshot_new()."""
    values = {name: _comparable(getattr(case, name)) for name in SCALAR_FIELDS}
    values["region"] = case.region_id
    values["state"] = case.state_id
    values["county"] = case.county_id
    values["themes"] = {theme.pk for theme in case.themes.all()}
    values["partners"] = {(role.partner_id, role.role) for role in case.partner_roles.all()}
    return values


def _snapshot_new(case: Case, plan: RowPlan) -> dict:
    values = {name: _comparable(getattr(case, name)) for name in SCALAR_FIELDS}
    values["region"] = case.region_id
    values["state"] = case.state_id
    values["county"] = case.county_id
    values["themes"] = {theme.pk for theme in plan.themes or []}
    values["partners"] = {(partner.pk, role) for partner, role in plan.partners or []}
    return values


def _comparable(value):
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n").strip()
    return value


def _changes(before: dict, after: dict, positions: dict) -> list[str]:
    """The columns (present in the file) whose values differ."""
    return [
        column.key
        for column in COLUMNS
        if column.key in positions
        and column.key in after
        and before[column.key] != after[column.key]
    ]


# --- writing ----------------------------------------------------------------------------------


def _write(plan: ImportPlan, user, *, can_publish: bool = True) -> ImportBatch:
    """Write a valid plan with one call of the register's bulk form (`cases.save_many`): the
    same checks, rules, stamps, audit entries and figures as saving each case, in a few
    set-based statements. The caller's transaction makes it all or nothing.

    An import by someone who may publish (HQ, or the system) is a reviewed write: every row
    it writes is approved (counted) or, if public, published. Anyone else's new rows are
    drafts, counted only once HQ approves them.
    """
    batch = ImportBatch.objects.create(
        file_name=plan.file_name,
        file_sha256=plan.sha256,
        file_format=plan.format,
        encoding=plan.encoding,
        imported_by=user,
        rows=len(plan.rows),
        created=plan.created,
        updated=plan.updated,
        unchanged=plan.unchanged,
    )
    changes = []
    for row in plan.rows:
        if row.action not in (CREATE, UPDATE):
            continue
        case = row.case
        for name in SCALAR_FIELDS:
            value = getattr(case, name)
            if isinstance(value, str):
                setattr(case, name, _comparable(value))
        case.import_batch = batch
        collections = {}
        if row.themes is not None:
            collections["themes"] = [theme.pk for theme in row.themes]
        if row.partners is not None:
            collections["partners"] = [[partner.pk, role] for partner, role in row.partners]
        changes.append(Change(case, collections))
    # The plan checked every row with the same rules and districts, in this transaction: the
    # register checks the rights and the rules again, as it does for every writer.
    cases.save_many(user, changes, approve=can_publish, source="import")
    return batch
