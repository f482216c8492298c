"""The staff side of the showcase: writing, previewing and publishing best-practice pages."""

from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from audit.history import AuditedAdmin
from cases.admin.filters import RegionFilter
from cases.models import Case, Publication
from cases.publishing import PublishingAdmin
from grassroots.language import localized
from showcase.models import ShowcasePage
from showcase.register import pages
from staff.access import holds_region, scope_cases


def _case_admin_can_autocomplete() -> bool:
    # Autocomplete needs a registered Case admin with search_fields (admin.E039/E040). The cases
    # app registers its admin first (INSTALLED_APPS order); until it does, fall back to a raw id.
    case_admin = admin.site._registry.get(Case)
    return bool(case_admin and case_admin.search_fields)


class ShowcasePageForm(forms.ModelForm):
    """The page form; `request_review` is offered to editors who cannot publish, while the
    page is a draft."""

    request_review = forms.BooleanField(
        label=_("Submit for review when saved"),
        required=False,
        help_text=_("HQ editors are asked to review and publish the page."),
    )

    class Meta:
        model = ShowcasePage
        # The admin's fieldsets choose the fields shown; these are the page's own.
        fields = [
            "case",
            "slug",
            "publication",
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


@admin.register(ShowcasePage)
class ShowcasePageAdmin(PublishingAdmin, AuditedAdmin, admin.ModelAdmin):
    register = pages
    form = ShowcasePageForm
    list_display = [
        "title_display",
        "case_link",
        "region",
        "fiscal_year",
        "publication",
        "published_at",
        "preview_link",
    ]
    list_display_links = ["title_display"]
    list_filter = ["publication", "case__fiscal_year", ("case__region", RegionFilter)]
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = [
        "slug",
        "title_en",
        "title_ja",
        "lead_en",
        "lead_ja",
        "case__title_en",
        "case__title_ja",
        "case__city_en",
        "case__city_ja",
        "case__external_ref",
    ]
    list_select_related = ["case__region"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title_en"]}
    # Autocomplete (below) takes precedence; the raw id is the fallback without a Case admin.
    raw_id_fields = ["case"]
    readonly_fields = [
        "preview_link",
        "published_at",
        "published_by",
        "submitted_at",
        "submitted_by",
        "created_at",
        "updated_at",
    ]
    actions = ["submit_for_review", "publish", "unpublish"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "case",
                    "slug",
                    "publication",
                    ("submitted_at", "submitted_by"),
                    ("published_at", "published_by"),
                    "preview_link",
                ]
            },
        ),
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

    # --- district scope and the publishing permission ----------------------------------------

    def get_queryset(self, request):
        # A consulate editor sees and edits the pages of its districts' cases only.
        queryset = super().get_queryset(request).select_related("submitted_by", "published_by")
        return scope_cases(queryset, request.user, field="case__region")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "case":
            # Only cases of the editor's districts; a forged id is an invalid choice.
            kwargs["queryset"] = scope_cases(Case.objects.all(), request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _in_scope(self, request, page) -> bool:
        return (
            page is None or page.case_id is None or holds_region(request.user, page.case.region_id)
        )

    def has_view_permission(self, request, obj=None):
        return self._in_scope(request, obj) and super().has_view_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._in_scope(request, obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._in_scope(request, obj) and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            # Shown, not a field: a forged "publication=published" in the POST is never read.
            readonly.append("publication")
        return readonly

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        may_edit = (
            self.has_add_permission(request)
            if obj is None
            else self.has_change_permission(request, obj)
        )
        offers_submit = (
            may_edit
            and not self.has_publish_permission(request)
            and (obj is None or obj.publication == Publication.DRAFT)
        )
        if offers_submit:
            name, options = fieldsets[0]
            fieldsets[0] = (name, {**options, "fields": [*options["fields"], "request_review"]})
        return fieldsets

    @admin.display(description=_("title"), ordering="title_en")
    def title_display(self, page):
        return localized(page, "title").text

    @admin.display(description=_("case"), ordering="case__start_date")
    def case_link(self, page):
        return page.case.title

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
            _("Preview") if page.publication != Publication.PUBLISHED else _("View"),
        )
