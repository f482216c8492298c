"""The public case browser's filters: one FilterSet that reads (and writes) the URL.

Every parameter is optional and independent; a value the register does not know makes a form
error for that parameter alone, and the other filters still apply. The URL names are short and
stable because people share them: from, to, region, state, theme, format, partner_kind, q, sort.
"""

from dataclasses import dataclass
from itertools import groupby

import django_filters
from django import forms
from django.db.models import Q, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases import rules
from cases.models import (
    CaseFormat,
    CasePartner,
    PartnerKind,
    Region,
    State,
    Theme,
    ThemeGroup,
)
from grassroots.language import is_japanese, page_language

# Longer search text is cut to this length; no title, summary or name needs more.
MAX_SEARCH_LENGTH = 100


def fiscal_year_choices():
    """Every fiscal year of the register up to the current one, labelled in the page language.

    Called each time a form is built, so the labels follow the active language and the list
    grows on 1 April without a restart.
    """
    language = page_language()
    last = rules.fiscal_year_of(timezone.localdate())
    return [("", _("Any year"))] + [
        (year, rules.fiscal_year_label(year, language))
        for year in range(rules.FIRST_FISCAL_YEAR, last + 1)
    ]


class CodeChoiceField(forms.ModelChoiceField):
    """A model chosen by its code, shown by its name in the page language."""

    def label_from_instance(self, obj):
        return obj.name


class StateChoiceField(CodeChoiceField):
    """A state by its USPS code, in either case: ?state=fl is Florida."""

    def to_python(self, value):
        return super().to_python(value.upper() if isinstance(value, str) else value)


class GroupedThemeIterator(forms.models.ModelChoiceIterator):
    """Themes in <optgroup>s by their group (line of work, topic, priority area)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for group, themes in groupby(self.queryset, key=lambda theme: theme.group):
            yield (ThemeGroup(group).label, [self.choice(theme) for theme in themes])


class ThemeChoiceField(CodeChoiceField):
    iterator = GroupedThemeIterator


class StateChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = StateChoiceField


class CodeChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = CodeChoiceField


class ThemeChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = ThemeChoiceField


def _invalid(message):
    return {"invalid_choice": message}


class CaseFilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get("from"), cleaned.get("to")
        if first is not None and last is not None and first > last:
            self.add_error(
                "to",
                _("The last fiscal year (%(last)s) is before the first (%(first)s).")
                % {
                    "first": rules.fiscal_year_label(first, page_language()),
                    "last": rules.fiscal_year_label(last, page_language()),
                },
            )
        return cleaned


SORT_CHOICES = [
    ("newest", _("Newest first")),
    ("oldest", _("Oldest first")),
    ("title", _("Title")),
    ("region", _("Region")),
]


class CaseFilter(django_filters.FilterSet):
    """Filters and sorting for the public case list. Give it `Case.objects.public()...`."""

    q = django_filters.CharFilter(
        method="search",
        label=_("Search"),
        max_length=MAX_SEARCH_LENGTH,
        help_text=_("Words in the title or summary, a city or a partner's name."),
    )
    from_fy = django_filters.TypedChoiceFilter(
        field_name="fiscal_year",
        lookup_expr="gte",
        coerce=int,
        empty_value=None,
        choices=fiscal_year_choices,
        label=pgettext_lazy("fiscal years", "From"),
        error_messages=_invalid(_("“%(value)s” is not a fiscal year of the register.")),
    )
    to_fy = django_filters.TypedChoiceFilter(
        field_name="fiscal_year",
        lookup_expr="lte",
        coerce=int,
        empty_value=None,
        choices=fiscal_year_choices,
        label=pgettext_lazy("fiscal years", "To"),
        error_messages=_invalid(_("“%(value)s” is not a fiscal year of the register.")),
    )
    region = CodeChoiceFilter(
        queryset=Region.objects.order_by("sort_order", "code"),
        to_field_name="code",
        label=_("Region"),
        empty_label=_("All regions"),
        error_messages=_invalid(_("There is no region with the code “%(value)s”.")),
    )
    state = StateChoiceFilter(
        queryset=State.objects.order_by("name_en"),
        to_field_name="code",
        label=_("State"),
        empty_label=_("All states"),
        error_messages=_invalid(_("There is no state with the code “%(value)s”.")),
    )
    theme = ThemeChoiceFilter(
        field_name="themes",
        queryset=Theme.objects.order_by("group", "sort_order", "slug"),
        to_field_name="slug",
        label=_("Theme"),
        empty_label=_("All themes"),
        error_messages=_invalid(_("There is no theme “%(value)s”.")),
    )
    format = django_filters.ChoiceFilter(
        choices=CaseFormat.choices,
        label=_("Format"),
        empty_label=_("All formats"),
        error_messages=_invalid(_("“%(value)s” is not a format.")),
    )
    partner_kind = django_filters.ChoiceFilter(
        method="with_partner_kind",
        choices=PartnerKind.choices,
        label=_("Partner kind"),
        empty_label=_("All partners"),
        error_messages=_invalid(_("“%(value)s” is not a kind of partner.")),
    )
    sort = django_filters.ChoiceFilter(
        method="sort_by",
        choices=SORT_CHOICES,
        label=pgettext_lazy("order of a list", "Sort"),
        empty_label=None,
        error_messages=_invalid(_("Cases cannot be sorted by “%(value)s”.")),
    )

    # `from` is a Python keyword, so the fiscal-year bounds are declared as from_fy/to_fy and
    # published under the short names the URLs use.
    URL_NAMES = {"from_fy": "from", "to_fy": "to"}

    class Meta:
        form = CaseFilterForm

    @classmethod
    def get_filters(cls):
        return {cls.URL_NAMES.get(name, name): f for name, f in super().get_filters().items()}

    def search(self, queryset, name, value):
        """Every word must appear in a title, a summary, the city or a partner's name.

        Partners are matched through a subquery, so a case with two matching partners is
        listed once and the list needs no DISTINCT.
        """
        for word in value.split():
            partners = CasePartner.objects.filter(
                Q(partner__name_en__icontains=word) | Q(partner__name_ja__icontains=word)
            ).values("case_id")
            queryset = queryset.filter(
                Q(title_en__icontains=word)
                | Q(title_ja__icontains=word)
                | Q(summary_en__icontains=word)
                | Q(summary_ja__icontains=word)
                | Q(city_en__icontains=word)
                | Q(city_ja__icontains=word)
                | Q(pk__in=partners)
            )
        return queryset

    def with_partner_kind(self, queryset, name, value):
        """Cases with at least one partner of that kind, each listed once."""
        return queryset.filter(
            pk__in=CasePartner.objects.filter(partner__kind=value).values("case_id")
        )

    def sort_by(self, queryset, name, value):
        if value == "oldest":
            return queryset.order_by("start_date", "pk")
        if value == "title":
            # By the title people see: the page language's, or the other when that is blank.
            first, second = ("title_ja", "title_en") if is_japanese() else ("title_en", "title_ja")
            shown = Coalesce(NullIf(first, Value("")), second)
            return queryset.order_by(Lower(shown), "-start_date", "-pk")
        if value == "region":
            return queryset.order_by("region__sort_order", "-start_date", "-pk")
        return queryset.order_by("-start_date", "-pk")

    def active_filters(self) -> list["ActiveFilter"]:
        """The filters this URL sets, in form order, for the chips above the results.

        A parameter the form rejected is still listed (marked invalid) so it can be removed.
        """
        form = self.form
        form.is_valid()
        active = []
        for name in self.filters:
            if name == "sort":
                continue
            raw = self.data.get(name, "")
            if raw in ("", None):
                continue
            if name in form.errors or name not in form.cleaned_data:
                active.append(ActiveFilter(name, form[name].label, raw, valid=False))
                continue
            active.append(
                ActiveFilter(name, form[name].label, self._describe(name, form.cleaned_data[name]))
            )
        return active

    @staticmethod
    def _describe(name, value) -> str:
        language = page_language()
        if name in ("from", "to"):
            return rules.fiscal_year_label(value, language)
        if name == "format":
            return CaseFormat(value).label
        if name == "partner_kind":
            return PartnerKind(value).label
        if name == "q":
            return f"“{value}”"
        return getattr(value, "name", str(value))


@dataclass(frozen=True)
class ActiveFilter:
    """One filter in the URL: its parameter, what it is called and the value it has."""

    param: str
    label: str
    value: str
    valid: bool = True

    @property
    def removal(self) -> dict:
        """The query-string change that removes this filter (and starts again at page 1)."""
        return {self.param: None, "page": None}
