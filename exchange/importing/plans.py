"""What an import would do and what it did: a plan per row, the plan of a file, the result.

A row's action is one of CREATE, UPDATE, UNCHANGED or REJECTED; a plan is valid when no row is
rejected, and only a valid plan is written.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from cases.models import Case
from exchange.columns import COLUMNS_BY_KEY
from exchange.models import ImportBatch

CREATE, UPDATE, UNCHANGED, REJECTED = "create", "update", "unchanged", "rejected"


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


@dataclass
class ImportResult:
    """A written import: its plan and the batch that records it."""

    plan: ImportPlan
    batch: ImportBatch
