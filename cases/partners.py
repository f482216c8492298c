"""The public partner pages: a directory of the organisations that took part in public cases,
and a page per partner with its cases, districts, themes and years.

A partner is listed only through public cases: one whose cases are all non-public has no page.
Its figures are `cases.stats` over `Filters(partner=..., public=True)`, so they equal
`manage.py case_stats --public --partner <slug>`.
"""

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from cases import stats
from cases.figures.caching import figure_response
from cases.models import Case, CasePartner, Partner, PartnerKind, PartnerRole, State
from cases.normal_form import MAX_QUERY_LENGTH
from cases.search import matching_partners
from grassroots.language import page_language

PARTNERS_PER_PAGE = 50


def public_partners():
    """Partners of at least one public case, each with `case_count` (its public cases)."""
    public = Case.objects.public().values("pk")
    return Partner.objects.annotate(
        case_count=Count("case_roles__case", filter=Q(case_roles__case__in=public), distinct=True)
    ).filter(case_count__gt=0)


@figure_response()
def partner_list(request):
    """The directory: partners by kind and state, searchable, with their public case counts."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    kind = request.GET.get("kind", "")
    state_code = request.GET.get("state", "").upper()
    problems = []
    partners = public_partners().select_related("state")
    if kind:
        if kind in PartnerKind.values:
            partners = partners.filter(kind=kind)
        else:
            problems.append(_("“%(value)s” is not a kind of partner.") % {"value": kind})
            kind = ""
    states = list(State.objects.filter(partners__isnull=False).distinct().order_by("name_en"))
    if state_code:
        if any(state.code == state_code for state in states):
            partners = partners.filter(state__code=state_code)
        else:
            problems.append(
                _("There is no state with the code “%(value)s”.") % {"value": state_code}
            )
            state_code = ""
    if query:
        partners = matching_partners(partners, query)
    partners = partners.order_by("name_en")
    page = Paginator(partners, PARTNERS_PER_PAGE).get_page(request.GET.get("page"))
    by_kind = dict(
        public_partners().values_list("kind").annotate(n=Count("pk", distinct=True)).order_by()
    )
    return render(
        request,
        "cases/partner_list.html",
        {
            "page": page,
            "partners": page.object_list,
            "query": query,
            "kind": kind,
            "state": state_code,
            "kinds": [
                (value, label, by_kind.get(value, 0)) for value, label in PartnerKind.choices
            ],
            "states": sorted(states, key=lambda state: state.name),
            "problems": problems,
        },
    )


def _labelled(rows) -> list[dict]:
    """Figure rows, each with `label` in the page language."""
    key = f"label_{page_language()}"
    return [{**row, "label": row[key]} for row in rows]


@figure_response()
def partner_detail(request, slug: str):
    """One partner: who it is, its public cases (newest first, with its role in each), and the
    districts, themes and fiscal years of those cases; its cases as a download."""
    partner = Partner.objects.select_related("state").filter(slug=slug).first()
    if partner is None:
        if slug != slug.lower():
            return HttpResponseRedirect(
                reverse("cases:partner-detail", kwargs={"slug": slug.lower()})
            )
        raise Http404
    roles = {}
    for case_id, role in CasePartner.objects.filter(partner=partner).values_list(
        "case_id", "role"
    ):
        roles.setdefault(case_id, []).append(PartnerRole(role).label)
    cases = list(Case.objects.public().filter(pk__in=list(roles)).for_listing())
    if not cases:
        raise Http404
    for case in cases:
        case.partner_roles_here = roles[case.pk]
    filters = stats.Filters(partner=partner.slug, public=True)
    regions = _labelled(row for row in stats.region_rows(filters) if row["cases"])
    themes = _labelled(row for row in stats.theme_rows(filters) if row["cases"])
    years = _labelled(stats.fiscal_year_rows(filters))
    query = f"?partner={partner.slug}"
    return render(
        request,
        "cases/partner_detail.html",
        {
            "partner": partner,
            "cases": cases,
            "regions": regions,
            "themes": themes,
            "years": years,
            "year_max": max((row["cases"] for row in years), default=0),
            "query": query,
        },
    )
