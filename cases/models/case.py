"""Cases: the register's records, their states of work and publication, and their partners."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, ExtractYear, Lower, NullIf
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import rules
from cases.models.partners import Partner
from cases.models.publishable import REVIEWED, Publication, Publishable, WorkflowError
from cases.models.reference import Jurisdiction, Region, State, Theme
from grassroots.language import localized, page_language


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class CaseFormat(models.TextChoices):
    WORKSHOP = "workshop", _("Workshop")
    SEMINAR = "seminar", _("Seminar")
    PANEL = "panel", _("Panel discussion")
    SYMPOSIUM = "symposium", _("Symposium")
    VISIT = "visit", _("Visit")
    BUSINESS_MATCHING = "business-matching", _("Business matching")
    RECEPTION = "reception", _("Reception")
    EXHIBITION = "exhibition", _("Exhibition")
    LECTURE = "lecture", _("Lecture")
    OTHER = "other", _("Other")


_FORMAT_LABELS = dict(CaseFormat.choices)


class CaseOrigin(models.TextChoices):
    STAFF = "staff", _("Entered by staff")
    IMPORT = "import", _("Imported")
    DEMO = "demo", _("Demonstration data")


class PartnerRole(models.TextChoices):
    CO_HOST = "co-host", _("Co-host")
    SPEAKER = "speaker", _("Speaker")
    SPONSOR = "sponsor", _("Sponsor")
    PARTICIPANT = "participant", _("Participant")


# The cases the public site lists (CaseQuerySet.public), for partial indexes.
PUBLIC = Q(
    status=CaseStatus.HELD.value, publication__in=[p.value for p in REVIEWED], is_public=True
)


def shown_title(first: str, second: str):
    """The title people see, lower-cased for sorting: `first` (the page language's), or
    `second` when that is blank."""
    return Lower(Coalesce(NullIf(first, Value("")), second))


def tagged(ids) -> Q:
    """Cases with any of these themes (ids), read from `theme_tags` (`rules.theme_tags`)."""
    tests = [Q(theme_tags__contains=f"/{int(i)}/") for i in sorted(set(ids))]
    if not tests:
        return Q(pk__in=[])
    found = tests[0]
    for test in tests[1:]:
        found |= test
    return found


class CaseQuerySet(models.QuerySet):
    def held(self):
        """Cases that took place (whether or not they are counted yet)."""
        return self.filter(status=CaseStatus.HELD)

    def counted(self):
        """The cases every figure counts: held cases HQ has reviewed (approved or published).
        Drafts and cases waiting for review never count. Each figure, tally and reconciliation
        reads this one definition."""
        return self.held().filter(publication__in=REVIEWED)

    def pending_review(self):
        """Held cases submitted for review: what the figures would gain once approved."""
        return self.held().filter(publication=Publication.SUBMITTED)

    def public(self):
        """Counted cases that may be listed on the public site."""
        return self.counted().filter(is_public=True)

    def in_fiscal_years(self, first: int | None = None, last: int | None = None):
        """Cases whose fiscal year lies in [first, last]; either end may be open."""
        qs = self
        # By the start dates of those years alone: a case's fiscal year follows from its start
        # date (the case_fiscal_year_matches_start constraint), so they are the same cases. A
        # list sorted by date then reads only their part of a date index, and the database
        # estimates their number well; asked for the fiscal year as well, it multiplied the
        # two conditions' shares, expected a tenth of the cases and chose to read and sort all
        # of them (a year and a theme at a million cases: 450 ms).
        if first is not None:
            qs = qs.filter(start_date__gte=rules.fiscal_year_bounds(first)[0])
        if last is not None:
            qs = qs.filter(start_date__lte=rules.fiscal_year_bounds(last)[1])
        return qs

    def for_region(self, region):
        """Cases led by a region, given as a Region or its code."""
        if isinstance(region, Region):
            return self.filter(region=region)
        return self.filter(region__code=region)

    def for_listing(self):
        """Cases with everything a list shows loaded up front, newest first (their themes
        are named from their own rows: `case_card`)."""
        return self.select_related("region", "state").order_by("-start_date", "-pk")


class Case(Publishable):
    """One initiative of the task force: a workshop, seminar, visit or event in the US.

    A case counts once, under the region whose mission led it. Its fiscal year follows from its
    start date and is stored so lists and figures can filter and index on it.
    """

    title_en = models.CharField(_("title (English)"), max_length=300, blank=True)
    title_ja = models.CharField(_("title (Japanese)"), max_length=300, blank=True)
    summary_en = models.TextField(_("summary (English)"), blank=True)
    summary_ja = models.TextField(_("summary (Japanese)"), blank=True)
    start_date = models.DateField(_("start date"), help_text=_("The local date of the event."))
    end_date = models.DateField(
        _("end date"), null=True, blank=True, help_text=_("Leave blank for a one-day case.")
    )
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"), editable=False, db_index=True)
    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="cases",
        help_text=_("The consular district whose mission led the case."),
    )
    state = models.ForeignKey(
        State,
        verbose_name=_("state"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        help_text=_("Leave blank for a case with no single state, such as a nationwide campaign."),
    )
    county = models.ForeignKey(
        "County",
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases",
        help_text=_(
            "Needed in California, Connecticut and Idaho, which two districts share by county."
        ),
    )
    city_en = models.CharField(_("city (English)"), max_length=100, blank=True)
    city_ja = models.CharField(
        _("city (Japanese)"),
        max_length=100,
        blank=True,
        help_text=_("The form a Japanese newspaper prints, e.g. マイアミ, パロアルト."),
    )
    format = models.CharField(_("format"), max_length=20, choices=CaseFormat)
    themes = models.ManyToManyField(
        Theme, verbose_name=_("themes"), related_name="cases", blank=True
    )
    partners = models.ManyToManyField(
        Partner, through="CasePartner", verbose_name=_("partners"), related_name="cases"
    )
    participants = models.PositiveIntegerField(_("participants"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CaseStatus, default=CaseStatus.DRAFT
    )
    is_public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("May be listed on the public site. Non-public held cases still count."),
    )
    is_best_practice = models.BooleanField(_("best practice"), default=False)
    origin = models.CharField(
        _("origin"), max_length=10, choices=CaseOrigin, default=CaseOrigin.STAFF
    )
    external_ref = models.CharField(
        _("external reference"),
        max_length=100,
        blank=True,
        help_text=_("Identifier in the source spreadsheet; re-imports update by it."),
    )
    import_batch = models.ForeignKey(
        "exchange.ImportBatch",
        verbose_name=_("import"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="cases",
        editable=False,
        help_text=_("The import this case last came from."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    theme_tags = models.TextField(
        _("theme tags"),
        blank=True,
        default="",
        editable=False,
        help_text=_("The ids of its themes, as /3/7/: written with its themes."),
    )
    search_document = models.TextField(
        _("search document"),
        blank=True,
        default="",
        editable=False,
        help_text=_("Its texts in the search normal form; written on save (cases.search)."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-pk"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        permissions = [("publish_case", _("Can publish and unpublish cases"))]
        indexes = [
            models.Index(fields=["status", "fiscal_year", "region"], name="case_stats_idx"),
            # Whether the register holds demonstration records (every page's banner asks once
            # per data generation): without it the question reads every case.
            models.Index(
                fields=["origin"], name="case_demo_idx", condition=Q(origin=CaseOrigin.DEMO)
            ),
            models.Index(fields=["is_public", "status", "-start_date"], name="case_listing_idx"),
            # The public lists' sorts and filters (cases.filters.CaseFilter.sort_by): each
            # page of a million-case list is read in order from one of these. The date order
            # ends with the district, the state and the theme tags, and the region order with
            # the tags, so a deep page (read by its ids first, cases.listing.window) of a list
            # by theme or by several districts is found in the index alone: one theme's page
            # 35 passes 14,000 cases, 20 ms through the table and 4 ms in the index.
            *(
                models.Index(
                    *keys,
                    F("start_date").desc(),
                    F("id").desc(),
                    *tags,
                    name=name,
                    condition=PUBLIC,
                )
                for name, keys, tags in (
                    (
                        "case_public_date_idx",
                        [],
                        [F("region_id"), F("state_id"), F("theme_tags")],
                    ),
                    ("case_public_region_idx", [F("region_id")], [F("theme_tags")]),
                    ("case_public_state_idx", [F("state_id")], []),
                    ("case_public_title_en_idx", [shown_title("title_en", "title_ja")], []),
                    ("case_public_title_ja_idx", [shown_title("title_ja", "title_en")], []),
                    # A state holds one case in fifty: by title through the title index
                    # alone, page 5 stepped over 20,000 cases of other states.
                    (
                        "case_public_state_title_en_idx",
                        [F("state_id"), shown_title("title_en", "title_ja")],
                        [],
                    ),
                    (
                        "case_public_state_title_ja_idx",
                        [F("state_id"), shown_title("title_ja", "title_en")],
                        [],
                    ),
                )
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="case_end_not_before_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=rules.FIRST_FISCAL_YEAR),
                name="case_fiscal_year_from_2017",
                violation_error_message=_("The register starts with FY2017 (1 April 2017)."),
            ),
            # The stored fiscal year must be the one the start date gives (April to March).
            models.CheckConstraint(
                condition=(
                    Q(start_date__month__gte=4, fiscal_year=ExtractYear("start_date"))
                    | Q(start_date__month__lt=4, fiscal_year=ExtractYear("start_date") - 1)
                ),
                name="case_fiscal_year_matches_start",
                violation_error_message=_("The fiscal year does not match the start date."),
            ),
            models.CheckConstraint(
                condition=~Q(title_en="") | ~Q(title_ja=""),
                name="case_has_a_title",
                violation_error_message=_("Give the case a title in English or Japanese."),
            ),
            # Nothing is listed publicly that was not published. (A writer that withdraws a
            # case by clearing the flag alone leaves "published" behind; save() and the
            # workflow steps keep the two in step.)
            models.CheckConstraint(
                condition=Q(is_public=False) | Q(publication=Publication.PUBLISHED),
                name="case_public_is_published",
                violation_error_message=_("A public case must be published."),
            ),
            models.UniqueConstraint(
                fields=["external_ref"],
                condition=~Q(external_ref=""),
                name="case_external_ref_unique",
                violation_error_message=_("Another case already has this external reference."),
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if self.start_date:
            self.fiscal_year = rules.fiscal_year_of(self.start_date)
        self._align_publication()
        super().save(*args, **kwargs)

    def _align_publication(self) -> None:
        """Bring the workflow state in line with is_public when a writer set only the flag
        (an import, a form, a test): public means published now, by whoever last changed the
        case; a published case taken off the list stays reviewed (approved: still counted).
        Whether the writer may do either is the register's check (cases.register)."""
        if self.is_public and self.publication != Publication.PUBLISHED:
            self.publication = Publication.PUBLISHED
            self.published_at, self.published_by_id = timezone.now(), self.updated_by_id
        elif not self.is_public and self.publication == Publication.PUBLISHED:
            self.publication = Publication.APPROVED

    # --- The publishing workflow --------------------------------------------------------------
    # The fields and submit_for_review() are Publishable's. Each step changes the instance and
    # saves only the workflow fields (so history sees one change), stamping who and when.
    # Whether the user may take the step is the caller's check (the admin asks for
    # cases.publish_case before publishing).

    WORKFLOW_FIELDS = [*Publishable.WORKFLOW_FIELDS, "is_public", "updated_at", "updated_by"]

    def publish(self, user, *, save: bool = True) -> None:
        """Draft, submitted or approved → published: counted and listed publicly from now on."""
        if self.publication == Publication.PUBLISHED:
            raise WorkflowError(_("The case is already published."))
        self.publication, self.is_public = Publication.PUBLISHED, True
        self.published_at, self.published_by = timezone.now(), user
        self._stamp(user, save)

    def approve(self, user, *, save: bool = True) -> None:
        """Draft, submitted or published → approved: counted in the figures, not listed."""
        if self.publication == Publication.APPROVED:
            raise WorkflowError(_("The case is already approved."))
        self.publication, self.is_public = Publication.APPROVED, False
        self.published_at, self.published_by = timezone.now(), user
        self._stamp(user, save)

    def unpublish(self, user, *, save: bool = True) -> None:
        """Published, approved or submitted → draft: off the public site and out of the
        figures, back to its editors. The last submission and publication stay recorded."""
        if self.publication == Publication.DRAFT:
            raise WorkflowError(_("The case is already a draft."))
        self.publication, self.is_public = Publication.DRAFT, False
        self._stamp(user, save)

    def _stamp(self, user, save: bool) -> None:
        self.updated_by = user
        super()._stamp(user, save)

    def clean(self):
        self._align_publication()
        errors = self._date_problems()
        if not self.title_en.strip() and not self.title_ja.strip():
            errors["title_en"] = _("Give the case a title in English or Japanese.")
        if self.state_id and self.region_id:
            problem = self.state_problem()
            if problem:
                errors["state"] = problem
        if "state" not in errors and self.region_id:
            problem = self.county_problem()
            if problem:
                errors["county"] = problem
        if errors:
            raise ValidationError(errors)

    def _date_problems(self) -> dict[str, str]:
        """The fiscal year (derived from the start date) and what is wrong with the dates."""
        errors = {}
        if not self.start_date:
            return errors
        self.fiscal_year = rules.fiscal_year_of(self.start_date)
        if self.fiscal_year < rules.FIRST_FISCAL_YEAR:
            errors["start_date"] = _(
                "The register starts with FY2017 (1 April 2017); this date is earlier."
            )
        if self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date cannot be before the start date.")
        if self.status == CaseStatus.HELD and self.start_date > timezone.localdate():
            errors["status"] = _(
                "A case whose start date is in the future cannot be marked as held; "
                "mark it as planned."
            )
        return errors

    def state_problem(self) -> str | None:
        """Why the state is not in the region's district, or None."""
        # A bulk validator (the importer) sets `known_district` from the districts it
        # loaded once, so checking many cases costs no query per case.
        district = getattr(self, "known_district", None)
        if district is None:
            district = set(
                Jurisdiction.objects.filter(region_id=self.region_id).values_list(
                    "state__code", flat=True
                )
            )
        if rules.state_in_district(self.state.code, district):
            return None
        return _(
            "%(state)s is not in the district of %(region)s. Choose a state in that "
            "district, or the region whose district holds the state."
        ) % {"state": self.state, "region": self.region}

    def county_problem(self) -> str | None:
        """The county rule (rules.county_problem) as a message naming the right district, or
        None. A bulk validator (the importer) sets `known_split_states` to the USPS codes of
        the split states, so checking many cases costs no query per case."""
        state = self.state if self.state_id else None
        county = self.county if self.county_id else None
        split = getattr(self, "known_split_states", None)
        if split is None:
            split = (
                {state.code}
                if state and Jurisdiction.objects.filter(state_id=state.pk).count() > 1
                else set()
            )
        problem = rules.county_problem(
            state=state.code if state else None,
            region=self.region_id,
            state_is_split=bool(state) and state.code in split,
            county_state=county.state.code if county else None,
            county_region=county.region_id if county else None,
        )
        if problem == rules.COUNTY_NEEDED:
            return _(
                "%(state)s is divided between two consular districts by county: choose the "
                "county the case took place in."
            ) % {"state": state}
        if problem == rules.COUNTY_OUTSIDE_STATE:
            return _("%(county)s is not in %(state)s.") % {
                "county": county.name,
                "state": state or _("the case's state"),
            }
        if problem == rules.COUNTY_OUTSIDE_DISTRICT:
            return _(
                "%(county)s lies in the district of %(right)s, not of %(region)s: choose "
                "%(right)s as the region, or correct the county."
            ) % {"county": county.name, "right": county.region.name, "region": self.region.name}
        return None

    @property
    def title(self) -> str:
        return localized(self, "title").text

    @property
    def city(self) -> str:
        """The city in the page language (see cases.places for how a place is written)."""
        return localized(self, "city").text

    @property
    def fiscal_year_label(self) -> str:
        return rules.fiscal_year_label(self.fiscal_year, page_language())

    @property
    def format_label(self) -> str:
        """The format's name in the active language: what get_format_display() gives, without
        the dictionary of every choice it builds on each call (a list of cards asks twenty
        times a page)."""
        return str(_FORMAT_LABELS.get(self.format, self.format))


class CasePartner(models.Model):
    """A partner's part in a case: co-host, speaker, sponsor or participant."""

    case = models.ForeignKey(
        Case, verbose_name=_("case"), on_delete=models.CASCADE, related_name="partner_roles"
    )
    partner = models.ForeignKey(
        Partner, verbose_name=_("partner"), on_delete=models.PROTECT, related_name="case_roles"
    )
    role = models.CharField(_("role"), max_length=20, choices=PartnerRole)

    class Meta:
        ordering = ["role", "partner__name_en"]
        verbose_name = _("partner role")
        verbose_name_plural = _("partner roles")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "partner", "role"],
                name="case_partner_role_unique",
                violation_error_message=_("This partner already has this role in the case."),
            ),
        ]

    def __str__(self):
        return f"{self.partner} ({self.get_role_display()})"
