"""The chart filters, read from the query string by the dashboard, its CSV and embed pages.

The parameters are `from` and `to` (fiscal years, both inclusive), `region` (code), `theme`
(slug) and `state` (USPS code; not shown on the dashboard, but region and state pages link to
CSV and embed pages with it). They are read by the one reader, `stats.Filters.read`; the fields
only draw the widgets. A bad value never stops a page: the form drops the parameters the
reader refuses, says why (the reader's message and what the figures do without it), and the
figures are drawn without them.
"""

from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import rules, stats
from cases.figures import reference
from cases.filters import FiscalYearChoiceField, ReadChoiceField, ReadField
from cases.models import ThemeGroup
from cases.stats import Filters
from grassroots.language import join_sentences, page_language

# The parameters the charts take, in the order of the page.
PARAMETERS = ("from", "to", "region", "theme", "state")

# What the figures do without a parameter the reader refused, said after its message.
CONSEQUENCES = {
    "from": _("The figures start from the earliest year."),
    "to": _("The figures run to the latest year."),
    "region": _("The figures cover every region."),
    "theme": _("The figures cover every theme."),
    "state": _("The figures cover every state."),
}


@dataclass(frozen=True)
class RenderedField:
    """A field as the page draws it: its label, the id the label is for, its widget."""

    label: str
    id_for_label: str
    html: str  # Django's widget markup, safe


def _rendered(field, html) -> RenderedField:
    return RenderedField(str(field.label), field.id_for_label, html)


class ChartFilterForm(forms.Form):
    """Fiscal-year range, region and theme (and, from other pages' links, state).

    Bind it to request.GET; `filters()` gives the stats Filters of the valid fields only.
    """

    @property
    def fields(self) -> dict:
        """The fields, built on first use: the page without filters does not need them, its
        widgets being remembered (`rendered_fields`)."""
        if self._fields is None:
            self._fields = self._build_fields()
        return self._fields

    @fields.setter
    def fields(self, value) -> None:
        # Django's BaseForm sets the declared fields (none: "from" is a Python keyword, so the
        # fields are made in _build_fields rather than declared).
        self._fields = dict(value) or None

    def _build_fields(self) -> dict:
        """from, to, region, theme, state: in the query string's order."""
        return {
            "from": FiscalYearChoiceField(
                label=_("From fiscal year"), empty_label=_("Earliest"), required=False
            ),
            "to": FiscalYearChoiceField(
                label=_("To fiscal year"), empty_label=_("Latest"), required=False
            ),
            "region": _choice_field(
                _("Region"), [("", _("All regions")), *self._region_choices()]
            ),
            "theme": _choice_field(_("Theme"), [("", _("All themes")), *self._theme_choices()]),
            # Only region and state pages link with a state, so it is checked only when given.
            "state": ReadField(label=_("State"), required=False, widget=forms.HiddenInput),
        }

    @staticmethod
    def _region_choices():
        """The regions in reference order (remembered per generation and language)."""
        language = page_language()
        return reference.remembered(
            f"chart-filter-regions:{language}",
            lambda: [(region.key, region.label(language)) for region in reference.regions().items],
        )

    @staticmethod
    def _theme_choices():
        """Themes grouped by theme group (rendered as <optgroup>s), remembered per generation
        and language."""
        language = page_language()
        return reference.remembered(
            f"chart-filter-themes:{language}", lambda: _grouped_themes(language)
        )

    def reading(self) -> stats.Reading:
        """The query's chart filters as `stats.Filters.read` finds them."""
        if not hasattr(self, "_reading"):
            self._reading = Filters.read(self.data, names=PARAMETERS)
        return self._reading

    def clean(self):
        data = super().clean()
        reading = self.reading()
        for name in PARAMETERS:
            data.pop(name, None)
            if name in reading.problems:
                self.add_error(name, join_sentences([reading.problems[name], CONSEQUENCES[name]]))
            elif (value := reading.value(name)) not in (None, ()):
                data[name] = value
        return data

    def filters(self) -> Filters:
        """The Filters of the valid parameters; an unbound form filters nothing."""
        if not self.is_bound:
            return Filters()
        return self.reading().filters

    def messages(self) -> list[str]:
        """Every problem with the filters, as sentences for the page."""
        if not self.is_bound:
            return []
        return [message for errors in self.errors.values() for message in errors]

    def rendered_fields(self) -> list[RenderedField]:
        """The visible fields with their labels and widgets' HTML, for the page.

        A widget's HTML follows from the reference data (the generation), the language, the
        current fiscal year and the value chosen, so a valid field's HTML is rendered once per
        worker and generation; rendering the two long <select>s costs more than the figures.
        The fields of the page without filters (the one most visitors see) are remembered
        together. A field with an error (any text a visitor typed) is rendered each time.
        """
        language = page_language()
        current_year = rules.fiscal_year_of(timezone.localdate())
        if not self.is_bound:
            return reference.remembered(
                f"chart-filter-fields:{language}:{current_year}",
                lambda: [_rendered(field, str(field)) for field in self.visible_fields()],
            )
        self.is_valid()
        rendered = []
        for field in self.visible_fields():
            if field.errors:
                rendered.append(_rendered(field, str(field)))
                continue
            key = f"filter-widget:{language}:{current_year}:{field.name}:{field.value()!r}"
            rendered.append(
                reference.remembered(key, lambda field=field: _rendered(field, str(field)))
            )
        return rendered

    def active(self) -> list[tuple[str, str]]:
        """The filters in force, as (parameter, label) pairs for removable chips."""
        if not self.is_bound:
            return []
        self.is_valid()
        chips = []
        for name in PARAMETERS:
            value = self.cleaned_data.get(name)
            if value in (None, "", ()):
                continue
            field = self.fields[name]
            names = dict(_flatten(getattr(field, "choices", [])))
            values = value if isinstance(value, tuple) else (value,)
            label = ", ".join(str(names.get(one, one)) for one in values)
            chips.append((name, f"{field.label}: {label}"))
        return chips


def _grouped_themes(language: str) -> list:
    groups: dict[str, list] = {}
    for theme in reference.themes().items:
        groups.setdefault(theme.group, []).append((theme.key, theme.label(language)))
    known = [(label, groups[group]) for group, label in ThemeGroup.choices if group in groups]
    others = [(group, items) for group, items in groups.items() if group not in ThemeGroup]
    return known + others


def _flatten(choices):
    for value, label in choices:
        if isinstance(label, list | tuple):
            yield from label
        else:
            yield value, label


def _choice_field(label, choices):
    return ReadChoiceField(label=label, choices=choices, required=False)
