"""The register's state for staff pages: the official figure, what the review queue would
change, and whether the register agrees with the published figures."""

from django import template

from cases import stats
from cases.models import Revision
from staff.access import allowed_region_ids
from staff.roles import PUBLISH_CASE

register = template.Library()


@register.inclusion_tag("admin/cases/register_summary.html", takes_context=True)
def register_summary(context, reconciliation=True):
    """The official total with "+N pending review" beside it and the queue's size; for HQ also
    (with `reconciliation`) every published figure the register does not match."""
    request = context["request"]
    user = request.user
    reviewer = user.has_perm(PUBLISH_CASE)
    queue = Revision.objects.pending()
    allowed = allowed_region_ids(user)
    if allowed is not None:
        queue = queue.filter(region_id__in=allowed)
    differences = []
    if reviewer and reconciliation:
        differences = [
            row for row in stats.reconcile().to_dict("records") if row["difference"] != 0
        ]
    return {
        "total": stats.total(),
        "pending": stats.pending_difference(),
        "queue_size": queue.count(),
        "reviewer": reviewer,
        "differences": differences,
        "language": context.get("LANGUAGE_CODE", "en"),
    }
