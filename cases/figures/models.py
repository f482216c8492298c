"""Pre-aggregated figures: the held cases counted once per group, kept current on every change.

The stats layer (`cases.stats`) reads these few hundred rows instead of scanning the case
table, so a figure costs the same at a thousand cases as at a million. `cases.figures.tallies`
fills them with one INSERT … SELECT … GROUP BY in the database; `cases.figures.freshness`
refreshes the affected groups whenever cases change. Only held cases are counted.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CaseTally(models.Model):
    """The number of held cases of one fiscal year, region and state (None: no single state),
    the public ones and the others in rows of their own."""

    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    region = models.ForeignKey(
        "cases.Region", verbose_name=_("region"), on_delete=models.CASCADE, related_name="+"
    )
    state = models.ForeignKey(
        "cases.State",
        verbose_name=_("state"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    # Whether these cases are listed on the public site (Case.is_public): the public case
    # browser and the API count their lists from the rows with public=True.
    public = models.BooleanField(_("public"), default=False)
    cases = models.PositiveIntegerField(_("number of cases"))

    class Meta:
        verbose_name = _("case tally")
        verbose_name_plural = _("case tallies")
        indexes = [
            models.Index(fields=["fiscal_year", "region"], name="casetally_year_region"),
            models.Index(fields=["region", "fiscal_year"], name="casetally_region_year"),
            models.Index(fields=["state", "fiscal_year"], name="casetally_state_year"),
        ]

    def __str__(self):
        return f"FY{self.fiscal_year} {self.region_id}/{self.state_id}: {self.cases}"


class ThemeTally(models.Model):
    """The number of held cases of one fiscal year, region and state that carry one theme.

    A case counts under each of its themes, so these rows may add up to more than the cases.
    """

    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    region = models.ForeignKey(
        "cases.Region", verbose_name=_("region"), on_delete=models.CASCADE, related_name="+"
    )
    state = models.ForeignKey(
        "cases.State",
        verbose_name=_("state"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    theme = models.ForeignKey(
        "cases.Theme", verbose_name=_("theme"), on_delete=models.CASCADE, related_name="+"
    )
    # Whether these cases are listed on the public site (Case.is_public): the public case
    # browser and the API count their lists from the rows with public=True.
    public = models.BooleanField(_("public"), default=False)
    cases = models.PositiveIntegerField(_("number of cases"))

    class Meta:
        verbose_name = _("theme tally")
        verbose_name_plural = _("theme tallies")
        indexes = [
            models.Index(fields=["fiscal_year", "region"], name="themetally_year_region"),
            models.Index(fields=["region", "fiscal_year"], name="themetally_region_year"),
            models.Index(fields=["state", "fiscal_year"], name="themetally_state_year"),
            models.Index(fields=["theme", "fiscal_year"], name="themetally_theme_year"),
        ]

    def __str__(self):
        return (
            f"FY{self.fiscal_year} {self.region_id}/{self.state_id}/{self.theme_id}: {self.cases}"
        )


class _FacetTally(models.Model):
    """The number of counted cases of one fiscal year, region, state and public flag that
    have one value of a facet of the case browser (a format, a kind of partner)."""

    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    region = models.ForeignKey(
        "cases.Region", verbose_name=_("region"), on_delete=models.CASCADE, related_name="+"
    )
    state = models.ForeignKey(
        "cases.State",
        verbose_name=_("state"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    public = models.BooleanField(_("public"), default=False)
    cases = models.PositiveIntegerField(_("number of cases"))

    class Meta:
        abstract = True


class FormatTally(_FacetTally):
    """Counted cases by format, at the case tally's grain: the case browser's format counts."""

    format = models.CharField(_("format"), max_length=20)

    class Meta:
        verbose_name = _("format tally")
        verbose_name_plural = _("format tallies")
        indexes = [models.Index(fields=["fiscal_year", "region"], name="formattally_year_region")]

    def __str__(self):
        return f"FY{self.fiscal_year} {self.region_id}/{self.state_id} {self.format}: {self.cases}"


class PartnerKindTally(_FacetTally):
    """Counted cases by kind of partner (a case once under each kind it has), at the case
    tally's grain: the case browser's partner-kind counts."""

    kind = models.CharField(_("partner kind"), max_length=20)

    class Meta:
        verbose_name = _("partner kind tally")
        verbose_name_plural = _("partner kind tallies")
        indexes = [models.Index(fields=["fiscal_year", "region"], name="kindtally_year_region")]

    def __str__(self):
        return f"FY{self.fiscal_year} {self.region_id}/{self.state_id} {self.kind}: {self.cases}"


class ThemeYearTally(models.Model):
    """The number of held cases of one fiscal year that carry one theme, across all regions.

    The theme tally summed over regions and states, kept beside it so the national theme
    chart reads at most (fiscal years x themes) rows, the same few hundred at a thousand cases
    or a million, instead of summing the theme tally's tens of thousands.
    """

    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    theme = models.ForeignKey(
        "cases.Theme", verbose_name=_("theme"), on_delete=models.CASCADE, related_name="+"
    )
    cases = models.PositiveIntegerField(_("number of cases"))

    class Meta:
        verbose_name = _("theme tally by fiscal year")
        verbose_name_plural = _("theme tallies by fiscal year")
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "theme"], name="themeyeartally_one_row_per_year_theme"
            )
        ]

    def __str__(self):
        return f"FY{self.fiscal_year} theme {self.theme_id}: {self.cases}"


class FigureChange(models.Model):
    """When the figures of one (fiscal year, region) group last changed: the data date.

    Stamped by `cases.figures.tallies.refresh()` whenever it counts groups again, in the same
    transaction. `fiscal_year` 0 and `region_id` 0 stand for "every group" (a rebuild of all
    the tallies after a bulk write). At most one row per group: a few hundred rows.
    """

    ALL = 0

    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    region_id = models.PositiveIntegerField(_("region"))
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("figure change")
        verbose_name_plural = _("figure changes")
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "region_id"], name="figurechange_one_per_group"
            )
        ]

    def __str__(self):
        return f"FY{self.fiscal_year or '*'} {self.region_id or '*'}: {self.changed_at}"
