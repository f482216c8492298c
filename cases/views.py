"""The public case pages: the case browser, a case, the regions and the states.

Every figure on these pages comes from `cases.stats`; lists use `Case.objects.public()`, so a
non-public or not-held case is never shown (it still counts in the figures).
"""

from django.apps import apps
from django.db.models import Prefetch
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from cases import places, rules, stats
from cases.figures import provenance, reference
from cases.figures.caching import figure_response
from cases.figures.charts import build_charts
from cases.filters import CaseFilter, redirect_old_spellings
from cases.listing import (
    NEWEST,
    ListCount,
    ListPaginator,
    by_region,
    list_counts,
    list_depth,
    order_for,
)
from cases.models import (
    Case,
    CasePartner,
    Jurisdiction,
    Partner,
    PartnerRole,
    Region,
    Revision,
    State,
    StateKind,
    Theme,
)
from cases.register import cases as cases_register
from cases.structured_data import case_event
from grassroots.language import is_japanese, page_language
from staff.access import can_report, holds_region

PAGE_SIZE = 20


# The case browser's filters that take several values, each option with its count.
FACETS = ("region", "state", "theme", "format", "partner_kind")
RECENT_CASES = 6


# --- helpers ----------------------------------------------------------------------------------


def _rows(frame) -> list[dict]:
    """A stats frame as a list of dicts, each with `label` in the page language."""
    label = "label_ja" if is_japanese() else "label_en"
    return [{**row, "label": row[label]} for row in frame.to_dict("records")]


def _largest(rows) -> int:
    return max((row["cases"] for row in rows), default=0)


def showcase_urls(cases) -> dict[int, str]:
    """The published showcase page of each case that has one, as {case id: URL}.

    One query at most. (The model is looked up by name: showcase is an app above this one.)
    """
    ids = [case.pk for case in cases]
    if not ids:
        return {}
    page_model = apps.get_model("showcase", "ShowcasePage")
    pages = page_model.objects.published().filter(case_id__in=ids).values_list("case_id", "slug")
    return {case_id: reverse("showcase:detail", kwargs={"slug": slug}) for case_id, slug in pages}


def _charts(filters: stats.Filters, counts: stats.Counts | None = None) -> dict:
    """The fiscal-year and theme charts for these filters, as the dashboard draws them."""
    fiscal_year, theme = build_charts(["fiscal-year", "theme"], filters, counts)
    return {"fiscal_year": fiscal_year, "theme": theme}


def _with_showcase(cases) -> list:
    """The cases as a list, each with `showcase_url` (None without a published page)."""
    cases = list(cases)
    urls = showcase_urls(cases)
    for case in cases:
        case.showcase_url = urls.get(case.pk)
    return cases


def _whole_register(**codes) -> stats.Filters:
    """Filters for a region or state page over the register's whole span, FY2017 to the
    latest fiscal year with a case anywhere: a place with no case in a year shows that year
    with zero, instead of a period silently shortened to its own first and last cases."""
    latest = stats.headline().latest_fy
    if latest is None:
        return stats.Filters(**codes)
    return stats.Filters(from_fy=rules.FIRST_FISCAL_YEAR, to_fy=latest, **codes)


# --- the case browser -------------------------------------------------------------------------


@redirect_old_spellings
@figure_response()
def case_list(request):
    """Public cases, filtered, sorted and paginated by the query string alone."""
    shorter = _without_empty_fields(request)
    if shorter is not None:
        return shorter
    filterset = CaseFilter(request.GET, queryset=Case.objects.public().for_listing())
    filters = filterset.stats_filters()
    cases = filterset.qs
    asked = filterset.form.cleaned_data.get("sort") or "newest"
    sort, sort_notice, reached = asked, None, None
    if asked == "region" and (ordered := by_region(cases, filters)):
        paginator = ListPaginator(
            ordered, PAGE_SIZE, counted=ListCount(ordered.count()), depth=list_depth(filters)
        )
    else:
        # Counted once, as far as the option counts need to know too (_count_options).
        counted, reached = list_counts(cases, filters, reach=option_count_limit(filters))
        sort = order_for(filters, counted, asked)
        if sort != asked:
            cases = cases.order_by(*NEWEST)
            sort_notice = _(
                "This search has more than %(depth)s cases, so they are listed newest first: "
                "narrow it to sort them by title or by region."
            ) % {"depth": f"{list_depth(filters):,}"}
        paginator = ListPaginator(cases, PAGE_SIZE, counted=counted, depth=list_depth(filters))
    page, page_notice = _page(paginator, request.GET.get("page"))
    counted = _count_options(filterset.form, filters, reached)
    active = filterset.active_filters()
    return render(
        request,
        "cases/case_list.html",
        {
            "form": filterset.form,
            "active_filters": active,
            # Each filter value named once: from=2024&to=2024 is "FY2024", not "FY2024, FY2024".
            "title_values": list(dict.fromkeys(item.value for item in active if item.valid)),
            "page": page,
            "cases": _with_showcase(page.object_list),
            "page_range": paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1),
            "page_notice": page_notice,
            "sort_notice": sort_notice,
            "sort": sort,
            "sort_choices": filterset.filters["sort"].extra["choices"],
            "open_facets": {name for name in FACETS if request.GET.getlist(name)},
            "facet_names": FACETS,
            "public_total": counted["public_total"],
            "held_total": counted["held_total"],
            "uncounted_facets": counted["uncounted"],
            "facet_count_limit": option_count_limit(filters),
        },
    )


def _without_empty_fields(request):
    """A GET form sends every field, empty or not: a redirect to the shared URL of the filters
    in use, or None when the query has no empty field."""
    pairs = [(key, value) for key, values in request.GET.lists() for value in values]
    if all(value != "" for _key, value in pairs):
        return None
    kept = [(key, value) for key, value in pairs if value != ""]
    return HttpResponseRedirect(request.path + (f"?{urlencode(kept)}" if kept else ""))


def _page(paginator, asked: str | None):
    """The page asked for (the nearest one if there is no such page) and, then, a notice."""
    page = paginator.get_page(asked)
    if paginator.capped and page.number == paginator.num_pages:
        return page, _(
            "Lists are shown page by page up to their first %(depth)s cases: narrow the "
            "filters, or download the list (CSV, Excel or JSON) to have every case."
        ) % {"depth": f"{paginator.depth:,}"}
    if asked is None or asked == str(page.number):
        return page, None
    notice = _("There is no page “%(asked)s”; this is page %(page)s of %(pages)s.") % {
        "asked": asked,
        "page": page.number,
        "pages": paginator.num_pages,
    }
    return page, notice


# Option counts the tallies cannot give are counted from the case table for lists of at most
# this many cases (stats.facets): every list of the register as it is (1,292 cases), but not a
# search that matches a hundred thousand cases of a million.
FACET_COUNT_LIMIT = 2_000


def option_count_limit(filters: stats.Filters) -> int:
    """The most cases a list may have for its options to be counted from the case table:
    FACET_COUNT_LIMIT, and for a text search no more than it lists (its depth, 1,000). A
    search with more matches is too broad to be sorted by title or region or paged to its end
    (cases.listing), and to be counted option by option: one count up to its depth then
    answers both questions (at a million cases, a common word's count to 2,000 took 32 ms,
    to 1,000 half of it)."""
    return min(FACET_COUNT_LIMIT, list_depth(filters))


def _count_options(form, filters: stats.Filters, counted: ListCount | None = None) -> dict:
    """Put each option's count (cases under the other filters) into the form's labels, and
    narrow the states to those of the chosen districts (and the states already chosen). A
    filter whose counts would cost too much (option_count_limit) shows its options bare.
    `counted`: the list's cases, when counted already."""
    facets = stats.facets(filters, FACETS, limit=option_count_limit(filters), counted=counted)
    for name in FACETS:
        field = form.fields[name]
        if hasattr(field, "count"):
            field.count(facets[name])
        else:
            field.counts = facets[name]
    if filters.regions:
        if facets["state"] is not None:
            in_scope = {code for code in facets["state"] if code}
        else:
            in_scope = set().union(*(reference.district(code) for code in filters.regions))
        in_scope |= set(filters.states)
        form.fields["state"].only = in_scope
    return {
        "public_total": stats.total(stats.Filters(public=True)),
        "held_total": stats.total(),
        "uncounted": {name for name in FACETS if facets[name] is None},
    }


@figure_response()
def case_detail(request, pk: int):
    """One public, held case; any other id is a 404."""
    case = get_object_or_404(
        Case.objects.public()
        .select_related("region", "state")
        .prefetch_related(
            "themes",
            Prefetch(
                "partner_roles",
                queryset=CasePartner.objects.select_related("partner").order_by(
                    "partner__name_en"
                ),
            ),
        ),
        pk=pk,
    )
    role_order = {role: index for index, role in enumerate(PartnerRole.values)}
    partner_roles = sorted(case.partner_roles.all(), key=lambda item: role_order[item.role])
    others = Case.objects.public().for_region(case.region).exclude(pk=case.pk).for_listing()[:3]
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "partner_roles": partner_roles,
            "showcase_url": showcase_urls([case]).get(case.pk),
            "others": others,
            "structured_data": case_event(case, url=request.build_absolute_uri(request.path)),
        },
    )


@never_cache
def case_preview(request, pk: int):
    """Staff see a case (with a pending revision applied, `?revision=<id>`) as the public would:
    any case of their districts, following the admin's district rule. Never cached."""
    user = request.user
    if not (user.is_active and user.is_staff and user.has_perm("cases.view_case")):
        raise Http404(_("No such case."))
    case = get_object_or_404(Case.objects.select_related("region", "state"), pk=pk)
    if not holds_region(user, case.region_id):
        raise Http404(_("No such case."))
    revision = None
    if request.GET.get("revision", "").isdigit():
        revision = get_object_or_404(Revision.objects.of(case), pk=int(request.GET["revision"]))
        cases_register.apply(case, revision.data)
        case.region = Region.objects.get(pk=case.region_id)
        case.state = State.objects.filter(pk=case.state_id).first()
    themes = revision.data.get("themes") if revision else None
    themes = Theme.objects.filter(pk__in=themes) if themes is not None else case.themes.all()
    partner_roles = _previewed_partners(case, revision)
    case._prefetched_objects_cache = {"themes": themes}
    response = render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "partner_roles": partner_roles,
            "showcase_url": None,
            "others": [],
            "preview": True,
            "revision": revision,
        },
    )
    response["X-Robots-Tag"] = "noindex"
    return response


def _previewed_partners(case, revision) -> list:
    """The case's partners with their roles, as the revision (if it names them) would make
    them, in the order of the case page."""
    if revision is not None and "partners" in revision.data:
        partners = {
            p.pk: p
            for p in Partner.objects.filter(pk__in=[r[0] for r in revision.data["partners"]])
        }
        partner_roles = [
            CasePartner(case=case, partner=partners[pid], role=role)
            for pid, role in revision.data["partners"]
            if pid in partners
        ]
    else:
        partner_roles = list(case.partner_roles.select_related("partner"))
    role_order = {role: index for index, role in enumerate(PartnerRole.values)}
    partner_roles.sort(key=lambda item: (role_order[item.role], item.partner.name_en))
    return partner_roles


# --- regions ----------------------------------------------------------------------------------


@figure_response()
def region_list(request):
    """The 17 regions (consular districts), their states and their cumulative case counts."""
    regions = Region.objects.order_by("sort_order", "code").prefetch_related(
        Prefetch(
            "jurisdictions",
            queryset=Jurisdiction.objects.select_related("state").order_by("state__name_en"),
        )
    )
    counts = dict(stats.by_region()[["key", "cases"]].itertuples(index=False))
    regions = list(regions)
    for region in regions:
        region.case_count = counts.get(region.code, 0)
    return render(
        request,
        "cases/region_list.html",
        {"regions": regions, "total": sum(counts.values())},
    )


@figure_response()
def region_detail(request, code: str):
    """One region: its mission, its district's states and its figures, and its public cases."""
    region = get_object_or_404(Region, code=code)
    filters = _whole_register(region=region.code)
    counts = stats.Counts(filters)  # one read of the tallies for every figure below

    # Every jurisdiction of the district's states, this region's and the other district's
    # for a split state (CA, CT, ID), in one query.
    shared = Jurisdiction.objects.filter(state__jurisdictions__region=region).select_related(
        "state", "region"
    )
    notes, partners = {}, {}
    for jurisdiction in shared:
        if jurisdiction.region_id == region.pk:
            notes[jurisdiction.state.code] = jurisdiction
        else:
            partners.setdefault(jurisdiction.state.code, []).append(jurisdiction.region)
    states = _rows(stats.by_state(filters, counts))
    district = sorted((j.state for j in notes.values()), key=lambda state: state.name)
    for row in states:
        row["jurisdiction"] = notes.get(row["key"])
        row["shared_with"] = partners.get(row["key"], [])

    public = Case.objects.public().for_region(region).for_listing()
    fiscal_years = _rows(stats.by_fiscal_year(filters, counts))
    charts = _charts(filters, counts)
    # The theme chart carries its own table; without it the page shows one of its own.
    themes = (
        [] if charts else [row for row in _rows(stats.by_theme(filters, counts)) if row["cases"]]
    )
    return render(
        request,
        "cases/region_detail.html",
        {
            "region": region,
            "district_lead": places.district_lead(region, district),
            "total": stats.total(filters, counts),
            "states": states,
            "fiscal_years": fiscal_years,
            "fiscal_year_max": _largest(fiscal_years),
            "themes": themes,
            "theme_max": _largest(themes),
            "recent": list(public[:RECENT_CASES]),
            "best_practices": _with_showcase(public.filter(is_best_practice=True)[:RECENT_CASES]),
            "charts": charts,
            "browse_query": urlencode({"region": region.code}),
            "report_url": _report_url(request, region),
            "page_data_date": provenance.date_label(provenance.data_date(region=region.code)),
            **_comparison_links(region.code, fiscal_years),
        },
    )


def _comparison_links(code: str, fiscal_years: list[dict]) -> dict:
    """Links to the comparison page: this district's latest fiscal year with cases beside the
    year before, and this district beside the next one in the reference order."""
    compare = reverse("dashboard:compare")
    held = [row["key"] for row in fiscal_years if row["cases"]]
    links = {"compare_years_url": None}
    if held and not stats.Filters(from_fy=held[-1] - 1).problems():
        query = {"by": "fiscal-year", "a": held[-1] - 1, "b": held[-1], "region": code}
        links["compare_years_url"] = f"{compare}?{urlencode(query)}"
    codes = [item.key for item in reference.regions().items]
    other = codes[(codes.index(code) + 1) % len(codes)] if code in codes else codes[0]
    query = {"by": "region", "a": code, "b": other}
    links["compare_regions_url"] = f"{compare}?{urlencode(query)}"
    return links


def _report_url(request, region) -> str | None:
    """The staff report on this district, for staff who may make it (never cached: a signed-in
    visitor's page is made for them)."""
    user = request.user
    if not (user.is_authenticated and can_report(user) and holds_region(user, region.pk)):
        return None
    return reverse("admin:reports_region") + "?" + urlencode({"region": region.code})


# --- states -----------------------------------------------------------------------------------


STATE_GROUPS = [
    (StateKind.STATE, "states"),
    (StateKind.DISTRICT, "district"),
    (StateKind.TERRITORY, "territories"),
]


@figure_response()
def state_list(request):
    """All 56 states, DC and territories with their districts and cumulative case counts."""
    states = State.objects.prefetch_related(
        Prefetch(
            "jurisdictions",
            queryset=Jurisdiction.objects.select_related("region").order_by("region__sort_order"),
        )
    )
    frame = stats.by_state()
    counts = {row["key"]: row["cases"] for row in frame.to_dict("records")}
    states = sorted(states, key=lambda state: state.name)
    for state in states:
        state.case_count = counts.get(state.code, 0)
    titles = {
        StateKind.STATE: _("States"),
        StateKind.DISTRICT: _("Federal district"),
        StateKind.TERRITORY: _("Territories"),
    }
    groups = [
        {
            "id": anchor,
            "title": titles[kind],
            "states": [state for state in states if state.kind == kind],
        }
        for kind, anchor in STATE_GROUPS
    ]
    return render(
        request,
        "cases/state_list.html",
        {
            "groups": groups,
            "largest": max((state.case_count for state in states), default=0),
            "no_state": counts.get(None, 0),
            "total": sum(counts.values()),
        },
    )


@figure_response()
def state_detail(request, code: str):
    """One state: the district(s) that hold it, its figures and its public cases."""
    if code != code.upper():
        query = request.META.get("QUERY_STRING")
        url = reverse("cases:state-detail", kwargs={"code": code.upper()})
        return redirect(f"{url}?{query}" if query else url, permanent=True)
    state = get_object_or_404(State, code=code)
    jurisdictions = list(
        state.jurisdictions.select_related("region").order_by("region__sort_order")
    )
    filters = _whole_register(state=state.code)
    counts = stats.Counts(filters)  # one read of the tallies for every figure below

    by_region = []
    if len(jurisdictions) > 1:
        found = {row["key"]: row["cases"] for row in stats.region_rows(filters, counts)}
        by_region = [
            {"jurisdiction": j, "cases": found.get(j.region.code, 0)} for j in jurisdictions
        ]

    public = Case.objects.public().filter(state=state).for_listing()
    fiscal_years = _rows(stats.by_fiscal_year(filters, counts))
    charts = _charts(filters, counts)
    # The theme chart carries its own table; without it the page shows one of its own.
    themes = (
        [] if charts else [row for row in _rows(stats.by_theme(filters, counts)) if row["cases"]]
    )
    return render(
        request,
        "cases/state_detail.html",
        {
            "state": state,
            "jurisdictions": jurisdictions,
            "is_split": len(jurisdictions) > 1,
            "by_region": by_region,
            "total": stats.total(filters, counts),
            "fiscal_years": fiscal_years,
            "fiscal_year_max": _largest(fiscal_years),
            "themes": themes,
            "theme_max": _largest(themes),
            "recent": list(public[:RECENT_CASES]),
            "best_practices": _with_showcase(public.filter(is_best_practice=True)[:RECENT_CASES]),
            "charts": charts,
            "browse_query": urlencode({"state": state.code}),
        },
    )


# --- how we count -----------------------------------------------------------------------------


@figure_response()
def how_we_count(request):
    """The one page that says what every figure counts, linked from each chart and list."""
    return render(
        request,
        "cases/how_we_count.html",
        {
            "held_total": stats.total(),
            "public_total": stats.total(stats.Filters(public=True)),
            "reconciliation": [
                {**row, "label": row[f"label_{page_language()}"]}
                for row in stats.reconcile().to_dict("records")
            ],
        },
    )
