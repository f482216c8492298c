"""Writing an import: plan the file again and, only if every row is valid, write it through the
register's write service (`cases.register.cases.save_many`) in one transaction, so a file with
any invalid row changes nothing.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cases.register import Change, Refused, cases
from exchange.importing.planning import plan_import
from exchange.importing.plans import CREATE, UPDATE, ImportInvalid, ImportPlan, ImportResult
from exchange.models import ImportBatch
from exchange.reading import ImportRefused


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
            batch = write(plan, user, can_publish=can_publish)
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


def write(plan: ImportPlan, user, *, can_publish: bool = True) -> ImportBatch:
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
    changes = [_change(row, batch) for row in plan.rows if row.action in (CREATE, UPDATE)]
    # The register checks the rights again, as for every writer. The rules it need not check
    # twice: the plan checked these very cases with the model's full rules and the districts
    # read in this transaction (`Planner.validate`, as `validate_many` does), with their text
    # already in the form written; what the register sets afterwards (stamps, fiscal year,
    # publication) it derives itself. Checking again cost a tenth of a large import.
    cases.save_many(user, changes, approve=can_publish, source="import", validate=False)
    return batch


def _change(row, batch: ImportBatch) -> Change:
    """The register's change for a planned row: the case with its text as the register keeps
    it and its batch, and the themes and partners when the file had those columns."""
    case = row.case  # its text already as the register keeps it (the planner's keep_text)
    case.import_batch = batch
    collections = {}
    if row.themes is not None:
        collections["themes"] = [theme.pk for theme in row.themes]
    if row.partners is not None:
        collections["partners"] = [[partner.pk, role] for partner, role in row.partners]
    return Change(case, collections)
