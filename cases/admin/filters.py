"""The case list's filters, each computing its choices once per request."""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from cases import rules
from cases.models import (
    Case,
)
from grassroots.language import page_language
from staff.access import allowed_region_ids, scope_cases


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
