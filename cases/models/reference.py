"""Reference data: regions (consular districts), offices, states, jurisdictions, counties,
themes and the published figures the register is checked against."""

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from grassroots.language import localized


class BilingualNameMixin:
    """`name` in the active language, falling back to the other when one is blank."""

    def localized(self, field: str) -> str:
        return localized(self, field).text

    @property
    def name(self) -> str:
        return self.localized("name")


# --- Reference data ---------------------------------------------------------------------------


class MissionKind(models.TextChoices):
    EMBASSY = "embassy", _("Embassy")
    CONSULATE_GENERAL = "consulate-general", _("Consulate-General")
    CONSULAR_OFFICE = "consular-office", _("Consular Office")


class RegionManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Region(BilingualNameMixin, models.Model):
    """A consular district: the area one Japanese mission in the US answers for.

    There are 17: the Embassy's and those of 14 Consulates-General and 2 Consular Offices.
    The Consular Office in Saipan works inside Hagåtña's district and has no region of its own.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    mission_name_en = models.CharField(_("mission (English)"), max_length=200)
    mission_name_ja = models.CharField(_("mission (Japanese)"), max_length=200)
    mission_kind = models.CharField(_("mission kind"), max_length=20, choices=MissionKind)
    city_en = models.CharField(_("mission city (English)"), max_length=100)
    city_ja = models.CharField(_("mission city (Japanese)"), max_length=100)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    objects = RegionManager()

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)

    @property
    def mission_name(self) -> str:
        return self.localized("mission_name")

    @property
    def city(self) -> str:
        return self.localized("city")


class OfficeManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Office(BilingualNameMixin, models.Model):
    """One of the 18 Japanese offices in the US, and the district it works in."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=MissionKind)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    city_en = models.CharField(_("city (English)"), max_length=100)
    city_ja = models.CharField(_("city (Japanese)"), max_length=100)
    state = models.ForeignKey(
        "State", verbose_name=_("state"), on_delete=models.PROTECT, related_name="offices"
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("works in district"),
        on_delete=models.PROTECT,
        related_name="offices",
    )

    objects = OfficeManager()

    class Meta:
        ordering = ["region__sort_order", "code"]
        verbose_name = _("office")
        verbose_name_plural = _("offices")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)

    natural_key.dependencies = ["cases.region", "cases.state"]

    @property
    def city(self) -> str:
        return self.localized("city")


class StateKind(models.TextChoices):
    STATE = "state", _("State")
    DISTRICT = "district", _("Federal district")
    TERRITORY = "territory", _("Territory")


class StateManager(models.Manager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class State(BilingualNameMixin, models.Model):
    """A US state, the District of Columbia or a territory, by its USPS code."""

    code = models.CharField(_("USPS code"), max_length=2, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=StateKind)
    regions = models.ManyToManyField(
        Region,
        through="Jurisdiction",
        related_name="states",
        verbose_name=_("regions"),
    )

    objects = StateManager()

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("state")
        verbose_name_plural = _("states")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z]{2}$"), name="state_code_two_capitals"
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)


class JurisdictionManager(models.Manager):
    def get_by_natural_key(self, state_code, region_code):
        return self.get(state__code=state_code, region__code=region_code)


class Jurisdiction(models.Model):
    """A state (or part of one) held by a region's district.

    Most states have one row. California, Connecticut and Idaho are split by county and have
    two; `note` says which part each district holds.
    """

    state = models.ForeignKey(
        State, verbose_name=_("state"), on_delete=models.CASCADE, related_name="jurisdictions"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.CASCADE, related_name="jurisdictions"
    )
    note_en = models.CharField(_("note (English)"), max_length=300, blank=True)
    note_ja = models.CharField(_("note (Japanese)"), max_length=300, blank=True)
    research_note = models.TextField(
        _("research note (staff only)"),
        blank=True,
        help_text=_("Sources and doubts about this entry. Never shown on the public site."),
    )

    objects = JurisdictionManager()

    class Meta:
        ordering = ["state__name_en", "region__sort_order"]
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")
        constraints = [
            models.UniqueConstraint(
                fields=["state", "region"],
                name="jurisdiction_unique",
                violation_error_message=_("This state is already in this district."),
            ),
        ]

    def __str__(self):
        return f"{self.state.code} → {self.region.code}"

    def natural_key(self):
        return (self.state.code, self.region.code)

    natural_key.dependencies = ["cases.region", "cases.state"]

    @property
    def is_split(self) -> bool:
        return bool(self.note_en)


class CountyManager(models.Manager):
    def get_by_natural_key(self, fips):
        return self.get(fips=fips)


class County(BilingualNameMixin, models.Model):
    """A county of a state split between two districts (California, Connecticut, Idaho), and
    the district it lies in.

    Reference data that headquarters keeps in the admin: moving a county to the other district
    changes which cases may name it at once, with no change to the code.
    """

    fips = models.CharField(
        _("FIPS code"),
        max_length=5,
        unique=True,
        validators=[RegexValidator(r"^\d{5}$", _("A county's FIPS code is five digits."))],
        help_text=_("The Census Bureau's five-digit code, e.g. 06037 for Los Angeles County."),
    )
    state = models.ForeignKey(
        State, verbose_name=_("state"), on_delete=models.PROTECT, related_name="counties"
    )
    name_en = models.CharField(_("name (English)"), max_length=100)
    name_ja = models.CharField(_("name (Japanese)"), max_length=100)
    region = models.ForeignKey(
        Region,
        verbose_name=_("district"),
        on_delete=models.PROTECT,
        related_name="counties",
        help_text=_("The region whose consular district holds the county."),
    )
    research_note = models.TextField(
        _("research note (staff only)"),
        blank=True,
        help_text=_("Sources and doubts about this entry. Never shown on the public site."),
    )

    objects = CountyManager()

    class Meta:
        ordering = ["state__code", "name_en"]
        verbose_name = _("county")
        verbose_name_plural = _("counties")

    def __str__(self):
        return f"{self.name} ({self.state.code})"

    def natural_key(self):
        return (self.fips,)

    natural_key.dependencies = ["cases.region", "cases.state"]

    def clean(self):
        if (
            self.state_id
            and self.region_id
            and not Jurisdiction.objects.filter(
                state_id=self.state_id, region_id=self.region_id
            ).exists()
        ):
            raise ValidationError(
                {
                    "region": _("%(state)s is not in the district of %(region)s.")
                    % {"state": self.state, "region": self.region}
                }
            )


class ThemeGroup(models.TextChoices):
    LINE_OF_WORK = "line-of-work", _("Line of work")
    TOPIC = "topic", _("Topic")
    PRIORITY_AREA = "priority-area", _("Action Plan 4.0 priority area")


class ThemeManager(models.Manager):
    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Theme(BilingualNameMixin, models.Model):
    """A heading cases are filed under, in one of three groups that staff can extend."""

    slug = models.SlugField(_("slug"), max_length=60, unique=True)
    group = models.CharField(_("group"), max_length=20, choices=ThemeGroup)
    name_en = models.CharField(_("name (English)"), max_length=150)
    name_ja = models.CharField(_("name (Japanese)"), max_length=150)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_ja = models.TextField(_("description (Japanese)"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("sort order"), default=0)

    objects = ThemeManager()

    class Meta:
        ordering = ["group", "sort_order", "slug"]
        verbose_name = _("theme")
        verbose_name_plural = _("themes")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class PublishedFigureManager(models.Manager):
    def get_by_natural_key(self, from_fy, to_fy):
        return self.get(from_fy=from_fy, to_fy=to_fy)


class PublishedFigure(models.Model):
    """A case count the government has published, for reconciling the register against."""

    from_fy = models.PositiveSmallIntegerField(_("from fiscal year"))
    to_fy = models.PositiveSmallIntegerField(_("to fiscal year"))
    cases = models.PositiveIntegerField(_("number of cases"))
    source_en = models.CharField(_("source (English)"), max_length=300)
    source_ja = models.CharField(_("source (Japanese)"), max_length=300)

    objects = PublishedFigureManager()

    class Meta:
        ordering = ["from_fy", "to_fy"]
        verbose_name = _("published figure")
        verbose_name_plural = _("published figures")
        constraints = [
            models.UniqueConstraint(fields=["from_fy", "to_fy"], name="published_figure_unique"),
            models.CheckConstraint(
                condition=Q(to_fy__gte=models.F("from_fy")), name="published_figure_range_order"
            ),
        ]

    def __str__(self):
        if self.from_fy == self.to_fy:
            return f"FY{self.from_fy}: {self.cases:,}"
        return f"FY{self.from_fy}–FY{self.to_fy}: {self.cases:,}"

    def natural_key(self):
        return (self.from_fy, self.to_fy)
