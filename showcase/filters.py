"""The showcase index's filters: fiscal year, region and theme, from the query string."""

import django_filters
from django.utils.translation import gettext_lazy as _

from cases import rules
from cases.models import Region, Theme
from grassroots.language import page_language
from showcase.models import ShowcasePage


class ShowcaseFilter(django_filters.FilterSet):
    """Filters published pages by their case's fiscal year, lead region and themes.

    A value that names nothing (an unknown region, a year that is not a number) is not an
    error page: the form reports it and the filter is left out. The fiscal years offered are
    those of the pages in `queryset`, read in one query when the filter is built.
    """

    fy = django_filters.ChoiceFilter(
        field_name="case__fiscal_year",
        label=_("Fiscal year"),
        empty_label=_("All fiscal years"),
    )
    region = django_filters.ModelChoiceFilter(
        field_name="case__region",
        to_field_name="code",
        queryset=Region.objects.order_by("sort_order", "code"),
        label=_("Region"),
        empty_label=_("All regions"),
    )
    theme = django_filters.ModelChoiceFilter(
        field_name="case__themes",
        to_field_name="slug",
        queryset=Theme.objects.order_by("group", "sort_order", "slug"),
        label=_("Theme"),
        empty_label=_("All themes"),
    )

    class Meta:
        model = ShowcasePage
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, queryset=queryset, **kwargs)
        language = page_language()
        years = (
            self.queryset.order_by("-case__fiscal_year")
            .values_list("case__fiscal_year", flat=True)
            .distinct()
        )
        self.filters["fy"].extra["choices"] = [
            (year, rules.fiscal_year_label(year, language)) for year in years
        ]

    @property
    def active(self) -> bool:
        """Whether any filter was applied (after dropping values that did not validate)."""
        return self.is_bound and any(
            self.form.cleaned_data.get(name) not in (None, "") for name in self.filters
        )
