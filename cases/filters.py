"""The public case browser's filters: one FilterSet that reads (and writes) the URL.

Every parameter is optional and independent; a value the register does not know makes a form
error for that parameter alone, and the other filters still apply. The URL names are short and
stable because people share them: from, to, region, state, theme, format, partner_kind, q, sort.

The filter fields only draw the form (widgets, choices, counts): their values are read, checked
and reported by the one reader, `cases.stats.Filters.read` (the form's `clean`), as on every
other surface. Only `sort`, which is not a filter, is a field of the ordinary kind.
"""

import functools
from dataclasses import dataclass, field
from itertools import groupby
from urllib.parse import parse_qsl, urlencode

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.forms import renderers
from django.http import HttpResponsePermanentRedirect
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from markupsafe import escape  # Jinja2's own escaper: the same bytes as its templates

from cases import rules, stats
from cases.figures import reference
from cases.models import (
    CaseFormat,
    Partner,
    PartnerKind,
    Region,
    State,
    Theme,
    ThemeGroup,
)
from cases.models.case import shown_title
from grassroots.language import is_japanese, page_language

# Longer search text is cut to this length (by the reader); no title or name needs more.
MAX_SEARCH_LENGTH = stats.MAX_SEARCH_LENGTH


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


class ReadByStats:
    """A form field that only draws its widget: it checks nothing but `required`, and hands
    on its raw value; the form reads the filter with `stats.Filters.read`, the one reader."""

    def clean(self, value):
        if self.required and value in self.empty_values:
            raise ValidationError(self.error_messages["required"], code="required")
        return value


class ReadField(ReadByStats, forms.CharField):
    """A filter parameter with no choices to draw (a hidden or free one)."""


class ReadChoiceField(ReadByStats, forms.ChoiceField):
    """A filter's <select>: it draws the choices; the form's reader checks the value."""


class FiscalYearChoiceField(ReadByStats, forms.TypedChoiceField):
    """A fiscal year chosen from the register's (`stats.fiscal_year_choices`), "Any year"
    first; the choices are built each time a form is, so the labels follow the language."""

    def __init__(self, *, empty_label=None, **kwargs):
        self.empty_label = empty_label
        super().__init__(choices=self.year_choices, coerce=int, empty_value=None, **kwargs)

    def year_choices(self):
        first = [("", self.empty_label)] if self.empty_label is not None else []
        return [*first, *stats.fiscal_year_choices()]


class FiscalYearFilter(django_filters.TypedChoiceFilter):
    field_class = FiscalYearChoiceField


class SearchField(ReadByStats, forms.CharField):
    """Search words; the reader cuts them to MAX_SEARCH_LENGTH."""


class SearchFilter(django_filters.CharFilter):
    field_class = SearchField


def _attributes(attrs: dict) -> str:
    """Attributes as Django's Jinja2 widget template `attrs.html` writes them."""
    return "".join(
        f" {name}" if value is True else f' {name}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class Checkboxes(forms.CheckboxSelectMultiple):
    """Checkboxes written in Python with the markup of Django's own widget templates
    (`multiple_input.html` and the templates it includes; tests/test_case_browser.py compares
    the two for every list of the browser's form). The browser draws about 120 choices on
    every page, and three templates per choice were a quarter of an uncached page's CPU."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        outer = widget["attrs"]
        parts = ["<div"]
        if outer.get("id"):
            parts.append(f' id="{escape(outer["id"])}"')
        if outer.get("class"):
            parts.append(f' class="{escape(outer["class"])}"')
        parts.append(">")
        for group, options, _index in widget["optgroups"]:
            if group:
                parts.append(f"\n  <div><label>{escape(group)}</label>")
            for option in options:
                attributes = option["attrs"]
                label = f' for="{escape(attributes["id"])}"' if attributes.get("id") else ""
                given = "" if option["value"] is None else f' value="{escape(option["value"])}"'
                parts.append(
                    f'<div>\n    <label{label}><input type="{escape(option["type"])}" '
                    f'name="{escape(option["name"])}"{given}{_attributes(attributes)}> '
                    f"{escape(option['label'])}</label></div>"
                )
            if group:
                parts.append("\n  </div>")
        parts.append("\n</div>")
        return mark_safe("".join(parts))


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


# The reference rows of each model a filter chooses from, in its queryset's order.
REFERENCE = {Region: reference.regions, State: reference.states, Theme: reference.themes}


class ReferenceChoiceIterator(forms.models.ModelChoiceIterator):
    """A reference field's choices from the reference rows (`cases.figures.reference`, read
    once per data generation) rather than from its queryset on every page: (code, name in the
    page language with its count), in the queryset's own order. The browser's form drew
    about 90 regions, states and themes from three queries and as many model instances on
    each page."""

    def rows(self):
        language = page_language()
        only = self.field.only
        for item in self.field.reference().items:
            if only is None or item.key in only:
                yield item, (item.key, self.field.counted(item.key, item.label(language)))

    def __iter__(self):
        for _item, choice in self.rows():
            yield choice

    def __len__(self):
        return sum(1 for _row in self.rows())

    def __bool__(self):
        return any(True for _row in self.rows())


class CodeChoiceField(ReadByStats, CountedChoices, forms.ModelMultipleChoiceField):
    """Models chosen by their codes (several allowed), shown by their names in the page
    language, each with its count once the view has counted.

    The choices come from the reference rows of the queryset's model (`REFERENCE`), in the
    same order; `only` keeps the codes given (the states of the chosen districts)."""

    widget = Checkboxes
    iterator = ReferenceChoiceIterator
    only: set[str] | None = None

    def reference(self) -> reference.Listing:
        return REFERENCE[self.queryset.model]()


class StateChoiceField(CodeChoiceField):
    """States by their USPS codes (the reader takes either case: ?state=fl is Florida)."""


class GroupedThemeIterator(ReferenceChoiceIterator):
    """Themes in groups by their group (line of work, topic, priority area)."""

    def __iter__(self):
        for group, rows in groupby(self.rows(), key=lambda row: row[0].group):
            yield (ThemeGroup(group).label, [choice for _item, choice in rows])


class ThemeChoiceField(CodeChoiceField):
    iterator = GroupedThemeIterator


class CountedMultipleChoiceField(ReadByStats, CountedChoices, forms.MultipleChoiceField):
    """Fixed choices (formats, partner kinds), several allowed, with counts."""

    widget = Checkboxes

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


class PartnerField(ReadByStats, forms.ModelMultipleChoiceField):
    pass


class PartnerFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = PartnerField


def _invalid(message):
    return {"invalid_choice": message}


WIDGET_RENDERER = renderers.Jinja2()


class CaseFilterForm(forms.Form):
    """The case browser's form: `reading()` is the query's filters as `stats.Filters.read`
    finds them, and `clean` puts their values in cleaned_data and their problems in the
    errors of the parameters they belong to.

    Its widgets are drawn with Django's own Jinja2 widget templates: the same markup as its
    Django templates, drawn faster. The form draws a few hundred choices on every page of the
    case browser; with Jinja2 a page costs about a third less CPU (45 to 31 ms in-process on
    the demonstration data). One renderer is shared, so its templates compile once per worker.
    """

    default_renderer = WIDGET_RENDERER

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def reading(self) -> stats.Reading:
        if not hasattr(self, "_reading"):
            names = [name for name in stats.READ_PARAMETERS if name in self.fields]
            self._reading = stats.Filters.read(self.data, public=True, names=names)
        return self._reading

    def clean(self):
        cleaned = super().clean()
        reading = self.reading()
        for name in stats.READ_PARAMETERS:
            if name not in self.fields:
                continue
            cleaned.pop(name, None)
            if name in reading.problems:
                self.add_error(name, reading.problems[name])
            elif (value := reading.value(name)) not in (None, (), ""):
                cleaned[name] = value
        return cleaned


SORT_CHOICES = [
    ("newest", _("Newest first")),
    ("oldest", _("Oldest first")),
    ("title", _("Title")),
    ("region", _("Region")),
]


class CaseFilter(django_filters.FilterSet):
    """Filters and sorting for the public case list. Give it `Case.objects.public()...`."""

    q = SearchFilter(
        method="search",
        label=_("Search"),
        max_length=MAX_SEARCH_LENGTH,
        help_text=_("Words in the title or summary, a city or a partner's name."),
    )
    from_fy = FiscalYearFilter(
        field_name="fiscal_year",
        lookup_expr="gte",
        empty_label=_("Any year"),
        label=pgettext_lazy("fiscal years", "From"),
    )
    to_fy = FiscalYearFilter(
        field_name="fiscal_year",
        lookup_expr="lte",
        empty_label=_("Any year"),
        label=pgettext_lazy("fiscal years", "To"),
    )
    # Several values of one filter give the cases of any of them; different filters narrow
    # each other. The filtering itself is `cases.stats.Filters` (see filter_queryset), so the
    # list, its counts and `manage.py case_stats` agree by construction.
    region = CodeChoiceFilter(
        queryset=Region.objects.order_by("sort_order", "code"),
        to_field_name="code",
        label=_("Region"),
    )
    state = StateChoiceFilter(
        queryset=State.objects.order_by("name_en"),
        to_field_name="code",
        label=_("State"),
    )
    theme = ThemeChoiceFilter(
        field_name="themes",
        queryset=Theme.objects.order_by("group", "sort_order", "slug"),
        to_field_name="slug",
        label=_("Theme"),
    )
    format = CountedChoiceFilter(
        choices=CaseFormat.choices,
        label=_("Format"),
    )
    partner_kind = CountedChoiceFilter(
        choices=PartnerKind.choices,
        label=_("Partner kind"),
    )
    partner = PartnerFilter(
        queryset=Partner.objects.all(),
        to_field_name="slug",
        label=_("Partner"),
        widget=forms.MultipleHiddenInput,
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
        """Unused: `filter_queryset` narrows by `stats_filters()`, whose search is the site
        search's own matching (`cases.search`)."""
        return stats.Filters(search=value or "").narrow(queryset)

    def filter_queryset(self, queryset):
        """The queryset narrowed by `stats_filters()` (the valid filters), then sorted."""
        queryset = self.stats_filters().narrow(queryset)
        return self.sort_by(queryset, "sort", self.form.cleaned_data.get("sort"))

    def stats_filters(self):
        """The valid filters of this URL as `cases.stats.Filters` of public cases (read by
        `stats.Filters.read`): what the list shows, and what its option counts and
        `manage.py case_stats --public` count."""
        return self.form.reading().filters

    def sort_by(self, queryset, name, value):
        if value == "oldest":
            return queryset.order_by("start_date", "pk")
        if value == "title":
            # By the title people see: the page language's, or the other when that is blank.
            first, second = ("title_ja", "title_en") if is_japanese() else ("title_en", "title_ja")
            return queryset.order_by(shown_title(first, second), "-start_date", "-pk")
        if value == "region":
            return queryset.order_by("region__sort_order", "-start_date", "-pk")
        return queryset.order_by("-start_date", "-pk")

    def active_filters(self) -> list["ActiveFilter"]:
        """The filter values this URL sets, in form order, one chip each (a filter with two
        values makes two chips), for the chips above the results.

        A parameter the form rejected is still listed (marked invalid) so it can be removed.
        """
        form = self.form
        reading = form.reading()
        active = []
        for name in self.filters:
            if name == "sort":
                continue
            raw = [value for value in self.data.getlist(name) if value not in ("", None)]
            if not raw:
                continue
            label = form[name].label
            value = reading.value(name)
            if name in reading.problems or value in (None, (), ""):
                active += [ActiveFilter(name, label, v, valid=False, values=raw) for v in raw]
                continue
            if name == "q":
                # One search, however long the text was: removing it removes the parameter.
                active.append(
                    ActiveFilter(name, label, f"“{value}”", key=raw[-1], values=raw[-1:])
                )
                continue
            items = value if isinstance(value, tuple) else (value,)
            names = self._names(name, items)
            for item in items:
                active.append(ActiveFilter(name, label, names[item], key=str(item), values=raw))
        return active

    @staticmethod
    def _names(name, values) -> dict:
        """What a chip calls each value of a filter, in the page language."""
        language = page_language()
        if name in ("from", "to"):
            return {year: rules.fiscal_year_label(year, language) for year in values}
        if name == "format":
            return {value: CaseFormat(value).label for value in values}
        if name == "partner_kind":
            return {value: PartnerKind(value).label for value in values}
        if name == "partner":
            partners = Partner.objects.filter(slug__in=values)
            return {partner.slug: partner.name for partner in partners}
        listing = {"region": reference.regions, "state": reference.states}.get(
            name, reference.themes
        )()
        return {value: listing.get(value).label(language) for value in values}


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
        return raw.strip().upper() if self.param == "state" else raw.strip()
