"""Import cases from a CSV or XLSX file made from the import template."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from audit.context import audit_context
from exchange.importing import (
    CREATE,
    REJECTED,
    UNCHANGED,
    UPDATE,
    ImportInvalid,
    ImportPlan,
    ImportRefused,
    apply_import,
    plan_import,
)
from exchange.reading import check_size
from staff.access import allowed_region_ids
from staff.roles import PUBLISH_CASE


class Command(BaseCommand):
    help = (
        "Import cases from a CSV (UTF-8 or Shift_JIS) or XLSX file with the import template's "
        "columns. Every row is checked first; a file with any invalid row changes nothing. "
        "Exits with status 1 when the file is refused or has invalid rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV or XLSX file")
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and show the plan only"
        )
        parser.add_argument(
            "--user",
            metavar="USERNAME",
            help="import as this user, with their districts and publish rights; without it the "
            "import is a system import",
        )

    def handle(self, *args, **options):
        path = Path(options["file"])
        user = None
        if options["user"]:
            model = get_user_model()
            try:
                user = model._default_manager.get_by_natural_key(options["user"])
            except model.DoesNotExist:
                raise CommandError(
                    _("There is no user “%(name)s”.") % {"name": options["user"]}
                ) from None
        if user is not None and not user.has_perm("exchange.add_importbatch"):
            raise CommandError(_("%(name)s may not import cases.") % {"name": user.get_username()})
        # The user's rights, exactly as the admin's import applies them; without --user the
        # import is the system's, with every right, and recorded as a system import.
        scope = {
            "allowed_regions": allowed_region_ids(user) if user is not None else None,
            "can_publish": user is None or user.has_perm(PUBLISH_CASE),
        }
        note = path.name if user is not None else f"{path.name} (system import)"
        if not path.is_file():
            raise CommandError(_("There is no file %(path)s.") % {"path": path})
        try:
            check_size(path.stat().st_size)
            data = path.read_bytes()
            if options["dry_run"]:
                plan = plan_import(data, path.name, **scope)
            else:
                with audit_context(user, source="import", note=note):
                    result = apply_import(data, path.name, user=user, **scope)
                plan = result.plan
        except ImportRefused as refusal:
            raise CommandError(
                _("%(file)s was refused: %(reason)s") % {"file": path.name, "reason": refusal}
            ) from None
        except ImportInvalid as invalid:
            self.report(invalid.plan)
            raise CommandError(
                _("%(count)s of %(rows)s rows are invalid; nothing was imported.")
                % {"count": invalid.plan.rejected, "rows": len(invalid.plan.rows)}
            ) from None

        self.report(plan)
        if not plan.is_valid:
            raise CommandError(
                _("%(count)s of %(rows)s rows are invalid; nothing would be imported.")
                % {"count": plan.rejected, "rows": len(plan.rows)}
            )
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was written."))
        else:
            self.stdout.write(
                self.style.SUCCESS(_("Imported as import #%(id)s.") % {"id": result.batch.pk})
            )

    def report(self, plan: ImportPlan) -> None:
        out = self.stdout
        out.write(
            _("%(file)s (%(format)s%(encoding)s): %(rows)s rows")
            % {
                "file": plan.file_name,
                "format": plan.format.upper(),
                "encoding": f", {plan.encoding}" if plan.encoding else "",
                "rows": len(plan.rows),
            }
        )
        if plan.ignored_columns:
            out.write(
                _("Ignored columns: %(columns)s") % {"columns": ", ".join(plan.ignored_columns)}
            )
        labels = {
            CREATE: _("to create"),
            UPDATE: _("to update"),
            UNCHANGED: _("unchanged"),
            REJECTED: _("rejected"),
        }
        for action, label in labels.items():
            out.write(f"  {label}: {plan.count(action)}")
        for row in plan.rows:
            if row.action == CREATE:
                out.write(f"  + {_('row')} {row.row} {row.external_ref}: {row.title}")
            elif row.action == UPDATE:
                out.write(
                    f"  ~ {_('row')} {row.row} {row.external_ref or row.case.pk}: {row.title} "
                    f"({', '.join(row.changes)})"
                )
        for error in plan.errors:
            self.stderr.write(f"  ! {error}")
