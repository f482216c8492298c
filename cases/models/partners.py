"""Partners: the organisations a case works with."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cases.models.reference import BilingualNameMixin, State


class PartnerKind(models.TextChoices):
    STATE_LOCAL_GOVERNMENT = "government", _("State or local government")
    FEDERAL_AGENCY = "federal", _("Federal agency")
    CHAMBER = "chamber", _("Chamber or business association")
    UNIVERSITY = "university", _("University or research institute")
    JAPANESE_COMPANY = "japanese-company", _("Japanese company")
    US_COMPANY = "us-company", _("US company")
    STARTUP = "startup", _("Start-up")
    AIRPORT_PORT = "airport-port", _("Airport or port authority")
    NONPROFIT = "nonprofit", _("Non-profit or Japan-America Society")
    PROFESSIONAL = "professional", _("Professional association")
    OTHER = "other", _("Other")


class Partner(BilingualNameMixin, models.Model):
    """An organisation that co-hosts, speaks at, sponsors or takes part in cases."""

    name_en = models.CharField(_("name (English)"), max_length=200, unique=True)
    name_ja = models.CharField(_("name (Japanese)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=PartnerKind)
    state = models.ForeignKey(
        State,
        verbose_name=_("state"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="partners",
    )
    website = models.URLField(_("website"), blank=True)
    slug = models.SlugField(
        _("slug"),
        max_length=220,
        unique=True,
        blank=True,
        help_text=_("The address of its public page; made from the English name when left blank."),
    )
    search_document = models.TextField(
        _("search document"),
        blank=True,
        default="",
        editable=False,
        help_text=_("Its texts in the search normal form; written on save (cases.search)."),
    )

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = partner_slug(self.name_en, Partner.objects.exclude(pk=self.pk))
        super().save(*args, **kwargs)


def partner_slug(name_en: str, others) -> str:
    """A slug for a partner's page from its English name, unique among `others` (a queryset
    of partners): greater-miami-chamber-of-commerce, then -2, -3... if taken."""
    from django.utils.text import slugify

    stem = slugify(name_en)[:200] or "partner"
    taken = set(others.filter(slug__startswith=stem).values_list("slug", flat=True))
    slug, n = stem, 1
    while slug in taken:
        n += 1
        slug = f"{stem}-{n}"
    return slug
