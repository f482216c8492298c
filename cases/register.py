"""The write service of the case register: every change to a case goes through here.

    from cases.register import cases
    cases.save(user, case, collections={"themes": [...], "partners": [[id, role], ...]})
    cases.submit(user, case); cases.publish(user, case); cases.publish(user, case, listed=False)
    cases.approve(user, revision); cases.reject(user, revision, "why")
    cases.unpublish(user, case); cases.delete(user, case); cases.restore(user, pk, version)

See `cases.workflow` for what every call promises. The bulk form for imports and demo data is
`exchange.importing._write` and `cases.demo`, which call `bulk_written()` at their end.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from audit import restoring
from cases import tracking
from cases.figures import freshness
from cases.models import REVIEWED, Case, CaseStatus, Publication
from cases.workflow import Refused, Result, Workflow
from staff.roles import PUBLISH_CASE

__all__ = ["Refused", "Result", "cases"]


class CaseRegister(Workflow):
    model = Case
    publish_permission = PUBLISH_CASE
    fields = [
        "title_en",
        "title_ja",
        "summary_en",
        "summary_ja",
        "start_date",
        "end_date",
        "region",
        "state",
        "city_en",
        "city_ja",
        "format",
        "status",
        "participants",
        "is_best_practice",
    ]
    collections = {
        "themes": (
            lambda case: tracking._read_themes([case.pk]).get(case.pk, []),
            tracking._write_themes,
        ),
        "partners": (
            lambda case: tracking._read_partners([case.pk]).get(case.pk, []),
            tracking._write_partners,
        ),
    }

    def region_id(self, obj):
        return obj.region_id

    def preview_url(self, obj, revision=None) -> str:
        url = reverse("cases:preview", args=[obj.pk])
        return f"{url}?revision={revision.pk}" if revision is not None else url

    def is_reviewed(self, obj) -> bool:
        return obj.publication in REVIEWED

    def is_draft(self, obj) -> bool:
        return obj.publication == Publication.DRAFT

    def counts(self, obj) -> bool:
        return obj.status == CaseStatus.HELD and obj.publication in REVIEWED

    def before_save(self, user, obj, live) -> None:
        if obj.pk is None and user is not None:
            obj.created_by = user
        if user is not None:
            obj.updated_by = user
        if (live is not None and obj.is_public != live.is_public) or (
            live is None and obj.is_public
        ):
            # Publishing or withdrawing through the flag is HQ's (the admin shows the flag as a
            # field to publishers only); publishing says by whom.
            self.check_publish(user)
            if obj.is_public:
                obj.published_at, obj.published_by = timezone.now(), user

    def restore(self, user, pk, version: dict, *, current=None):
        """Bring back a version (of a case, or a deleted case), if the user may: the district,
        and publish rights when the version would change what is published."""
        probe = Case(region_id=version.get("region"))
        self.check(user, probe, "add" if current is None else "change")
        present = None if current is None else restoring.recorder.snapshot(current)
        if restoring.changes_publication(Case, version, present) and not self.may_publish(user):
            raise Refused(_restore_message())
        with self.unit(user):
            return restoring.restore(Case, pk, version, user=user, current=current)

    def may_restore(self, user, version: dict, current=None) -> bool:
        try:
            probe = Case(region_id=version.get("region"))
            self.check(user, probe, "add" if current is None else "change")
        except Refused:
            return False
        present = None if current is None else restoring.recorder.snapshot(current)
        return not restoring.changes_publication(Case, version, present) or self.may_publish(user)


def _restore_message() -> str:
    return gettext("Only HQ editors may restore a version that changes what is published.")


def bulk_written() -> None:
    """Called by the bulk writers (the importer, the demo data) inside their transaction after
    writing: the figures are counted again before it ends."""
    freshness.cases_changed()
    freshness.flush(bump=False)


cases = CaseRegister()
