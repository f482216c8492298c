"""Planning an import: what every row of a file would do (create, update, unchanged, rejected)
and why, writing nothing.

`plan_import()` reads the file, finds its header and columns (`header`), loads what rows are
checked against once (`lookups`) and plans each row with a `Planner`. A row is planned one
concern at a time: its cells, which case it is, the plain fields, the place, the fiscal year,
the themes, the partners and last the register's own rules. Each concern adds its problems to
the row, so one pass names every problem a row has, by row and column.
"""

import datetime
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import PurePath

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext as _

from cases import rules
from cases.models import (
    REVIEWED,
    Case,
    CaseFormat,
    CaseOrigin,
    CaseStatus,
    Partner,
    PartnerRole,
    Theme,
)
from exchange.columns import COLUMNS_BY_KEY, normalise_header
from exchange.importing import cells as cell
from exchange.importing import snapshots
from exchange.importing.header import column_letter, column_positions, split_header
from exchange.importing.lookups import CHUNK, Lookups
from exchange.importing.plans import (
    CREATE,
    REJECTED,
    UNCHANGED,
    UPDATE,
    ImportPlan,
    RowError,
    RowPlan,
)
from exchange.reading import Formula, ImportRefused, read_sheet

PARTNER_ENTRY = re.compile(r"^(?P<name>.*?)\s*[(（](?P<role>[^()（）]*)[)）]\s*$")
# How a column of each kind is read; any other kind is text.
PARSERS = {"date": cell.date, "int": cell.integer, "bool": cell.boolean}
# Columns read by a concern of their own rather than a parser.
LIST_COLUMNS = ("themes", "partners")

_MODEL_FIELDS = {f.name for f in Case._meta.get_fields()}
_FOREIGN_KEYS = [f.name for f in Case._meta.concrete_fields if f.many_to_one]
# Model fields whose errors belong to another column.
_FIELD_COLUMNS = {"fiscal_year": "start_date", NON_FIELD_ERRORS: ""}


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
    header, rows = split_header(sheet)
    positions, ignored = column_positions(header)
    if not rows:
        raise ImportRefused(_("The file has a header row but no cases."))
    planner = Planner(header, rows, positions)
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


# --- what the importing user may do -----------------------------------------------------------


def _reject_beyond_role(planner, planned, allowed_regions, can_publish) -> None:
    """Reject rows about a case outside the user's districts (as it is, or as the row would
    make it) and, for a user who may not publish, rows that would publish or withdraw one."""
    stored = _stored_scope(planned)
    for row in planned:
        if row.case is None:
            continue
        was_region, was_public, was_publication = stored.get(row.case.pk, (None, False, ""))
        if allowed_regions is not None:
            _check_district(planner, row, was_region, allowed_regions)
        if not can_publish:
            _check_publishing(planner, row, was_public, was_publication)
        if row.errors:
            row.action = REJECTED


def _stored_scope(planned) -> dict[int, tuple]:
    """{pk: (region id, is public, publication state)} as stored, for the rows' cases."""
    ids = sorted({row.case.pk for row in planned if row.case is not None and row.case.pk})
    stored = {}
    for start in range(0, len(ids), CHUNK):
        chunk = Case.objects.filter(pk__in=ids[start : start + CHUNK])
        stored.update(
            (pk, (region, public, publication))
            for pk, region, public, publication in chunk.values_list(
                "pk", "region_id", "is_public", "publication"
            )
        )
    return stored


def _check_district(planner, row: RowPlan, was_region, allowed_regions) -> None:
    case = row.case
    regions = {case.region_id, was_region} - {None}
    if not regions <= set(allowed_regions):
        code = case.region.code if case.region_id else ""
        message = _("You can import cases of your own districts only.")
        row.errors.append(planner.error(row.row, "region", code, message))


def _check_publishing(planner, row: RowPlan, was_public, was_publication) -> None:
    case = row.case
    if "is_public" in planner.positions and case.is_public != was_public:
        message = _("Only HQ editors can publish or withdraw a case; leave this as it was.")
        row.errors.append(planner.error(row.row, "is_public", case.is_public, message))
    if row.action == UPDATE and was_publication in REVIEWED:
        # A reviewed case counts in the official figures: a change to it is HQ's to review.
        message = _(
            "This case has been reviewed by HQ; change it in the admin, where the change "
            "goes to HQ for review."
        )
        row.errors.append(planner.error(row.row, "", "", message))


# --- planning rows ----------------------------------------------------------------------------


@dataclass
class _Row:
    """One data row while it is planned: its cells, the values read from them, the columns
    whose cells hold formulas, and the problems found so far, in the order found."""

    number: int
    cells: list
    values: dict = field(default_factory=dict)
    formulas: set[str] = field(default_factory=set)
    errors: list[RowError] = field(default_factory=list)


class Planner:
    """Plans a sheet's rows against the register, with every lookup loaded once."""

    def __init__(self, header: list, rows: list[tuple[int, list]], positions: dict[str, int]):
        self.rows = rows
        self.positions = positions
        self.headers = {
            key: ("" if header[index] is None else str(header[index]).strip())
            for key, index in positions.items()
        }
        self.lookups = Lookups()
        # The stored cases the file names, and which row first named each reference and case.
        self.by_ref: dict[str, Case] = {}
        self.by_id: dict[int, Case] = {}
        self.seen_refs: dict[str, int] = {}
        self.seen_cases: dict[int, int] = {}

    # A cell and its problems.

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
            value=cell.text(raw),
            message=str(message),
        )

    def fail(self, row: _Row, key: str, raw, message) -> None:
        row.errors.append(self.error(row.number, key, raw, message))

    # The file.

    def plan(self) -> list[RowPlan]:
        self.by_ref, self.by_id = self.lookups.existing_cases(*self._identities())
        self.seen_refs, self.seen_cases = {}, {}
        plans = []
        for number, cells in self.rows:
            plan = self.plan_row(number, cells)
            plan.errors.sort(key=lambda error: self.positions.get(error.column, -1))
            plan.action = REJECTED if plan.errors else plan.action
            plans.append(plan)
        return plans

    def _identities(self) -> tuple[list[str], list[int]]:
        """The references the rows give, and the IDs of rows with none: the cases to load."""
        refs, ids = [], []
        for _number, cells in self.rows:
            ref = self.raw(cells, "external_ref")
            ref = "" if isinstance(ref, Formula) else cell.text(ref)
            try:
                pk = cell.integer(self.raw(cells, "id"))
            except cell.CellError:
                pk = None
            if ref:
                refs.append(ref)
            elif pk:
                ids.append(pk)
        return refs, ids

    # One row, a concern at a time.

    def plan_row(self, number: int, cells: list) -> RowPlan:
        """What importing one row would do, with every problem it has."""
        row = _Row(number, cells)
        self.read_cells(row)
        ref = row.values.get("external_ref", "")
        plan = RowPlan(row=number, action=CREATE, external_ref=ref)
        plan.title = row.values.get("title_en") or row.values.get("title_ja") or ""
        existing = self.identify(row)
        before = snapshots.stored(existing) if existing is not None else None
        case = existing if existing is not None else Case(origin=CaseOrigin.IMPORT)
        if existing is None:
            case.external_ref = ref
        plan.case = case
        plan.action = UPDATE if existing is not None else CREATE
        self.set_fields(row, case)
        self.set_place(row, case)
        # The text as the register keeps it, before the rules check it: the case validated
        # here is the case written (exchange.importing.writing).
        snapshots.keep_text(case)
        self.check_fiscal_year(row, case)
        plan.themes = self.read_themes(row)
        plan.partners = self.read_partners(row)
        self.validate(row, case)
        plan.errors = row.errors
        if existing is not None and not row.errors:
            after = snapshots.planned(case, plan.themes, plan.partners)
            plan.changes = snapshots.changed_columns(before, after, self.positions)
            if not plan.changes:
                plan.action = UNCHANGED
        return plan

    def read_cells(self, row: _Row) -> None:
        """Every recognised cell's value, read by its column's kind, into `row.values`. A
        formula is an error of its own: its column is not read."""
        row.formulas = {
            key for key in self.positions if isinstance(self.raw(row.cells, key), Formula)
        }
        for key in sorted(row.formulas, key=self.positions.get):
            message = _(
                "This cell holds a formula; only values can be imported. Copy the "
                "column and paste it as values (Paste Special, Values), then import "
                "again."
            )
            self.fail(row, key, self.raw(row.cells, key), message)
        for key in self.positions:
            if key in LIST_COLUMNS or key in row.formulas:
                continue
            parse = PARSERS.get(COLUMNS_BY_KEY[key].kind, cell.text)
            raw = self.raw(row.cells, key)
            try:
                row.values[key] = parse(raw)
            except cell.CellError as problem:
                self.fail(row, key, raw, problem)

    # Identity: which case the row is.

    def identify(self, row: _Row) -> Case | None:
        """The stored case the row updates: by reference, else by portal ID (an ID alone
        never creates a case); None for a new case. Two rows may not be about one case."""
        ref = row.values.get("external_ref", "")
        duplicate = False
        existing = None
        if ref:
            duplicate = self._check_reference(row, ref)
            existing = self.by_ref.get(ref)
        elif row.values.get("id"):
            existing = self._by_id(row, row.values["id"])
        elif "external_ref" not in [error.column for error in row.errors]:
            message = _("Every case needs an external reference (or, to update one, its ID).")
            self.fail(row, "external_ref", "", message)
        if existing is not None and not duplicate:
            self._claim(row, existing, "external_ref" if ref else "id")
        return existing

    def _check_reference(self, row: _Row, ref: str) -> bool:
        """Check a reference's length and that no earlier row gave it; True if one did."""
        if len(ref) > Case._meta.get_field("external_ref").max_length:
            self.fail(row, "external_ref", ref, _("At most 100 characters."))
        if ref in self.seen_refs:
            message = _("This reference is also in row %(row)s; each case needs its own.") % {
                "row": self.seen_refs[ref]
            }
            self.fail(row, "external_ref", ref, message)
            return True
        self.seen_refs[ref] = row.number
        return False

    def _by_id(self, row: _Row, pk: int) -> Case | None:
        existing = self.by_id.get(pk)
        if existing is None:
            message = _(
                "There is no case with this ID. To add a new case, give it an external reference."
            )
            self.fail(row, "id", pk, message)
        return existing

    def _claim(self, row: _Row, case: Case, key: str) -> None:
        """Note the row as the one about this case, unless an earlier row is (by reference in
        one and by ID in the other, the two would fight)."""
        if case.pk in self.seen_cases:
            message = _("Row %(row)s is already about this case; each case needs one row.") % {
                "row": self.seen_cases[case.pk]
            }
            self.fail(row, key, self.raw(row.cells, key), message)
        else:
            self.seen_cases[case.pk] = row.number

    # The fields a column sets directly.

    def set_fields(self, row: _Row, case: Case) -> None:
        """Set the plain fields the file has columns for; a choice is read in any spelling."""
        for name in snapshots.SCALAR_FIELDS:
            if name not in row.values:
                continue
            value = row.values[name]
            if name in ("format", "status"):
                value = self.choice(row, name, value)
                if value is None:
                    continue
            elif name == "start_date" and value is None:
                self.fail(row, name, "", _("A start date is required."))
                continue
            setattr(case, name, value)

    def choice(self, row: _Row, name: str, value: str) -> str | None:
        """The code of a format or status written as its code or its label in either
        language; None (and an error) when it is blank or unknown."""
        lookup = self.lookups.formats if name == "format" else self.lookups.statuses
        if not value:
            self.fail(row, name, "", _("This column is required."))
            return None
        code = lookup.get(normalise_header(value))
        if code is None:
            choices = CaseFormat.values if name == "format" else CaseStatus.values
            message = _("Unknown value; use one of: %(choices)s.") % {
                "choices": ", ".join(choices)
            }
            self.fail(row, name, value, message)
        return code

    # Place: region, state and county (the city is a plain field).

    def set_place(self, row: _Row, case: Case) -> None:
        if "region" in row.values:
            self._set_region(row, case, row.values["region"])
        if "state" in row.values:
            self._set_state(row, case, row.values["state"])
        if "county" in row.values:
            self._set_county(row, case, row.values["county"])

    def _set_region(self, row: _Row, case: Case, code: str) -> None:
        region = self.lookups.regions.get(code.casefold()) if code else None
        if region is None:
            message = (
                _("There is no region with this code; use a code such as miami or new-york.")
                if code
                else _("A region is required.")
            )
            self.fail(row, "region", code, message)
        else:
            case.region = region

    def _set_state(self, row: _Row, case: Case, code: str) -> None:
        if not code:
            case.state = None
        elif code.upper() in self.lookups.states:
            case.state = self.lookups.states[code.upper()]
        else:
            self.fail(row, "state", code, _("There is no state with this USPS code."))

    def _set_county(self, row: _Row, case: Case, name: str) -> None:
        if not name:
            case.county = None
            return
        state_code = case.state.code if case.state_id else ""
        county = self.lookups.find_county(name, state_code)
        if county is None:
            message = _("There is no county of this name in the row's state.")
            self.fail(row, "county", name, message)
        else:
            case.county = county

    # Validation: the fiscal year column, then the register's own rules.

    def check_fiscal_year(self, row: _Row, case: Case) -> None:
        """A fiscal year given beside the start date must be the start date's."""
        given = row.values.get("fiscal_year")
        if given is None or not isinstance(case.start_date, datetime.date):
            return
        expected = rules.fiscal_year_of(case.start_date)
        if given != expected:
            message = _("The start date falls in FY%(expected)s, not FY%(given)s.") % {
                "expected": expected,
                "given": given,
            }
            self.fail(row, "fiscal_year", given, message)

    def validate(self, row: _Row, case: Case) -> None:
        """The register's own rules: the district, the dates, the titles, lengths, choices.
        A column already in error is not reported again."""
        bad = {error.column for error in row.errors}
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
            self._report_rules(row, problem, bad)

    def _report_rules(self, row: _Row, problem: ValidationError, bad: set[str]) -> None:
        """The model's messages, each under its column (the whole row's under none)."""
        for name, messages in problem.message_dict.items():
            key = _FIELD_COLUMNS.get(name, name if name in COLUMNS_BY_KEY else "")
            if key and key in bad:
                continue
            raw = self.raw(row.cells, key) if key else ""
            for message in messages:
                self.fail(row, key, raw, message)

    def full_clean(self, case: Case, exclude: list[str]) -> None:
        """`case.full_clean()`, every rule the model's own, with the region's district taken
        from the districts loaded once rather than queried for every row."""
        case.known_district = self.lookups.districts.get(case.region_id, set())
        case.known_split_states = self.lookups.split_states
        case.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)

    # Themes and partners: list cells.

    def read_themes(self, row: _Row) -> list[Theme] | None:
        """The themes of the row's slugs (each once); None when the file has no such column
        (or a formula in it), which leaves an updated case's themes as they are."""
        if "themes" not in self.positions or "themes" in row.formulas:
            return None
        raw = self.raw(row.cells, "themes")
        themes, unknown = [], []
        for slug in cell.items(raw):
            theme = self.lookups.themes.get(slug.casefold())
            if theme is None:
                unknown.append(slug)
            elif theme not in themes:
                themes.append(theme)
        for slug in unknown:
            message = _(
                "There is no theme “%(slug)s”; theme slugs are listed in the template."
            ) % {"slug": slug}
            self.fail(row, "themes", raw, message)
        return themes

    def read_partners(self, row: _Row) -> list[tuple[Partner, str]] | None:
        """(partner, role) for each “Name (role)” entry (each pair once); None when the file
        has no such column (or a formula in it)."""
        if "partners" not in self.positions or "partners" in row.formulas:
            return None
        raw = self.raw(row.cells, "partners")
        result = []
        for entry in cell.items(raw):
            pair = self._partner(row, raw, entry)
            if pair is not None and pair not in result:
                result.append(pair)
        return result

    def _partner(self, row: _Row, raw, entry: str) -> tuple[Partner, str] | None:
        match = PARTNER_ENTRY.match(entry)
        if not match or not match["name"].strip():
            message = _("“%(entry)s”: write a partner as “Name (role)”.") % {"entry": entry}
            self.fail(row, "partners", raw, message)
            return None
        name, role_text = match["name"].strip(), match["role"].strip()
        role = self.lookups.roles.get(normalise_header(role_text))
        partner = self.lookups.find_partner(name)
        if role is None:
            message = _("“%(role)s” is not a role; use one of: %(roles)s.") % {
                "role": role_text,
                "roles": ", ".join(PartnerRole.values),
            }
            self.fail(row, "partners", raw, message)
        if partner is None:
            message = _(
                "There is no partner named “%(name)s”. Add the partner in the admin "
                "first, or correct the name."
            ) % {"name": name}
            self.fail(row, "partners", raw, message)
        return (partner, role) if role and partner else None
