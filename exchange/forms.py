"""Forms of the staff pages: uploading an import, asking for a regional report."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cases import rules, stats
from cases.filters import FiscalYearChoiceField
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


def _last_full_year() -> int:
    """The form's starting `to`: the last fiscal year that has ended (a default, not a bound:
    the reader decides which years may be asked for)."""
    first, last = stats.fiscal_year_span()
    return max(first, last - 1)


FIRST, LAST = stats.QUERY_NAMES["from_fy"], stats.QUERY_NAMES["to_fy"]


class RegionReportForm(forms.Form):
    """The regional report's query: region, the fiscal years (`from`, `to`, the one spelling
    of every query string), format, language and paper.

    The region and the years are read by the one reader of filters, `stats.Filters.read`
    (`reading()`); the region field then holds the report to the districts the person may
    report on (`reports.views` narrows its queryset)."""

    FILTERS = ("region", FIRST, LAST)

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
        self.fields[FIRST] = FiscalYearChoiceField(
            label=_("From fiscal year"), initial=rules.FIRST_FISCAL_YEAR
        )
        self.fields[LAST] = FiscalYearChoiceField(
            label=_("To fiscal year"), initial=_last_full_year
        )
        self.order_fields(["region", FIRST, LAST, "format", "language", "paper"])

    def reading(self) -> stats.Reading:
        """The region and fiscal years of the query as `stats.Filters.read` finds them."""
        if not hasattr(self, "_reading"):
            self._reading = stats.Filters.read(self.data, names=self.FILTERS)
        return self._reading

    def clean(self):
        cleaned = super().clean()
        reading = self.reading()
        for name in self.FILTERS:
            if name not in reading.problems:
                continue
            # The reader's message replaces the field's (a region it does not know, or one
            # outside the person's districts, says the same in two ways).
            self._errors.pop(name, None)
            cleaned.pop(name, None)
            self.add_error(name, reading.problems[name])
        for name in (FIRST, LAST):
            if name in cleaned:
                cleaned[name] = reading.value(name)
        return cleaned
