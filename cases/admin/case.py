"""The case admin: the register's list, change form, partner inline and publishing."""

import copy

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, pgettext_lazy

from audit import recorder, restoring
from audit.display import ChangeFormatter
from audit.history import AuditedAdmin, confirm_page
from audit.models import Action, AuditEntry
from cases import places, stats
from cases.admin.filters import (
    FiscalYearFilter,
    RegionFilter,
    RelatedFilter,
    RelatedOnlyFilter,
)
from cases.forms import CaseAdminForm, CasePartnerForm, PreloadedAutocompleteSelect
from cases.models import (
    Case,
    CasePartner,
    CaseStatus,
    Publication,
    Region,
)
from cases.publishing import PublishingAdmin
from cases.register import cases as case_register
from cases.workflow import Refused
from grassroots.language import is_japanese
from staff.access import allowed_region_ids, can_edit_region, holds_region, scope_cases


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
            name: values for name, values in shown.items() if name in recorder.diff_fields(Case)
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
