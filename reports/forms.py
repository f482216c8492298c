"""The form that asks for the annual handout."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases import stats
from reports.handout import HandoutError, check_language, check_year


def _last_full_year() -> str:
    first, last = stats.fiscal_year_span()
    return str(max(first, last - 1))


class HandoutForm(forms.Form):
    """The year and language are checked by the handout itself (`check_year`,
    `check_language`), so the admin and the command give the same message for a bad value."""

    fy = forms.CharField(
        label=_("Fiscal year"),
        initial=_last_full_year,
        widget=forms.Select,
        help_text=_(
            "The map counts the cases from FY2017 to this year; the slides show its best "
            "practices."
        ),
    )
    lang = forms.CharField(
        label=_("Language"),
        initial="ja",
        widget=forms.Select(choices=[("ja", _("Japanese")), ("en", _("English"))]),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[
            ("html", _("Printable page, opened in the browser")),
            ("pptx", _("PowerPoint slides (PPTX), to edit")),
        ],
        initial="html",
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The latest year first: the handout is most often for the year just ended.
        self.fields["fy"].widget.choices = [
            (str(year), label) for year, label in reversed(stats.fiscal_year_choices())
        ]

    def clean_fy(self) -> int:
        try:
            return check_year(self.cleaned_data["fy"])
        except HandoutError as error:
            raise ValidationError(str(error)) from None

    def clean_lang(self) -> str:
        try:
            return check_language(self.cleaned_data["lang"])
        except HandoutError as error:
            raise ValidationError(str(error)) from None
