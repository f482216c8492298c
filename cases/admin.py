"""The staff application: the case register and the reference data it names.

Every list and form runs a fixed number of queries however many rows it shows: counts are
annotated in get_queryset, related rows come with select_related or prefetch_related, and the
partner inline labels its rows from the partners loaded with them.
"""

import json

from django.contrib import admin, messages
from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import ValidationError
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cases import rules
from cases.forms import CaseAdminForm, CasePartnerForm, PreloadedAutocompleteSelect
from cases.models import (
    Case,
    CasePartner,
    CaseStatus,
    Jurisdiction,
    Office,
    Partner,
    PublishedFigure,
    Region,
    State,
    Theme,
)

admin.site.site_header = _("Grassroots Portal staff")
admin.site.site_title = _("Grassroots Portal staff")
admin.site.index_title = _("Case register")


# --- Cases ------------------------------------------------------------------------------------


def once_per_request(request, key, compute):
    """compute(), remembered on the request under key.

    Django builds every list filter again for each filter's facet counts, so a filter whose
    choices come from the database would look them up once per filter: nine times over.
    """
    memo = request.__dict__.setdefault("_case_admin_filter_choices", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


class FiscalYearFilter(admin.SimpleListFilter):
    """The fiscal years the register holds, newest first, written as FY2024 or 2024年度."""

    title = _("fiscal year")
    parameter_name = "fiscal_year"

    def lookups(self, request, model_admin):
        language = translation.get_language() or "en"

        def years():
            found = Case.objects.order_by("-fiscal_year").values_list("fiscal_year", flat=True)
            return list(found.distinct())

        return [
            (str(year), rules.fiscal_year_label(year, language))
            for year in once_per_request(request, "fiscal_years", years)
        ]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            return queryset.filter(fiscal_year=int(self.value()))
        return None

    def get_facet_counts(self, pk_attname, filtered_qs):
        # A plain condition per year, rather than the default "pk in (subquery)" per year.
        return {
            f"{index}__c": Count(pk_attname, filter=Q(fiscal_year=int(year)))
            for index, (year, _label) in enumerate(self.lookup_choices)
        }


class ChoicesOncePerRequest:
    """For a related-object filter: look its choices up once per request, not once per filter."""

    def field_choices(self, field, request, model_admin):
        parent = super()
        return once_per_request(
            request,
            (type(self).__name__, self.field_path),
            lambda: parent.field_choices(field, request, model_admin),
        )


class RelatedFilter(ChoicesOncePerRequest, admin.RelatedFieldListFilter):
    pass


class RelatedOnlyFilter(ChoicesOncePerRequest, admin.RelatedOnlyFieldListFilter):
    """Only the objects some case names: the states cases are in, the imports they came from."""


class CasePartnerInline(admin.TabularInline):
    model = CasePartner
    form = CasePartnerForm
    autocomplete_fields = ["partner"]
    extra = 1
    verbose_name = _("partner")
    verbose_name_plural = _("partners and their roles")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("partner")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "partner":
            kwargs["widget"] = PreloadedAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "partner":
            # A new partner can be added from here; deleting one belongs on its own page.
            formfield.widget.can_delete_related = False
        return formfield


def partner_count():
    """The number of different partners a case has, as a subquery (no GROUP BY on the list)."""
    per_case = (
        CasePartner.objects.filter(case=OuterRef("pk"))
        .order_by()
        .values("case")
        .annotate(n=Count("partner", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(per_case, output_field=IntegerField()), Value(0))


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    form = CaseAdminForm
    inlines = [CasePartnerInline]

    list_display = [
        "title_display",
        "fiscal_year_display",
        "region",
        "state_display",
        "city",
        "format",
        "status",
        "is_public",
        "is_best_practice",
        "origin",
        "partner_count",
    ]
    list_select_related = ["region", "state"]
    list_filter = [
        FiscalYearFilter,
        ("region", RelatedFilter),
        ("state", RelatedOnlyFilter),
        ("themes", RelatedFilter),
        "status",
        "is_public",
        "is_best_practice",
        "origin",
        # The import record links here filtered by import; this shows that filter and clears it.
        ("import_batch", RelatedOnlyFilter),
    ]
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = [
        "title_en",
        "title_ja",
        "city",
        "partners__name_en",
        "partners__name_ja",
        "external_ref",
    ]
    search_help_text = _("Title in either language, city, partner name or external reference.")
    date_hierarchy = "start_date"
    ordering = ["-start_date", "-pk"]
    list_per_page = 50
    autocomplete_fields = ["themes"]
    actions = ["mark_public", "mark_not_public"]

    fieldsets = [
        (
            _("Title and summary"),
            {"fields": [("title_en", "title_ja"), ("summary_en", "summary_ja")]},
        ),
        (
            _("When and where"),
            {
                "fields": [("start_date", "end_date"), ("region", "state"), "city"],
                "description": _(
                    "The state must lie in the region's district. Choosing a region lists only "
                    "its states; California, Connecticut and Idaho are split between two "
                    "districts and appear under both."
                ),
            },
        ),
        (_("Classification"), {"fields": ["format", "themes", "status", "participants"]}),
        (_("Publication"), {"fields": [("is_public", "is_best_practice")]}),
    ]
    # Shown once the case exists: a new case has no history to show.
    provenance_fieldset = (
        _("Provenance"),
        {
            "fields": [
                ("fiscal_year_display", "origin"),
                ("external_ref", "import_batch"),
                ("created_at", "created_by"),
                ("updated_at", "updated_by"),
            ]
        },
    )
    readonly_fields = [
        "fiscal_year_display",
        "origin",
        "external_ref",
        "import_batch",
        "created_at",
        "created_by",
        "updated_at",
        "updated_by",
    ]

    class Media:
        js = ["cases/admin/case_form.js"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(partner_count=partner_count())

    def get_object(self, request, object_id, from_field=None):
        # As ModelAdmin.get_object, with the people and import the provenance fields name.
        queryset = self.get_queryset(request).select_related(
            "created_by", "updated_by", "import_batch"
        )
        field = Case._meta.pk if from_field is None else Case._meta.get_field(from_field)
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (Case.DoesNotExist, ValueError, TypeError, ValidationError):
            return None

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "region":
            # Regions are reference data: a case chooses one; they are edited on their own page.
            widget = formfield.widget
            widget.can_add_related = widget.can_change_related = widget.can_delete_related = False
        return formfield

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.fieldsets
        return [*self.fieldsets, self.provenance_fieldset]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)

    def view_on_site(self, obj):
        # Only held, public cases have a public page.
        if obj.status == CaseStatus.HELD and obj.is_public:
            return reverse("cases:detail", args=[obj.pk])
        return None

    # --- columns ------------------------------------------------------------------------------

    @admin.display(description=_("title"), ordering="title_en")
    def title_display(self, case):
        return case.title

    @admin.display(description=_("fiscal year"), ordering="fiscal_year")
    def fiscal_year_display(self, case):
        if case.fiscal_year is None:
            return self.get_empty_value_display()
        return case.fiscal_year_label

    @admin.display(description=_("state"), ordering="state__code")
    def state_display(self, case):
        if case.state is None:
            return _("(no single state)")
        return format_html('<abbr title="{}">{}</abbr>', case.state.name, case.state.code)

    @admin.display(description=_("partners"), ordering="partner_count")
    def partner_count(self, case):
        return case.partner_count

    # --- actions ------------------------------------------------------------------------------

    @admin.action(description=_("Mark the selected cases public"), permissions=["change"])
    def mark_public(self, request, queryset):
        count = self._set_public(request, queryset, True)
        self.message_user(
            request,
            ngettext(
                "%(count)d case was marked public.", "%(count)d cases were marked public.", count
            )
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Mark the selected cases not public"), permissions=["change"])
    def mark_not_public(self, request, queryset):
        count = self._set_public(request, queryset, False)
        self.message_user(
            request,
            ngettext(
                "%(count)d case was marked not public.",
                "%(count)d cases were marked not public.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def _set_public(self, request, queryset, public: bool) -> int:
        """Set is_public on the chosen cases that differ, record who did it; the number changed."""
        changing = list(queryset.exclude(is_public=public).order_by())
        if not changing:
            return 0
        Case.objects.filter(pk__in=[case.pk for case in changing]).update(
            is_public=public, updated_by=request.user, updated_at=timezone.now()
        )
        # The history page translates the field name when it shows the entry, as Django's own
        # change messages do.
        with translation.override(None):
            field = str(Case._meta.get_field("is_public").verbose_name)
        LogEntry.objects.log_actions(
            user_id=request.user.pk,
            queryset=changing,
            action_flag=CHANGE,
            change_message=json.dumps([{"changed": {"fields": [field]}}]),
        )
        return len(changing)


# --- Reference data ---------------------------------------------------------------------------


class JurisdictionInline(admin.TabularInline):
    model = Jurisdiction
    fields = ["region", "note_en", "note_ja"]
    extra = 0
    verbose_name = _("district holding this state")
    verbose_name_plural = _("districts holding this state")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("state", "region")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name_en", "name_ja", "mission_kind", "city", "state_count", "sort_order"]
    list_filter = ["mission_kind"]
    search_fields = ["code", "name_en", "name_ja", "mission_name_en", "mission_name_ja", "city"]
    fieldsets = [
        (None, {"fields": ["code", ("name_en", "name_ja"), "sort_order"]}),
        (
            _("Mission"),
            {"fields": [("mission_name_en", "mission_name_ja"), "mission_kind", "city"]},
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
        japanese = (translation.get_language() or "en").startswith("ja")

        def note(row):
            if not row.is_split:
                return ""
            return f" — {(row.note_ja or row.note_en) if japanese else row.note_en}"

        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li>{} ({}){}</li>",
                ((row.state.name, row.state.code, note(row)) for row in rows),
            ),
        )


@admin.register(State)
class StateAdmin(admin.ModelAdmin):
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
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ["state", "region", "note_en"]
    list_filter = ["region"]
    list_select_related = ["state", "region"]
    search_fields = ["state__code", "state__name_en", "state__name_ja", "region__name_en"]
    fields = ["state", "region", "note_en", "note_ja"]


@admin.register(Office)
class OfficeAdmin(admin.ModelAdmin):
    list_display = ["name_en", "name_ja", "kind", "city", "state", "region"]
    list_filter = ["kind", "region"]
    list_select_related = ["state", "region"]
    search_fields = ["code", "name_en", "name_ja", "city"]
    fields = ["code", ("name_en", "name_ja"), "kind", ("city", "state"), "region"]


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
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
        return super().get_queryset(request).annotate(case_count=Count("cases"))

    @admin.display(description=_("cases"), ordering="case_count")
    def case_count(self, theme):
        return theme.case_count


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name_en", "name_ja", "kind", "state", "case_count"]
    list_filter = ["kind", ("state", admin.RelatedOnlyFieldListFilter)]
    show_facets = admin.ShowFacets.ALWAYS
    list_select_related = ["state"]
    search_fields = ["name_en", "name_ja"]
    ordering = ["name_en"]  # the annotation's GROUP BY drops Meta.ordering
    fields = [("name_en", "name_ja"), "kind", "state", "website"]

    def get_queryset(self, request):
        # A partner with two roles in one case counts that case once.
        return super().get_queryset(request).annotate(case_count=Count("cases", distinct=True))

    @admin.display(description=_("cases"), ordering="case_count")
    def case_count(self, partner):
        return partner.case_count


@admin.register(PublishedFigure)
class PublishedFigureAdmin(admin.ModelAdmin):
    list_display = ["__str__", "from_fy", "to_fy", "cases", "source_en"]
    fields = [("from_fy", "to_fy"), "cases", ("source_en", "source_ja")]
