"""Forms of the staff pages: uploading an import, asking for a regional report."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases import rules, stats
from cases.models import Region
from exchange.reading import MAX_IMPORT_BYTES


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext(
            "A CSV (UTF-8 or Shift_JIS) or XLSX file made from the template, up to %(mb)s MB."
        ) % {"mb": MAX_IMPORT_BYTES // (1024 * 1024)}


def _fiscal_years():
    return stats.fiscal_year_choices()


def _last_full_year() -> int:
    first, last = stats.fiscal_year_span()
    return max(first, last - 1)


FIRST, LAST = stats.QUERY_NAMES["from_fy"], stats.QUERY_NAMES["to_fy"]


class RegionReportForm(forms.Form):
    """The regional report's query: region, the fiscal years (`from`, `to`, the one spelling
    of every query string), format, language and paper."""

    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.order_by("sort_order", "code"),
        to_field_name="code",
        empty_label=None,
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[
            ("html", _("Printable page, opened in the browser")),
            ("xlsx", _("Excel workbook (XLSX) with charts")),
            ("csv", _("Case list (CSV, UTF-8 with BOM)")),
        ],
        initial="html",
        widget=forms.RadioSelect,
    )
    language = forms.ChoiceField(
        label=_("Language of the page and of the links to the portal"),
        choices=[("en", _("English")), ("ja", _("Japanese"))],
        initial="en",
    )
    paper = forms.ChoiceField(
        label=_("Paper"),
        choices=[
            ("", _("Letter for English, A4 for Japanese")),
            ("a4", "A4"),
            ("letter", "Letter"),
        ],
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # "from" is a Python keyword, so the year fields are added here rather than declared.
        self.fields[FIRST] = forms.TypedChoiceField(
            label=_("From fiscal year"),
            choices=_fiscal_years,
            coerce=int,
            initial=rules.FIRST_FISCAL_YEAR,
        )
        self.fields[LAST] = forms.TypedChoiceField(
            label=_("To fiscal year"), choices=_fiscal_years, coerce=int, initial=_last_full_year
        )
        self.order_fields(["region", FIRST, LAST, "format", "language", "paper"])

    def clean(self):
        cleaned = super().clean()
        first, last = cleaned.get(FIRST), cleaned.get(LAST)
        if first is not None and last is not None and first > last:
            self.add_error(LAST, _("The last fiscal year is before the first."))
        return cleaned
