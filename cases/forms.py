"""Forms for the staff admin: the case form's state <select>, grouped by region."""

from itertools import groupby
from operator import attrgetter

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect
from django.forms.models import ModelChoiceIterator, ModelChoiceIteratorValue
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases.models import Case, CasePartner, County, Jurisdiction, State
from grassroots.language import localized


class RegionalStateValue(ModelChoiceIteratorValue):
    """A state option's value that also knows which region's group it sits in."""

    def __init__(self, value, instance, region_id, note=""):
        super().__init__(value, instance)
        self.region_id = region_id
        self.note = note


class StatesByRegion(ModelChoiceIterator):
    """Yields the states as one <optgroup> per region, in the regions' order.

    A state split between two districts (California, Connecticut, Idaho) is listed under both,
    marked as a part; both options carry the same value, the state's id. One query, whatever
    is chosen.
    """

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        rows = (
            Jurisdiction.objects.filter(state__in=self.queryset)
            .select_related("state", "region")
            .order_by("region__sort_order", "region__code", "state__name_en")
        )
        for region, group in groupby(rows, key=attrgetter("region")):
            yield (str(region), [self._choice(row) for row in group])

    def __len__(self):
        extra = 1 if self.field.empty_label is not None else 0
        return Jurisdiction.objects.filter(state__in=self.queryset).count() + extra

    def _choice(self, row):
        state = row.state
        label = self.field.label_from_instance(state)
        if row.is_split:
            label = gettext("%(state)s (part)") % {"state": label}
        note = localized(row, "note").text
        value = RegionalStateValue(self.field.prepare_value(state), state, row.region_id, note)
        return (value, label)


class StateByRegionSelect(forms.Select):
    """A <select> whose options name their region, so case_form.js can show one region's."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if isinstance(value, RegionalStateValue):
            option["attrs"]["data-region"] = str(value.region_id)
            if value.note:
                option["attrs"]["title"] = value.note
        return option


class StateByRegionField(forms.ModelChoiceField):
    """A state chosen from the states grouped under the regions whose districts hold them."""

    iterator = StatesByRegion
    widget = StateByRegionSelect


class CountyChoiceField(forms.ModelChoiceField):
    """Counties labelled with their state and district, loaded in one query."""

    def label_from_instance(self, county):
        return _("%(county)s, %(state)s — %(region)s district") % {
            "county": county.name,
            "state": county.state.code,
            "region": county.region.name,
        }


class CaseAdminForm(forms.ModelForm):
    """The case form. Whether the state lies in the region's district is checked by
    Case.clean(), which reports it on the state field. `request_review` is offered to
    editors who cannot publish (the admin shows it only while the case is a draft)."""

    state = StateByRegionField(
        queryset=State.objects.all(),
        required=False,
        empty_label=_("(no single state)"),
        label=capfirst(Case._meta.get_field("state").verbose_name),
        help_text=Case._meta.get_field("state").help_text,
    )

    county = CountyChoiceField(
        queryset=County.objects.select_related("state", "region"),
        required=False,
        empty_label=_("(none)"),
        label=capfirst(Case._meta.get_field("county").verbose_name),
        help_text=Case._meta.get_field("county").help_text,
    )

    request_review = forms.BooleanField(
        label=_("Submit for review when saved"),
        required=False,
        help_text=_("HQ editors are asked to review and publish the case."),
    )

    class Meta:
        model = Case
        fields = [
            "title_en",
            "title_ja",
            "summary_en",
            "summary_ja",
            "start_date",
            "end_date",
            "region",
            "state",
            "county",
            "city_en",
            "city_ja",
            "format",
            "themes",
            "status",
            "participants",
            "is_public",
            "is_best_practice",
        ]


class PreloadedAutocompleteSelect(AutocompleteSelect):
    """An autocomplete <select> that shows an object already loaded without querying for it.

    AutocompleteSelect looks up the chosen object to label it: one query per inline row. A
    form that already holds the object (loaded with select_related) puts it in `preloaded`.
    """

    preloaded: dict | None = None

    def optgroups(self, name, value, attr=None):
        field = self.choices.field
        chosen = [str(v) for v in value if str(v) not in field.empty_values]
        if not self.preloaded or any(pk not in self.preloaded for pk in chosen):
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required:
            options.append(self.create_option(name, "", "", False, 0))
        for pk in chosen:
            obj = self.preloaded[pk]
            label = field.label_from_instance(obj)
            options.append(self.create_option(name, obj.pk, label, True, len(options)))
        return [(None, options, 0)]


class CasePartnerForm(forms.ModelForm):
    """A partner's role in a case; an existing row labels its partner without a query."""

    class Meta:
        model = CasePartner
        fields = ["partner", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        relation = CasePartner._meta.get_field("partner")
        if self.instance.partner_id and relation.is_cached(self.instance):
            widget = self.fields["partner"].widget
            widget = getattr(widget, "widget", widget)  # inside RelatedFieldWidgetWrapper
            if isinstance(widget, PreloadedAutocompleteSelect):
                partner = self.instance.partner
                widget.preloaded = {str(partner.pk): partner}
