"""The public portal's own pages: home, best practices, about, accessibility, robots.txt."""

import io

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db.models import Case as DBCase
from django.db.models import Count, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe
from PIL import Image, UnidentifiedImageError

from cases import stats
from cases.models import Case, CaseStatus, Publication, Revision
from cases.normal_form import MAX_QUERY_LENGTH, terms
from cases.structured_data import case_event
from showcase.filters import ShowcaseFilter
from showcase.illustrations import og_card
from showcase.links import section_urls
from showcase.models import ShowcasePage
from showcase.register import pages as page_register
from showcase.search import KINDS, search_everything
from staff.access import holds_region

PAGES_PER_INDEX_PAGE = 12
HOME_PAGES = 3
RELATED_CASES = 6


@require_safe
def home(request):
    """The front page: the headline figures, straight from the stats module, and the latest
    best practices."""
    pages = ShowcasePage.objects.published().for_cards()[:HOME_PAGES]
    return render(
        request,
        "showcase/home.html",
        {
            "headline": stats.headline(),
            "pages": pages,
            "explore": section_urls(),
            "showcase_index_url": reverse("showcase:index"),
        },
    )


@require_safe
def index(request):
    """Published best practices as cards, filtered by fiscal year, region and theme."""
    filterset = ShowcaseFilter(request.GET or None, queryset=ShowcasePage.objects.published())
    pages = filterset.qs.for_cards()
    paginator = Paginator(pages, PAGES_PER_INDEX_PAGE)
    page_obj = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "showcase/index.html",
        {
            "filter": filterset,
            "page_obj": page_obj,
            "pages": page_obj.object_list,
            "filter_errors": filterset.is_bound and bool(filterset.form.errors),
        },
    )


def related_cases(case: Case, limit: int = RELATED_CASES):
    """Other public cases led by the same region or sharing a theme with `case`, newest
    first. Which ones: those of the same region first, then those sharing the most themes,
    then the newest, up to `limit`; they are then shown in date order, as a reader expects.

    The case's themes must already be loaded (prefetched); this runs one query.
    """
    theme_ids = [theme.pk for theme in case.themes.all()]
    shared = (
        Case.themes.through.objects.filter(case_id=OuterRef("pk"), theme_id__in=theme_ids)
        .values("case_id")
        .annotate(n=Count("theme_id"))
        .values("n")
    )
    chosen = list(
        Case.objects.public()
        .exclude(pk=case.pk)
        .annotate(
            same_region=DBCase(When(region_id=case.region_id, then=1), default=0),
            shared_themes=Coalesce(Subquery(shared), 0),
        )
        .filter(Q(same_region=1) | Q(shared_themes__gt=0))
        .select_related("region", "state")
        .order_by("-same_region", "-shared_themes", "-start_date", "-pk")[:limit]
    )
    return sorted(chosen, key=lambda other: (other.start_date, other.pk), reverse=True)


def may_preview(user, page: ShowcasePage) -> bool:
    """Whether a user may see a page the public cannot: the admin's own rule, so a preview
    shows nobody a page the admin would refuse them (staff with the view permission, and a
    consulate editor only for the cases of their districts: staff.access)."""
    return (
        user.is_active
        and user.is_staff
        and user.has_perm("showcase.view_showcasepage")
        and holds_region(user, page.case.region_id)
    )


@require_safe
def detail(request, slug):
    """One best practice. Staff may preview a page the public cannot see (a draft, or a page
    whose case is not public) when the admin would show it to them; for anyone else such a
    page does not exist."""
    pages = ShowcasePage.objects.for_detail()
    if not request.user.is_staff:
        pages = pages.published()
    page = get_object_or_404(pages, slug=slug)
    if page.is_public:
        return _render_page(request, page, related=related_cases(page.case))
    if not may_preview(request.user, page):
        raise Http404
    response = _render_page(request, page, related=related_cases(page.case), preview=True)
    # A preview must never be cached by a shared cache or indexed.
    response["Cache-Control"] = "private, no-store"
    return response


OG_IMAGE_CACHE_SECONDS = 7 * 24 * 3600


@require_safe
@cache_control(public=True, max_age=24 * 3600)
def og_image(request, slug):
    """The link-preview card (1200 × 630 JPEG) of a public page with an uploaded image, cut
    from the image as the shipped illustrations' cards are. Made once per image and
    remembered: a new upload has a new file name, so a new key."""
    page = get_object_or_404(ShowcasePage.objects.published(), slug=slug)
    if not page.hero_image:
        raise Http404
    key = f"showcase-og:{page.pk}:{page.hero_image.name}"
    data = cache.get(key)
    if data is None:
        try:
            with page.hero_image.open("rb") as upload, Image.open(upload) as picture:
                card = og_card(picture)
        except (OSError, UnidentifiedImageError) as error:
            raise Http404 from error
        buffer = io.BytesIO()
        card.save(buffer, format="JPEG", quality=85, optimize=True)
        data = buffer.getvalue()
        cache.set(key, data, OG_IMAGE_CACHE_SECONDS)
    return HttpResponse(data, content_type="image/jpeg")


@never_cache
def preview(request, pk):
    """Staff see a page (with a pending revision applied, `?revision=<id>`) as the public
    would: a page of their districts' cases, following the admin's district rule."""
    page = get_object_or_404(ShowcasePage.objects.for_detail(), pk=pk)
    if not may_preview(request.user, page):
        raise Http404(_("No such page."))
    reasons = _preview_reasons(page) if not page.is_public else []
    if request.GET.get("revision", "").isdigit():
        revision = get_object_or_404(Revision.objects.of(page), pk=int(request.GET["revision"]))
        data = {k: v for k, v in revision.data.items() if k != "case"}
        page_register.apply(page, data)
        reasons.insert(
            0,
            _("The page as it would look with the revision by %(who)s applied.")
            % {"who": revision.submitted_by or "—"},
        )
    return _render_page(request, page, related=[], preview=True, reasons=reasons)


def _render_page(request, page: ShowcasePage, *, related, preview=False, reasons=None):
    """The best-practice page; a preview says why the public cannot see it, links the admin
    and is kept out of search engines."""
    case = page.case
    response = render(
        request,
        "showcase/detail.html",
        {
            "page": page,
            "case": case,
            "themes": list(case.themes.all()),
            "partner_roles": list(case.partner_roles.all()),
            "related": related,
            "region_url": reverse("cases:region-detail", kwargs={"code": case.region.code}),
            "state_url": reverse("cases:state-detail", kwargs={"code": case.state.code})
            if case.state_id
            else None,
            "preview": preview,
            "preview_reasons": (_preview_reasons(page) if reasons is None else reasons)
            if preview
            else [],
            "admin_url": reverse("admin:showcase_showcasepage_change", args=[page.pk])
            if preview
            else None,
            # Search engines read a public page's event; a preview is not for them.
            "structured_data": None
            if preview
            else case_event(
                case,
                url=request.build_absolute_uri(request.path),
                name=str(page.title),
                description=str(page.lead or page.title),
                image=request.build_absolute_uri(page.og_image.url),
            ),
        },
    )
    if preview:
        response["X-Robots-Tag"] = "noindex"
    return response


def _preview_reasons(page: ShowcasePage) -> list[str]:
    reasons = []
    if page.publication != Publication.PUBLISHED:
        reasons.append(_("The page is not published."))
    if page.case.status != CaseStatus.HELD:
        reasons.append(_("Its case is not marked as held."))
    if not page.case.is_public:
        reasons.append(_("Its case is not public."))
    return reasons


@require_safe
def about(request):
    """What the task force is, what the data is and how it is counted."""
    reconciliation = stats.reconcile().to_dict("records")
    ordered = sorted(reconciliation, key=lambda row: -row["published"])
    totals = [f"{row['published']:,}" for row in ordered]
    return render(
        request,
        "showcase/about.html",
        {
            "headline": stats.headline(),
            "reconciliation": reconciliation,
            "published_totals": " / ".join(totals),
        },
    )


@require_safe
def accessibility(request):
    """The accessibility statement."""
    return render(request, "showcase/accessibility.html")


@require_safe
def robots_txt(request):
    """Crawlers may read the public pages, not the admin; the sitemap lists what there is."""
    lines = [
        "User-agent: *",
        "Disallow: /en/admin/",
        "Disallow: /ja/admin/",
        "Disallow: /i18n/",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


SEARCH_LIMIT = 10
SEARCH_LIMIT_ONE_KIND = 200


@require_safe
def search(request):
    """The site search: cases, best practices, partners, districts and states matching the
    query, grouped by kind with their counts; `kind=` lists more of one kind."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    kind = request.GET.get("kind")
    if kind not in KINDS:
        kind = None
    groups = []
    if terms(query):
        groups = search_everything(
            query, SEARCH_LIMIT, more=kind, more_limit=SEARCH_LIMIT_ONE_KIND
        )
    return render(
        request,
        "showcase/search.html",
        {
            "query": query,
            "groups": groups,
            "total": sum(group.count for group in groups),
            "kind": kind,
        },
    )
