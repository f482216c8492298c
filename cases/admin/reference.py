"""The reference data's admins: districts, states, jurisdictions, counties, offices,
themes, partners and the published figures."""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from audit.history import AuditedAdmin
from cases import stats
from cases.models import (
    County,
    Jurisdiction,
    Office,
    Partner,
    PublishedFigure,
    Region,
    State,
    Theme,
)
from grassroots.language import localized
from staff.access import allowed_region_ids

# --- Reference data ---------------------------------------------------------------------------


class JurisdictionInline(admin.TabularInline):
    model = Jurisdiction
    fields = ["region", "note_en", "note_ja", "research_note"]
    extra = 0
    verbose_name = _("district holding this state")
    verbose_name_plural = _("districts holding this state")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("state", "region")


@admin.register(Region)
class RegionAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = [
        "name_en",
        "name_ja",
        "mission_kind",
        "city_en",
        "city_ja",
        "state_count",
        "sort_order",
    ]
    list_filter = ["mission_kind"]
    search_fields = [
        "code",
        "name_en",
        "name_ja",
        "mission_name_en",
        "mission_name_ja",
        "city_en",
        "city_ja",
    ]
    fieldsets = [
        (None, {"fields": ["code", ("name_en", "name_ja"), "sort_order"]}),
        (
            _("Mission"),
            {
                "fields": [
                    ("mission_name_en", "mission_name_ja"),
                    "mission_kind",
                    ("city_en", "city_ja"),
                ]
            },
        ),
        (_("District"), {"fields": ["states_display"]}),
    ]
    readonly_fields = ["states_display"]
    ordering = ["sort_order", "code"]  # the annotation's GROUP BY drops Meta.ordering

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(state_count=Count("jurisdictions"))

    @admin.display(description=_("states"), ordering="state_count")
    def state_count(self, region):
        return region.state_count

    @admin.display(description=_("states in the district"))
    def states_display(self, region):
        if region.pk is None:
            return self.get_empty_value_display()
        rows = region.jurisdictions.select_related("state").order_by("state__name_en")

        def note(row):
            if not row.is_split:
                return ""
            return f" — {localized(row, 'note')}"

        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} ({}){}</li>",
                ((row.state.name, row.state.code, note(row)) for row in rows),
            ),
        )


@admin.register(State)
class StateAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["code", "name_en", "name_ja", "kind", "regions_display"]
    list_filter = ["kind", "regions"]
    search_fields = ["code", "name_en", "name_ja"]
    fields = ["code", ("name_en", "name_ja"), "kind"]
    inlines = [JurisdictionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("regions")

    @admin.display(description=_("regions"))
    def regions_display(self, state):
        return ", ".join(str(region) for region in state.regions.all())


@admin.register(Jurisdiction)
class JurisdictionAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["state", "region", "note_en"]
    list_filter = ["region"]
    list_select_related = ["state", "region"]
    search_fields = ["state__code", "state__name_en", "state__name_ja", "region__name_en"]
    fields = ["state", "region", "note_en", "note_ja", "research_note"]


@admin.register(County)
class CountyAdmin(AuditedAdmin, admin.ModelAdmin):
    """The counties of the states two districts share: HQ moves a county to the other
    district here, and the case rules follow at once."""

    list_display = ["name_en", "name_ja", "state", "region", "fips", "case_count"]
    list_filter = ["state", "region"]
    list_select_related = ["state", "region"]
    search_fields = ["name_en", "name_ja", "fips"]
    ordering = ["state__code", "name_en"]
    fields = ["fips", "state", ("name_en", "name_ja"), "region", "research_note"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(case_count=_case_count(request))

    @admin.display(description=_("number of cases"), ordering="case_count")
    def case_count(self, county):
        return county.case_count


@admin.register(Office)
class OfficeAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name_en", "name_ja", "kind", "city_en", "city_ja", "state", "region"]
    list_filter = ["kind", "region"]
    list_select_related = ["state", "region"]
    search_fields = ["code", "name_en", "name_ja", "city_en", "city_ja"]
    fields = ["code", ("name_en", "name_ja"), "kind", ("city_en", "city_ja"), "state", "region"]


def _case_count(request, **extra) -> Count:
    """Count the related cases the user may see: a consulate editor's counts cover only their
    districts, so the reference lists reveal nothing about another district's register."""
    regions = allowed_region_ids(request.user)
    if regions is None:
        return Count("cases", **extra)
    return Count("cases", filter=Q(cases__region_id__in=regions), **extra)


@admin.register(Theme)
class ThemeAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name_en", "name_ja", "group", "slug", "sort_order", "case_count"]
    list_filter = ["group"]
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ["name_en", "name_ja", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    ordering = ["group", "sort_order", "slug"]  # the annotation's GROUP BY drops Meta.ordering
    fields = [
        ("name_en", "name_ja"),
        "slug",
        "group",
        "sort_order",
        ("description_en", "description_ja"),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(case_count=_case_count(request))

    @admin.display(description=_("number of cases"), ordering="case_count")
    def case_count(self, theme):
        return theme.case_count


@admin.register(Partner)
class PartnerAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = ["name_en", "name_ja", "kind", "state", "case_count"]
    list_filter = ["kind", ("state", admin.RelatedOnlyFieldListFilter)]
    show_facets = admin.ShowFacets.ALWAYS
    list_select_related = ["state"]
    search_fields = ["name_en", "name_ja"]
    ordering = ["name_en"]  # the annotation's GROUP BY drops Meta.ordering
    fields = [("name_en", "name_ja"), "kind", "state", "website"]

    def get_queryset(self, request):
        # A partner with two roles in one case counts that case once.
        counted = _case_count(request, distinct=True)
        return super().get_queryset(request).annotate(case_count=counted)

    @admin.display(description=_("number of cases"), ordering="case_count")
    def case_count(self, partner):
        return partner.case_count


@admin.register(PublishedFigure)
class PublishedFigureAdmin(AuditedAdmin, admin.ModelAdmin):
    list_display = [
        "__str__",
        "from_fy",
        "to_fy",
        "cases",
        "register_count",
        "difference",
        "source_en",
    ]
    fields = [("from_fy", "to_fy"), "cases", ("source_en", "source_ja")]

    def _register(self, figure) -> int:
        """The register's count for the figure's years (one read of the tallies; a handful
        of published figures)."""
        return stats.total(stats.Filters(from_fy=figure.from_fy, to_fy=figure.to_fy))

    @admin.display(description=_("register count"))
    def register_count(self, figure):
        return f"{self._register(figure):,}"

    @admin.display(description=_("difference"))
    def difference(self, figure):
        difference = self._register(figure) - figure.cases
        if difference == 0:
            return "0"
        return format_html("<strong>{}</strong>", f"{difference:+,}")
