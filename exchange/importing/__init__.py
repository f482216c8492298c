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

The modules, in the order a file goes through them:
- `header`: finds the header row and the template's columns in it; a column's letter.
- `cells`: reads one cell (text, a date, a whole number, yes or no, a list).
- `lookups`: the register's vocabulary and the file's stored cases, loaded once per file.
- `planning`: `plan_import()`, each row planned one concern at a time; the user's limits.
- `snapshots`: a case's importable values, to tell what a row changes.
- `plans`: the plan and result types.
- `writing`: `apply_import()`, the plan written through the register's write service.
"""

from exchange.importing.header import column_letter
from exchange.importing.planning import plan_import, sha256_of
from exchange.importing.plans import (
    CREATE,
    REJECTED,
    UNCHANGED,
    UPDATE,
    ImportInvalid,
    ImportPlan,
    ImportResult,
    RowError,
    RowPlan,
)
from exchange.importing.writing import apply_import
from exchange.reading import ImportRefused

__all__ = [
    "CREATE",
    "REJECTED",
    "UNCHANGED",
    "UPDATE",
    "ImportInvalid",
    "ImportPlan",
    "ImportRefused",
    "ImportResult",
    "RowError",
    "RowPlan",
    "apply_import",
    "column_letter",
    "plan_import",
    "sha256_of",
]
