"""The write service of showcase pages: the register's engine (`cases.workflow`) with the
page's fields. Every change to a page goes through here, as every change to a case goes
through `cases.register`."""

from django.urls import reverse
from django.utils import timezone

from cases.models import Publication
from cases.workflow import Refused, Result, Workflow
from showcase.models import ShowcasePage
from staff.roles import PUBLISH_SHOWCASE_PAGE

__all__ = ["Refused", "Result", "pages"]


class ShowcaseRegister(Workflow):
    model = ShowcasePage
    publish_permission = PUBLISH_SHOWCASE_PAGE
    fields = [
        "case",
        "slug",
        "title_en",
        "lead_en",
        "body_en",
        "title_ja",
        "lead_ja",
        "body_ja",
        "hero_image",
        "hero_illustration",
        "hero_alt_en",
        "hero_alt_ja",
        "hero_credit_en",
        "hero_credit_ja",
    ]

    def region_id(self, obj):
        return obj.case.region_id if obj.case_id else None

    def is_reviewed(self, obj) -> bool:
        return obj.publication == Publication.PUBLISHED

    def is_draft(self, obj) -> bool:
        return obj.publication == Publication.DRAFT

    def preview_url(self, obj, revision=None) -> str:
        url = reverse("showcase:preview", args=[obj.pk])
        return f"{url}?revision={revision.pk}" if revision is not None else url

    def before_save(self, user, obj, live) -> None:
        if live is None or live.publication != obj.publication:
            # A state chosen in the form (publishers only have the field): stamp the step.
            if obj.publication == Publication.PUBLISHED:
                self.check_publish(user)
                obj.published_by = user
                obj.published_at = obj.published_at or timezone.now()
            elif obj.publication == Publication.SUBMITTED:
                obj.submitted_at, obj.submitted_by = timezone.now(), user


pages = ShowcaseRegister()
