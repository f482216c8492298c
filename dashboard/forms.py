"""The chart filters, read from the query string by the dashboard, its CSV and embed pages.

The parameters are `from` and `to` (fiscal years, both inclusive), `region` (code), `theme`
(slug) and `state` (USPS code; not shown on the dashboard, but region and state pages link to
CSV and embed pages with it). A bad value never stops a page: the form drops the fields that
do not validate, says why, and the figures are drawn without them.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import rules, stats
from cases.figures import reference
from cases.models import State, ThemeGroup
from cases.stats import Filters
from grassroots.language import page_language


class ChartFilterForm(forms.Form):
    """Fiscal-year range, region and theme (and, from other pages' links, state).

    Bind it to request.GET; `filters()` gives the stats Filters of the valid fields only.
    """

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        years = [("", _("Earliest")), *stats.fiscal_year_choices()]
        # "from" is a Python keyword, so the fields are added here rather than declared.
        self.fields["from"] = _choice_field(
            _("From fiscal year"),
            years,
            _(
                "“%(value)s” is not a fiscal year the register covers, so the figures "
                "start from the earliest year."
            ),
            typed=True,
        )
        self.fields["to"] = _choice_field(
            _("To fiscal year"),
            [("", _("Latest")), *years[1:]],
            _(
                "“%(value)s” is not a fiscal year the register covers, so the figures "
                "run to the latest year."
            ),
            typed=True,
        )
        self.fields["region"] = _choice_field(
            _("Region"),
            [("", _("All regions")), *self._region_choices()],
            _("There is no region “%(value)s”, so the figures cover every region."),
        )
        self.fields["theme"] = _choice_field(
            _("Theme"),
            [("", _("All themes")), *self._theme_choices()],
            _("There is no theme “%(value)s”, so the figures cover every theme."),
        )
        # Only region and state pages link with a state, so it is checked only when given.
        self.fields["state"] = forms.CharField(
            label=_("State"), required=False, widget=forms.HiddenInput
        )
        # Keep the query-string order on the page: from, to, region, theme.
        self.order_fields(["from", "to", "region", "theme", "state"])

    @staticmethod
    def _region_choices():
        """The regions in reference order (remembered per generation: no query)."""
        language = page_language()
        return [(region.key, region.label(language)) for region in reference.regions().items]

    @staticmethod
    def _theme_choices():
        """Themes grouped by theme group (rendered as <optgroup>s)."""
        language = page_language()
        groups: dict[str, list] = {}
        for theme in reference.themes().items:
            groups.setdefault(theme.group, []).append((theme.key, theme.label(language)))
        known = [(label, groups[group]) for group, label in ThemeGroup.choices if group in groups]
        others = [(group, items) for group, items in groups.items() if group not in ThemeGroup]
        return known + others

    def clean_state(self):
        code = (self.cleaned_data.get("state") or "").upper()
        if code and (len(code) != 2 or not State.objects.filter(code=code).exists()):
            raise ValidationError(
                _("There is no state “%(value)s”, so the figures cover every state."),
                params={"value": code},
            )
        return code

    def clean(self):
        data = super().clean()
        first, last = data.get("from"), data.get("to")
        if first is not None and last is not None and first > last:
            # Neither end can be trusted, so both are dropped.
            del data["from"], data["to"]
            raise ValidationError(
                _(
                    "The first fiscal year (%(first)s) is after the last (%(last)s), so the "
                    "figures cover every fiscal year."
                ),
                params={
                    "first": rules.fiscal_year_label(first, page_language()),
                    "last": rules.fiscal_year_label(last, page_language()),
                },
            )
        return data

    def filters(self) -> Filters:
        """The Filters for the fields that validated; an unbound form filters nothing."""
        if not self.is_bound:
            return Filters()
        self.is_valid()  # cleans once; cleaned_data then holds the valid fields only
        data = self.cleaned_data
        return Filters(
            from_fy=data.get("from"),
            to_fy=data.get("to"),
            region=data.get("region") or None,
            state=data.get("state") or None,
            theme=data.get("theme") or None,
        )

    def messages(self) -> list[str]:
        """Every problem with the filters, as sentences for the page."""
        if not self.is_bound:
            return []
        return [message for errors in self.errors.values() for message in errors]

    def rendered_fields(self) -> list[tuple]:
        """The visible fields with their widgets' HTML, for the page.

        A widget's HTML follows from the reference data (the generation), the language, the
        current fiscal year and the value chosen, so a valid field's HTML is rendered once per
        worker and generation; rendering the two long <select>s costs more than the figures.
        A field with an error (any text a visitor typed) is rendered each time, uncached.
        """
        if self.is_bound:
            self.is_valid()
        language = page_language()
        current_year = rules.fiscal_year_of(timezone.localdate())
        rendered = []
        for field in self.visible_fields():
            if field.errors:
                rendered.append((field, str(field)))
                continue
            key = f"filter-widget:{language}:{current_year}:{field.name}:{field.value()!r}"
            rendered.append((field, reference.remembered(key, lambda field=field: str(field))))
        return rendered

    def active(self) -> list[tuple[str, str]]:
        """The filters in force, as (parameter, label) pairs for removable chips."""
        if not self.is_bound:
            return []
        self.is_valid()
        chips = []
        for name in ("from", "to", "region", "theme", "state"):
            value = self.cleaned_data.get(name)
            if value in (None, ""):
                continue
            field = self.fields[name]
            label = dict(_flatten(getattr(field, "choices", []))).get(value, str(value))
            chips.append((name, f"{field.label}: {label}"))
        return chips


def _flatten(choices):
    for value, label in choices:
        if isinstance(label, list | tuple):
            yield from label
        else:
            yield value, label


def _choice_field(label, choices, invalid_message, typed=False):
    """An optional filter field whose invalid value is reported, not fatal."""
    if typed:
        return forms.TypedChoiceField(
            label=label,
            choices=choices,
            coerce=int,
            empty_value=None,
            required=False,
            error_messages={"invalid_choice": invalid_message},
        )
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=False,
        error_messages={"invalid_choice": invalid_message},
    )
