"""The staff side of the showcase: writing, previewing and publishing best-practice pages."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cases.models import Case, CaseStatus
from showcase.models import ShowcasePage, ShowcaseStatus


def _case_admin_can_autocomplete() -> bool:
    # Autocomplete needs a registered Case admin with search_fields (admin.E039/E040). The cases
    # app registers its admin first (INSTALLED_APPS order); until it does, fall back to a raw id.
    case_admin = admin.site._registry.get(Case)
    return bool(case_admin and case_admin.search_fields)


@admin.register(ShowcasePage)
class ShowcasePageAdmin(admin.ModelAdmin):
    list_display = [
        "title_display",
        "case_link",
        "region",
        "fiscal_year",
        "status",
        "published_at",
        "preview_link",
    ]
    list_display_links = ["title_display"]
    list_filter = ["status", "case__fiscal_year", "case__region"]
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = [
        "slug",
        "title_en",
        "title_ja",
        "lead_en",
        "lead_ja",
        "case__title_en",
        "case__title_ja",
        "case__city",
        "case__external_ref",
    ]
    list_select_related = ["case__region"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title_en"]}
    # Autocomplete (below) takes precedence; the raw id is the fallback without a Case admin.
    raw_id_fields = ["case"]
    readonly_fields = ["preview_link", "published_at", "created_at", "updated_at"]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["case", "slug", "status", "published_at", "preview_link"]}),
        (_("English"), {"fields": ["title_en", "lead_en", "body_en"]}),
        (_("Japanese"), {"fields": ["title_ja", "lead_ja", "body_ja"]}),
        (
            _("Image"),
            {
                "fields": [
                    "hero_image",
                    "hero_illustration",
                    ("hero_alt_en", "hero_alt_ja"),
                    ("hero_credit_en", "hero_credit_ja"),
                ],
                "description": _(
                    "An uploaded image is shown if there is one, else the chosen illustration. "
                    "Either needs a description for people who cannot see it."
                ),
            },
        ),
        (_("Record"), {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_autocomplete_fields(self, request):
        return ["case"] if _case_admin_can_autocomplete() else []

    @admin.display(description=_("title"), ordering="title_en")
    def title_display(self, page):
        return page.title_en or page.title_ja

    @admin.display(description=_("case"), ordering="case__start_date")
    def case_link(self, page):
        return page.case.title_en or page.case.title_ja

    @admin.display(description=_("region"), ordering="case__region__sort_order")
    def region(self, page):
        return page.case.region

    @admin.display(description=_("fiscal year"), ordering="case__fiscal_year")
    def fiscal_year(self, page):
        return page.case.fiscal_year_label

    @admin.display(description=_("preview"))
    def preview_link(self, page):
        if not page.pk:
            return "—"
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a>',
            page.get_absolute_url(),
            _("Preview") if page.status != ShowcaseStatus.PUBLISHED else _("View"),
        )

    @admin.action(description=_("Publish the selected pages"))
    def publish(self, request, queryset):
        published = skipped = 0
        for page in queryset.select_related("case"):
            if page.case.status != CaseStatus.HELD or not page.case.is_public:
                skipped += 1
                continue
            if page.status != ShowcaseStatus.PUBLISHED:
                page.status = ShowcaseStatus.PUBLISHED
                page.published_at = page.published_at or timezone.now()
                page.save(update_fields=["status", "published_at", "updated_at"])
                published += 1
        if published:
            self.message_user(
                request,
                ngettext("%(n)d page published.", "%(n)d pages published.", published)
                % {"n": published},
                messages.SUCCESS,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(n)d page was left as it was: its case is not held and public.",
                    "%(n)d pages were left as they were: their cases are not held and public.",
                    skipped,
                )
                % {"n": skipped},
                messages.WARNING,
            )

    @admin.action(description=_("Return the selected pages to draft"))
    def unpublish(self, request, queryset):
        count = queryset.exclude(status=ShowcaseStatus.DRAFT).update(
            status=ShowcaseStatus.DRAFT, updated_at=timezone.now()
        )
        self.message_user(
            request,
            ngettext("%(n)d page returned to draft.", "%(n)d pages returned to draft.", count)
            % {"n": count},
            messages.SUCCESS,
        )
