"""Showcase pages: the best practices, written up by staff for the public."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import CasePartner, CaseStatus, Publication, Publishable, WorkflowError
from grassroots.language import LocalizedText, localized

# A page's publishing states: the register's vocabulary (`cases.models.Publication`, the same
# values and words as a case's), less "approved", which is a case's (counted, not listed).
PAGE_PUBLICATION = [
    (value, label) for value, label in Publication.choices if value != Publication.APPROVED
]


class HeroIllustration(models.TextChoices):
    """Illustrations shipped with the portal, for a page that has no photograph of its own.

    The value is the path under the static files; all are 1600 × 900 pixels.
    """

    TRANSPORT = "showcase/demo/transport.png", _("Elevated railway (transport, infrastructure)")
    PANEL = "showcase/demo/panel.png", _("Panel of speakers (discussion, people)")
    CHIP = "showcase/demo/chip.png", _("Circuit and chip (technology, security)")


ILLUSTRATION_SIZE = (1600, 900)
# OpenGraph cards (link previews): showcase/illustrations.py draws them.
OG_IMAGE_SIZE = (1200, 630)
OG_CARD_DIR = "showcase/og"
OG_PORTAL_CARD = f"{OG_CARD_DIR}/portal.png"


class ShowcasePageQuerySet(models.QuerySet):
    def published(self):
        """Pages the public may see: published, with a publication date, about a held case
        that may be listed publicly. A page whose case is withdrawn disappears with it."""
        return self.filter(
            publication=Publication.PUBLISHED,
            published_at__isnull=False,
            case__status=CaseStatus.HELD,
            case__is_public=True,
        )

    def for_cards(self):
        """Pages with what a card shows (the case's date, place and region) loaded, newest
        case first."""
        return self.select_related("case__region", "case__state").order_by(
            "-case__start_date", "-published_at", "pk"
        )

    def for_detail(self):
        """Pages with everything the detail page's key facts need loaded up front."""
        roles = CasePartner.objects.select_related("partner")
        return self.select_related("case__region", "case__state").prefetch_related(
            "case__themes", models.Prefetch("case__partner_roles", queryset=roles)
        )


HERO_MAX_BYTES = 5 * 1024 * 1024


def hero_upload_to(page, filename: str) -> str:
    return f"showcase/{timezone.now():%Y}/{filename}"


def validate_hero_size(image) -> None:
    """Refuse images over 5 MB: they would make the page slow on a phone."""
    if image.size > HERO_MAX_BYTES:
        raise ValidationError(_("The image is larger than 5 MB; please make it smaller."))


HERO_FORMATS = {"JPEG", "PNG", "WEBP"}


def validate_hero_type(image) -> None:
    """Accept only JPEG, PNG or WebP, judged by the file's content (Pillow), not its name:
    a renamed SVG or HTML file could carry script. Stored images were checked on upload."""
    if getattr(image, "_committed", True):
        return
    from PIL import Image

    upload = image.file
    try:
        upload.seek(0)
        with Image.open(upload) as picture:
            kind = picture.format
            picture.verify()
    except Exception:  # Anything Pillow cannot read is not an image we take.
        kind = None
    finally:
        upload.seek(0)
    if kind not in HERO_FORMATS:
        raise ValidationError(
            _("Upload a JPEG, PNG or WebP image; this file is not one."), code="invalid_image"
        )


class ShowcasePage(Publishable):
    """A best practice written up for the public: a story about one case, in both languages.

    The key facts (dates, place, partners, themes) are not repeated here: the page draws them
    from its case, so the register stays the one source of them.
    """

    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("case"),
        on_delete=models.PROTECT,
        related_name="showcase_page",
        help_text=_("The case this page tells the story of; its key facts come from the case."),
    )
    slug = models.SlugField(
        _("slug"),
        max_length=80,
        unique=True,
        help_text=_("The page's address: lower-case letters, digits and hyphens."),
    )
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_ja = models.CharField(_("title (Japanese)"), max_length=200, blank=True)
    lead_en = models.TextField(
        _("lead (English)"),
        blank=True,
        help_text=_("One or two sentences that sum the page up; shown on cards and in search."),
    )
    lead_ja = models.TextField(_("lead (Japanese)"), blank=True)
    body_en = models.TextField(
        _("body (English)"),
        blank=True,
        help_text=_(
            "Markdown: ## headings, **bold**, *italic*, lists, [links](https://…), > quotes. "
            "Scripts, styles and embedded frames are removed."
        ),
    )
    body_ja = models.TextField(_("body (Japanese)"), blank=True)
    hero_image = models.ImageField(
        _("hero image"),
        upload_to=hero_upload_to,
        blank=True,
        width_field="hero_width",
        height_field="hero_height",
        validators=[
            FileExtensionValidator(["jpg", "jpeg", "png", "webp"]),
            validate_hero_size,
            validate_hero_type,
        ],
        help_text=_(
            "A wide photograph, at least 1200 pixels across (JPEG, PNG or WebP, up to 5 MB)."
        ),
    )
    hero_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    hero_illustration = models.CharField(
        _("illustration"),
        max_length=100,
        choices=HeroIllustration,
        blank=True,
        help_text=_("Used when there is no hero image."),
    )
    hero_alt_en = models.CharField(
        _("image description (English)"),
        max_length=300,
        blank=True,
        help_text=_("What the image shows, for people who cannot see it."),
    )
    hero_alt_ja = models.CharField(_("image description (Japanese)"), max_length=300, blank=True)
    hero_credit_en = models.CharField(_("image credit (English)"), max_length=200, blank=True)
    hero_credit_ja = models.CharField(_("image credit (Japanese)"), max_length=200, blank=True)
    # Publishable's fields, but for two differences: a page has no "approved" state and its
    # editors choose its state in the form (a case's moves only by the workflow's steps), and
    # its publication date is kept from the first publication on, not stamped at each step.
    publication = models.CharField(
        _("publication"), max_length=20, choices=PAGE_PUBLICATION, default=Publication.DRAFT
    )
    published_at = models.DateTimeField(
        _("published at"),
        null=True,
        blank=True,
        help_text=_("Set when the page is first published."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    search_document = models.TextField(
        _("search document"),
        blank=True,
        default="",
        editable=False,
        help_text=_("Its texts in the search normal form; written on save (cases.search)."),
    )

    objects = ShowcasePageQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "pk"]
        verbose_name = _("showcase page")
        verbose_name_plural = _("showcase pages")
        permissions = [("publish_showcasepage", _("Can publish and unpublish showcase pages"))]
        indexes = [
            models.Index(fields=["publication", "-published_at"], name="showcase_listing_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(title_en="") | ~Q(title_ja=""),
                name="showcase_has_a_title",
                violation_error_message=_("Give the page a title in English or Japanese."),
            ),
            models.CheckConstraint(
                condition=~Q(publication=Publication.PUBLISHED) | Q(published_at__isnull=False),
                name="showcase_published_has_date",
                violation_error_message=_("A published page needs a publication date."),
            ),
            models.CheckConstraint(
                condition=Q(publication__in=[value for value, _label in PAGE_PUBLICATION]),
                name="showcase_publication_known",
            ),
            # An image is never shown without a description for people who cannot see it.
            models.CheckConstraint(
                condition=(Q(hero_image="") & Q(hero_illustration=""))
                | ~Q(hero_alt_en="")
                | ~Q(hero_alt_ja=""),
                name="showcase_image_has_alt_text",
                violation_error_message=_(
                    "Describe the image (in English or Japanese) for people who cannot see it."
                ),
            ),
            models.CheckConstraint(
                condition=Q(slug__regex=r"^[a-z0-9]+(-[a-z0-9]+)*$"),
                name="showcase_slug_lowercase",
                violation_error_message=_(
                    "Use lower-case letters, digits and single hyphens in the slug."
                ),
            ),
        ]

    def __str__(self):
        return str(self.title)

    def save(self, *args, **kwargs):
        # Publishing stamps the date once; re-saving a published page keeps its first date.
        if self.publication == Publication.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("showcase:detail", kwargs={"slug": self.slug})

    def clean(self):
        errors = {}
        if self.publication == Publication.PUBLISHED and self.case_id:
            case = self.case
            if case.status != CaseStatus.HELD or not case.is_public:
                errors["publication"] = _(
                    "Only a page about a held, public case can be published: this case is "
                    "not both. Save it as a draft, or make the case public first."
                )
        if (self.hero_image or self.hero_illustration) and not (
            self.hero_alt_en.strip() or self.hero_alt_ja.strip()
        ):
            errors["hero_alt_en"] = _(
                "Describe the image (in English or Japanese) for people who cannot see it."
            )
        if errors:
            raise ValidationError(errors)

    # --- The publishing workflow ------------------------------------------------------------
    # draft → submitted for review (Publishable.submit_for_review) → published, and back to
    # draft. Whether the user may take a step is the caller's check (the admin asks for
    # showcase.publish_showcasepage to publish).

    WORKFLOW_FIELDS = [*Publishable.WORKFLOW_FIELDS, "updated_at"]

    def publish(self, user, *, save: bool = True) -> None:
        """Draft or submitted → published. The page keeps the date it was first published (the
        public list orders by it); published_by names who published it last."""
        if self.publication == Publication.PUBLISHED:
            raise WorkflowError(_("The page is already published."))
        case = self.case
        if case.status != CaseStatus.HELD or not case.is_public:
            raise WorkflowError(
                _(
                    "Only a page about a held, public case can be published: publish the case "
                    "first."
                )
            )
        self.publication = Publication.PUBLISHED
        self.published_at = self.published_at or timezone.now()
        self.published_by = user
        self._stamp(user, save)

    def unpublish(self, user, *, save: bool = True) -> None:
        """Published or submitted → draft."""
        if self.publication == Publication.DRAFT:
            raise WorkflowError(_("The page is already a draft."))
        self.publication = Publication.DRAFT
        self._stamp(user, save)

    # --- Bilingual text in the page language ------------------------------------------------

    @property
    def title(self) -> LocalizedText:
        return localized(self, "title")

    @property
    def lead(self) -> LocalizedText:
        return localized(self, "lead")

    @property
    def body(self) -> LocalizedText:
        return localized(self, "body")

    @property
    def hero_alt(self) -> LocalizedText:
        return localized(self, "hero_alt")

    @property
    def hero_credit(self) -> LocalizedText:
        return localized(self, "hero_credit")

    @property
    def is_public(self) -> bool:
        """Whether the public may see this page (the same test as `.published()`)."""
        return (
            self.publication == Publication.PUBLISHED
            and self.published_at is not None
            and self.case.status == CaseStatus.HELD
            and self.case.is_public
        )

    # --- The hero image ---------------------------------------------------------------------

    @property
    def hero(self) -> "Hero | None":
        """The image to show: the uploaded one, else the chosen illustration, else None."""
        if self.hero_image:
            return Hero(self.hero_image.url, self.hero_width, self.hero_height)
        if self.hero_illustration:
            return Hero(static(self.hero_illustration), *ILLUSTRATION_SIZE)
        return None

    @property
    def og_image(self) -> "Hero":
        """The link-preview card, always 1200 × 630: the illustration's card (drawn offline,
        shipped as a static file), the uploaded image's (cut by the server, `views.og_image`),
        or the portal's own card for a page with no image."""
        if self.hero_image:
            url = reverse("showcase:og-image", kwargs={"slug": self.slug})
        elif self.hero_illustration:
            name = self.hero_illustration.rsplit("/", 1)[-1]
            url = static(f"{OG_CARD_DIR}/{name}")
        else:
            url = static(OG_PORTAL_CARD)
        return Hero(url, *OG_IMAGE_SIZE)


@dataclass(frozen=True)
class Hero:
    url: str
    width: int | None
    height: int | None
