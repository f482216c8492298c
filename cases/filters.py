"""The public case browser's filters: one FilterSet that reads (and writes) the URL.

Every parameter is optional and independent; a value the register does not know makes a form
error for that parameter alone, and the other filters still apply. The URL names are short and
stable because people share them: from, to, region, state, theme, format, partner_kind, q, sort.
"""

import functools
from dataclasses import dataclass, field
from itertools import groupby
from urllib.parse import parse_qsl, urlencode

import django_filters
from django import forms
from django.db.models import Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.http import HttpResponsePermanentRedirect
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases import rules, stats
from cases.models import (
    CaseFormat,
    Partner,
    PartnerKind,
    Region,
    State,
    Theme,
    ThemeGroup,
)
from cases.search import matching_cases
from grassroots.language import is_japanese, page_language

# Longer search text is cut to this length; no title, summary or name needs more.
MAX_SEARCH_LENGTH = 100


def old_spelling_redirect(request) -> HttpResponsePermanentRedirect | None:
    """For a GET or HEAD whose query names a filter by an old spelling (`from_fy`, `to_fy`),
    the permanent redirect to the same address and query in the current one
    (`stats.current_spelling`); None for anything else."""
    if request.method not in ("GET", "HEAD"):
        return None
    # The raw pairs, not request.GET, which would group a repeated parameter's values.
    pairs = parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
    renamed = stats.current_spelling(pairs)
    if renamed is None:
        return None
    return HttpResponsePermanentRedirect(
        request.path + (f"?{urlencode(renamed)}" if renamed else "")
    )


def redirect_old_spellings(view):
    """A view that reads filters from its query string answers old spellings with a redirect
    (`old_spelling_redirect`) before anything else, caching included."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        return old_spelling_redirect(request) or view(request, *args, **kwargs)

    return wrapper


def fiscal_year_choices():
    """The fiscal years of the register with an "Any year" first, built each time a form is
    (so the labels follow the active language)."""
    return [("", _("Any year")), *stats.fiscal_year_choices()]


class CountedChoices:
    """A choice field whose labels carry the number of cases each choice would give.

    `counts` is set by the view once the facets are counted ({value: cases}); until then
    (the API, the downloads) labels are the bare names.
    """

    counts: dict | None = None

    def counted(self, value, label):
        if self.counts is None:
            return label
        return f"{label} ({self.counts.get(value, 0):,})"


class CodeChoiceField(CountedChoices, forms.ModelMultipleChoiceField):
    """Models chosen by their codes (several allowed), shown by their names in the page
    language, each with its count once the view has counted."""

    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return self.counted(getattr(obj, self.to_field_name), obj.name)


class StateChoiceField(CodeChoiceField):
    """States by their USPS codes, in either case: ?state=fl is Florida."""

    def clean(self, value):
        if isinstance(value, list | tuple):
            value = [v.upper() if isinstance(v, str) else v for v in value]
        return super().clean(value)


class GroupedThemeIterator(forms.models.ModelChoiceIterator):
    """Themes in groups by their group (line of work, topic, priority area)."""

    def __iter__(self):
        for group, themes in groupby(self.queryset, key=lambda theme: theme.group):
            yield (ThemeGroup(group).label, [self.choice(theme) for theme in themes])


class ThemeChoiceField(CodeChoiceField):
    iterator = GroupedThemeIterator


class CountedMultipleChoiceField(CountedChoices, forms.MultipleChoiceField):
    """Fixed choices (formats, partner kinds), several allowed, with counts."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._plain_choices = list(self.choices)

    def count(self, counts: dict) -> None:
        self.counts = counts
        self.choices = [(value, self.counted(value, text)) for value, text in self._plain_choices]


class StateChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = StateChoiceField


class CodeChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = CodeChoiceField


class ThemeChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = ThemeChoiceField


class CountedChoiceFilter(django_filters.MultipleChoiceFilter):
    field_class = CountedMultipleChoiceField


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
    # Several values of one filter give the cases of any of them; different filters narrow
    # each other. The filtering itself is `cases.stats.Filters` (see filter_queryset), so the
    # list, its counts and `manage.py case_stats` agree by construction.
    region = CodeChoiceFilter(
        queryset=Region.objects.order_by("sort_order", "code"),
        to_field_name="code",
        label=_("Region"),
        error_messages=_invalid(_("There is no region with the code “%(value)s”.")),
    )
    state = StateChoiceFilter(
        queryset=State.objects.order_by("name_en"),
        to_field_name="code",
        label=_("State"),
        error_messages=_invalid(_("There is no state with the code “%(value)s”.")),
    )
    theme = ThemeChoiceFilter(
        field_name="themes",
        queryset=Theme.objects.order_by("group", "sort_order", "slug"),
        to_field_name="slug",
        label=_("Theme"),
        error_messages=_invalid(_("There is no theme “%(value)s”.")),
    )
    format = CountedChoiceFilter(
        choices=CaseFormat.choices,
        label=_("Format"),
        error_messages=_invalid(_("“%(value)s” is not a format.")),
    )
    partner_kind = CountedChoiceFilter(
        choices=PartnerKind.choices,
        label=_("Partner kind"),
        error_messages=_invalid(_("“%(value)s” is not a kind of partner.")),
    )
    partner = django_filters.ModelMultipleChoiceFilter(
        queryset=Partner.objects.all(),
        to_field_name="slug",
        label=_("Partner"),
        widget=forms.MultipleHiddenInput,
        error_messages=_invalid(_("There is no partner “%(value)s”.")),
    )
    sort = django_filters.ChoiceFilter(
        method="sort_by",
        choices=SORT_CHOICES,
        label=pgettext_lazy("order of a list", "Sort"),
        empty_label=None,
        error_messages=_invalid(_("Cases cannot be sorted by “%(value)s”.")),
    )

    # `from` is a Python keyword, so the fiscal-year bounds are declared as from_fy/to_fy and
    # published under the names every query string uses (`stats.QUERY_NAMES`).
    URL_NAMES = {"from_fy": stats.QUERY_NAMES["from_fy"], "to_fy": stats.QUERY_NAMES["to_fy"]}

    class Meta:
        form = CaseFilterForm

    @classmethod
    def get_filters(cls):
        return {cls.URL_NAMES.get(name, name): f for name, f in super().get_filters().items()}

    def search(self, queryset, name, value):
        """Every word in a title, a summary, the city, a partner's name or the case's story,
        in either language: the site search's own matching (`cases.search`)."""
        return matching_cases(queryset, value)

    def filter_queryset(self, queryset):
        """The queryset narrowed by `stats_filters()` (the valid filters), then sorted."""
        queryset = self.stats_filters().narrow(queryset)
        return self.sort_by(queryset, "sort", self.form.cleaned_data.get("sort"))

    def stats_filters(self):
        """The valid filters of this URL as `cases.stats.Filters` of public cases: what the
        list shows, and what its option counts and `manage.py case_stats --public` count."""
        from cases.stats import Filters

        form = self.form
        form.is_valid()
        data = form.cleaned_data
        return Filters(
            from_fy=data.get("from"),
            to_fy=data.get("to"),
            region=[region.code for region in data.get("region") or ()],
            state=[state.code for state in data.get("state") or ()],
            theme=[theme.slug for theme in data.get("theme") or ()],
            format=data.get("format") or (),
            partner_kind=data.get("partner_kind") or (),
            partner=[partner.slug for partner in data.get("partner") or ()],
            search=data.get("q") or "",
            public=True,
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
        """The filter values this URL sets, in form order, one chip each (a filter with two
        values makes two chips), for the chips above the results.

        A parameter the form rejected is still listed (marked invalid) so it can be removed.
        """
        form = self.form
        form.is_valid()
        active = []
        for name in self.filters:
            if name == "sort":
                continue
            raw = [value for value in self.data.getlist(name) if value not in ("", None)]
            if not raw:
                continue
            label = form[name].label
            if name in form.errors or name not in form.cleaned_data:
                active += [ActiveFilter(name, label, v, valid=False, values=raw) for v in raw]
                continue
            value = form.cleaned_data[name]
            several = isinstance(value, list | tuple) or hasattr(value, "model")
            items = list(value) if several else [value]
            for item in items:
                key = self._key(name, item)
                active.append(
                    ActiveFilter(name, label, self._describe(name, item), key=key, values=raw)
                )
        return active

    @staticmethod
    def _key(name, value) -> str:
        for attribute in ("code", "slug"):
            if hasattr(value, attribute):
                return str(getattr(value, attribute))
        return str(value)

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
    """One filter value in the URL: its parameter, what it is called and the value it has."""

    param: str
    label: str
    value: str
    valid: bool = True
    key: str | None = None
    values: list = field(default_factory=list)

    @property
    def removal(self) -> dict:
        """The query-string change that removes this value (and starts again at page 1)."""
        if self.valid and self.key is not None:
            kept = [v for v in self.values if self._key_of(v) != self.key]
        else:
            kept = [v for v in self.values if v != self.value]
        return {self.param: kept or None, "page": None}

    def _key_of(self, raw: str) -> str:
        return raw.upper() if self.param == "state" else raw
