"""The staff application: the case register and the reference data it names.

Every list and form runs a fixed number of queries however many rows it shows: counts are
annotated in get_queryset, related rows come with select_related or prefetch_related, and the
partner inline labels its rows from the partners loaded with them.
"""

import copy

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from audit import recorder, restoring
from audit.display import ChangeFormatter
from audit.history import AuditedAdmin, confirm_page
from audit.models import Action, AuditEntry
from cases import places, rules, stats
from cases.forms import CaseAdminForm, CasePartnerForm, PreloadedAutocompleteSelect
from cases.models import (
    Case,
    CasePartner,
    CaseStatus,
    County,
    Jurisdiction,
    Office,
    Partner,
    Publication,
    PublishedFigure,
    Region,
    Revision,
    RevisionKind,
    State,
    Theme,
)
from cases.publishing import PublishingAdmin
from cases.register import cases as case_register
from cases.workflow import Refused
from grassroots.language import is_japanese, localized, page_language
from staff.access import allowed_region_ids, can_edit_region, holds_region, scope_cases

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
        language = page_language()

        def years():
            # Only the years of the cases this person may see: a consulate's own districts.
            found = scope_cases(Case.objects.all(), request.user)
            found = found.order_by("-fiscal_year").values_list("fiscal_year", flat=True)
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


class RegionFilter(RelatedFilter):
    """The regions, limited to a consulate editor's own districts (and their facet counts)."""

    def field_choices(self, field, request, model_admin):
        choices = super().field_choices(field, request, model_admin)
        allowed = allowed_region_ids(request.user)
        if allowed is None:
            return choices
        return [(pk, label) for pk, label in choices if pk in allowed]


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
class CaseAdmin(PublishingAdmin, AuditedAdmin, admin.ModelAdmin):
    register = case_register
    form = CaseAdminForm
    inlines = [CasePartnerInline]

    # Four columns that read at 1280 px in Japanese: the title carries the rest of the row
    # (place, format, partners, best practice) on a line under it, and the other language's
    # title on hover.
    list_display = [
        "title_display",
        "fiscal_year_column",
        "region",
        "state_of_work",
    ]
    list_select_related = ["region", "state"]
    list_filter = [
        FiscalYearFilter,
        ("region", RegionFilter),
        ("state", RelatedOnlyFilter),
        ("themes", RelatedFilter),
        "status",
        "publication",
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
        "city_en",
        "city_ja",
        "partners__name_en",
        "partners__name_ja",
        "external_ref",
    ]
    search_help_text = _("Title in either language, city, partner name or external reference.")
    date_hierarchy = "start_date"
    ordering = ["-start_date", "-pk"]
    list_per_page = 50
    autocomplete_fields = ["themes"]
    actions = ["submit_for_review", "publish", "approve", "unpublish"]

    fieldsets = [
        (
            _("Title and summary"),
            {"fields": [("title_en", "title_ja"), ("summary_en", "summary_ja")]},
        ),
        (
            _("When and where"),
            {
                "fields": [
                    ("start_date", "end_date"),
                    ("region", "state"),
                    "county",
                    ("city_en", "city_ja"),
                ],
                "description": _(
                    "The state must lie in the region's district. Choosing a region lists only "
                    "its states; California, Connecticut and Idaho are split between two "
                    "districts by county and appear under both: for them, choose the county, "
                    "which must lie in the region's district."
                ),
            },
        ),
        (_("Classification"), {"fields": ["format", "themes", "status", "participants"]}),
        (
            _("Publication"),
            {
                "fields": [
                    ("is_public", "is_best_practice"),
                    "publication",
                    ("submitted_at", "submitted_by"),
                    ("published_at", "published_by"),
                ],
                "description": _(
                    "Consulate editors submit a case for review; HQ editors publish it, which "
                    "lists it publicly (held cases only), or withdraw it back to draft."
                ),
            },
        ),
    ]
    # For someone who may change the case but not publish it, while it is a draft.
    submit_field = "request_review"
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
        "publication",
        "submitted_at",
        "submitted_by",
        "published_at",
        "published_by",
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
        css = {"all": ["cases/admin/case_form.css", "cases/admin/case_list.css"]}

    def get_queryset(self, request):
        # Every surface (list, search, filters and facets, actions, history, change, delete,
        # autocomplete from other admins) starts here: a consulate sees its districts only.
        queryset = super().get_queryset(request).annotate(partner_count=partner_count())
        return scope_cases(queryset, request.user)

    # --- permissions: the model permission, and the district for a consulate editor --------

    def has_add_permission(self, request):
        allowed = allowed_region_ids(request.user)
        return super().has_add_permission(request) and (allowed is None or bool(allowed))

    def has_change_permission(self, request, obj=None):
        if obj is not None and not can_edit_region(request.user, obj.region_id, "change"):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and not can_edit_region(request.user, obj.region_id, "delete"):
            return False
        return super().has_delete_permission(request, obj)

    def has_view_permission(self, request, obj=None):
        if obj is not None and not holds_region(request.user, obj.region_id):
            return False
        return super().has_view_permission(request, obj)

    def get_object(self, request, object_id, from_field=None):
        # As ModelAdmin.get_object, with the people and import the provenance fields name.
        queryset = self.get_queryset(request).select_related(
            "created_by", "updated_by", "import_batch", "submitted_by", "published_by"
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

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "region":
            # A consulate editor is offered only its districts; a forged id for another is
            # refused by the form as an invalid choice, so nothing is saved.
            kwargs["queryset"] = scope_cases(Region.objects.all(), request.user, field="pk")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        allowed = allowed_region_ids(request.user)
        if allowed is not None and "state" in form.base_fields:
            # The states of the consulate's districts only (split states under each). The
            # declared field is shared by every form class made from CaseAdminForm: change a
            # copy.
            field = copy.deepcopy(form.base_fields["state"])
            field.queryset = field.queryset.filter(jurisdictions__region__in=allowed).distinct()
            form.base_fields["state"] = field
        return form

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            # Publishing is HQ's: without the permission the flag is shown, not a field, so a
            # forged "is_public" in the POST is never read.
            readonly.append("is_public")
        return readonly

    def _offers_submit(self, request, obj) -> bool:
        if obj is None:
            may_edit = self.has_add_permission(request)
        else:
            may_edit = self.has_change_permission(request, obj)
        return (
            may_edit
            and not self.has_publish_permission(request)
            and (obj is None or obj.publication == Publication.DRAFT)
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(self.fieldsets)
        if self._offers_submit(request, obj):
            name, options = fieldsets[-1]
            options = {**options, "fields": [*options["fields"], self.submit_field]}
            fieldsets[-1] = (name, options)
        if obj is None:
            return fieldsets
        return [*fieldsets, self.provenance_fieldset]

    def save_model(self, request, obj, form, change):
        # The last word on the district, whatever the form offered (the register checks again).
        if not can_edit_region(request.user, obj.region_id, "change" if change else "add"):
            raise PermissionDenied
        super().save_model(request, obj, form, change)

    def proposed_collections(self, form, formsets) -> dict:
        """The themes and partner rows the form and its inline would give the case."""
        rows = set()
        for formset in formsets:
            if formset.model is not CasePartner:
                continue
            for row in formset.forms:
                data = getattr(row, "cleaned_data", None) or {}
                if data.get("DELETE") or not data.get("partner") or not data.get("role"):
                    continue
                rows.add((data["partner"].pk, data["role"]))
        themes = form.cleaned_data.get("themes")
        return {
            "themes": sorted(theme.pk for theme in themes or []),
            "partners": [list(row) for row in sorted(rows)],
        }

    def view_on_site(self, obj):
        # Only held, published cases have a public page.
        if obj.status == CaseStatus.HELD and obj.is_public:
            return reverse("cases:detail", args=[obj.pk])
        return None

    # --- columns ------------------------------------------------------------------------------

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            # Not Django's "Select case to change" (「変更する 案件 を選択」).
            "title": pgettext_lazy("heading of the case list", "Cases"),
            "report_query": self.report_query(request),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra_context)

    def report_query(self, request) -> str:
        """The report form's query for the list's filters: its region and fiscal year."""
        from django.utils.http import urlencode

        query = {}
        region_id = request.GET.get("region__id__exact", "")
        if region_id.isdigit():
            code = Region.objects.filter(pk=int(region_id)).values_list("code", flat=True)
            if code:
                query["region"] = code[0]
        year = request.GET.get("fiscal_year", "")
        if year.isdigit():
            query[stats.QUERY_NAMES["from_fy"]] = query[stats.QUERY_NAMES["to_fy"]] = year
        return urlencode(query)

    @admin.display(description=_("title"), ordering="title_en")
    def title_display(self, case):
        japanese = is_japanese()
        other = case.title_en if japanese else case.title_ja
        # The city in the admin's language (English when it has no Japanese form) and the
        # state's code; a public case's city with no Japanese form is flagged, as its Japanese
        # public page shows the state alone.
        city = places.city_name(case) or places.city_name(case, "en")
        place = case.state.code if case.state else _("(no single state)")
        if city:
            place = f"{city}, {place}"
        if case.is_public and places.missing_japanese_city(case):
            place = f"{place} {_('(no Japanese form)')}"
        details = [place, case.get_format_display()]
        if case.partner_count:
            details.append(
                ngettext("%(count)d partner", "%(count)d partners", case.partner_count)
                % {"count": case.partner_count}
            )
        return format_html(
            '<span class="case-title" title="{}">{}</span>{}<span class="case-meta">{}</span>',
            other or "",
            case.title,
            format_html(' <span class="case-badge">★ {}</span>', _("best practice"))
            if case.is_best_practice
            else "",
            " · ".join(str(item) for item in details),
        )

    @admin.display(description=_("fiscal year"), ordering="fiscal_year")
    def fiscal_year_display(self, case):
        if case.fiscal_year is None:
            return self.get_empty_value_display()
        return case.fiscal_year_label

    @admin.display(description=_("fiscal year"), ordering="fiscal_year")
    def fiscal_year_column(self, case):
        if case.fiscal_year is None:
            return self.get_empty_value_display()
        # The short form in the column, the era name on hover.
        short = _("FY%(year)s") % {"year": case.fiscal_year}
        return format_html('<abbr title="{}">{}</abbr>', case.fiscal_year_label, short)

    @admin.display(description=_("status"), ordering="status")
    def state_of_work(self, case):
        """Where the case stands: held or planned, and whether it is public."""
        if case.status == CaseStatus.DRAFT:
            return case.get_status_display()
        return format_html(
            '{}<span class="case-meta">{}</span>',
            case.get_status_display(),
            case.get_publication_display(),
        )

    # --- actions ------------------------------------------------------------------------------

    # --- deleted cases ------------------------------------------------------------------------

    def get_urls(self):
        return [
            path(
                "deleted/",
                self.admin_site.admin_view(self.deleted_cases_view),
                name="cases_case_deleted",
            ),
            path(
                "deleted/<int:object_id>/restore/",
                self.admin_site.admin_view(self.restore_deleted_case_view),
                name="cases_case_restore_deleted",
            ),
            *super().get_urls(),
        ]

    def deleted_cases_view(self, request):
        """Cases deleted and not restored since, each with its last values, newest first."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        existing = {str(pk) for pk in Case._base_manager.values_list("pk", flat=True)}
        latest = {}
        deletions = AuditEntry.objects.for_model(Case).filter(action=Action.DELETE)
        for entry in deletions.select_related("actor").order_by("-at", "-pk")[:2000]:
            if entry.object_id in existing or entry.object_id in latest:
                continue
            latest[entry.object_id] = entry
        rows = []
        for entry in latest.values():
            region_id = entry.snapshot.get("region")
            if not can_edit_region(request.user, region_id):
                continue
            # Restore is offered only to those who may restore this version (a published case
            # needs HQ's publish right).
            may_restore = self.register.may_restore(request.user, entry.snapshot)
            rows.append(
                {
                    "entry": entry,
                    "region": region_id,
                    "restore_url": reverse(
                        "admin:cases_case_restore_deleted",
                        args=[int(entry.object_id)],
                        current_app=self.admin_site.name,
                    )
                    if may_restore
                    else None,
                }
            )
        formatter = ChangeFormatter(Case, [{"region": [row["region"], None]} for row in rows])
        for row in rows:
            row["region"] = formatter.value("region", row["region"])
        context = {
            **self.admin_site.each_context(request),
            "title": _("Deleted cases"),
            "subtitle": None,
            "opts": Case._meta,
            "case_opts": Case._meta,
            "rows": rows,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/cases/case/deleted_cases.html", context)

    def restore_deleted_case_view(self, request, object_id):
        """GET: the deleted case's last values; POST: recreate it with the same id."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        list_url = reverse("admin:cases_case_deleted", current_app=self.admin_site.name)
        if Case._base_manager.filter(pk=object_id).exists():
            self.message_user(request, _("This case is not deleted."), messages.WARNING)
            return HttpResponseRedirect(list_url)
        entry = AuditEntry.objects.for_object(Case, object_id).filter(action=Action.DELETE).first()
        if entry is None:
            raise Http404(_("No deleted case with this id."))
        version = entry.snapshot
        if not self.register.may_restore(request.user, version):
            raise PermissionDenied
        if request.method == "POST":
            try:
                case = self.register.restore(request.user, object_id, version)
            except Refused:
                raise PermissionDenied from None
            except restoring.RestoreRefused as refusal:
                for message in [
                    _("This case can no longer be restored as it was, so nothing was changed."),
                    *refusal.messages,
                ]:
                    self.message_user(request, message, messages.ERROR)
                return HttpResponseRedirect(list_url)
            self.message_user(
                request, _("The case “%(case)s” was restored.") % {"case": case}, messages.SUCCESS
            )
            return HttpResponseRedirect(
                reverse(
                    "admin:cases_case_change", args=[case.pk], current_app=self.admin_site.name
                )
            )
        shown = {
            name: [None, value] for name, value in version.items() if value not in (None, "", [])
        }
        shown = {
            name: values for name, values in shown.items() if name in recorder._diff_fields(Case)
        }
        return confirm_page(
            self.admin_site,
            request,
            Case._meta,
            obj=None,
            entry=entry,
            rows=ChangeFormatter(Case, [shown]).rows(shown),
            cancel_url=list_url,
            title=_("Restore the deleted case “%(case)s”") % {"case": entry.object_label},
        )


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


# --- The review queue -------------------------------------------------------------------------


def registers() -> dict:
    """{model: its write service}: the register's own, and those other apps add (showcase)."""
    return {model: model_admin.register for model, model_admin in _publishing_admins().items()}


def _publishing_admins() -> dict:
    return {
        model: model_admin
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, PublishingAdmin)
    }


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    """Changes waiting for HQ's review: who, when, which district, and the field-by-field
    difference with the live version. Consulate editors see their districts' revisions (their
    own included, with HQ's comment); HQ approves or rejects with a comment."""

    list_display = [
        "record_title",
        "kind",
        "record_kind",
        "region",
        "submitted_by",
        "submitted_at",
        "status",
        "figure_effect_display",
    ]
    list_filter = ["status", "kind", ("region", RegionFilter)]
    list_select_related = ["region", "submitted_by", "content_type"]
    search_fields = ["object_label", "submitted_by__username", "comment"]
    date_hierarchy = "submitted_at"

    def get_queryset(self, request):
        return scope_cases(super().get_queryset(request), request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("record"), ordering="object_label")
    def record_title(self, revision):
        """The title in the admin's language: a Japanese reviewer reads the Japanese title."""
        return revision.title

    @admin.display(description=_("kind of record"), ordering="content_type")
    def record_kind(self, revision):
        return capfirst(revision.content_type.model_class()._meta.verbose_name)

    @admin.display(description=_("figures"))
    def figure_effect_display(self, revision):
        effect = revision.figure_effect
        return f"{effect:+d}" if effect else "—"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The review page: the difference with the live version, a preview as the public would
        see it, and (for HQ, while pending) approve or reject with a comment."""
        revision = self.get_object(request, object_id)
        if revision is None or not self.has_view_permission(request, revision):
            raise Http404(_("No revision with this id."))
        model = revision.model
        register = registers().get(model)
        live = revision.record()
        may_review = (
            register is not None and revision.is_pending and register.may_publish(request.user)
        )
        if request.method == "POST":
            if not may_review:
                raise PermissionDenied
            comment = request.POST.get("comment", "")
            try:
                if "approve" in request.POST:
                    register.approve(request.user, revision, comment=comment)
                    self.message_user(
                        request,
                        _("Approved: “%(record)s” is now as the revision proposed.")
                        % {"record": revision.title},
                        messages.SUCCESS,
                    )
                else:
                    register.reject(request.user, revision, comment)
                    self.message_user(
                        request,
                        _("Rejected; the submitter will see your comment."),
                        messages.SUCCESS,
                    )
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
                return HttpResponseRedirect(request.path)
            except Refused as refusal:
                self.message_user(request, str(refusal), messages.ERROR)
                return HttpResponseRedirect(request.path)
            return HttpResponseRedirect(reverse("admin:cases_revision_changelist"))
        present = register.snapshot(live) if (register and live is not None) else {}
        if revision.kind == RevisionKind.DELETE:
            changes = {name: [value, None] for name, value in present.items()}
        elif revision.kind == RevisionKind.SUBMIT:
            changes = {name: [None, value] for name, value in revision.data.items()}
        else:
            changes = {
                name: [present.get(name), value]
                for name, value in revision.data.items()
                if present.get(name) != value
            }
        rows = ChangeFormatter(model, [changes]).rows(changes)
        preview_url = None
        if live is not None and revision.kind != RevisionKind.DELETE:
            preview_url = register.preview_url(live, revision) if register else None
        context = {
            **self.admin_site.each_context(request),
            "title": str(revision),
            "subtitle": None,
            "opts": self.opts,
            "revision": revision,
            "record_kind": capfirst(model._meta.verbose_name),
            "rows": rows,
            "live": live,
            "may_review": may_review,
            "preview_url": preview_url,
            "record_url": reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[live.pk]
            )
            if live is not None
            else None,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/cases/revision/review.html", context)
