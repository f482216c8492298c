"""Writing the demonstration data set: `load_demo_data()` brings the register up to date with it.

It loads the reference data, checks the demo set against it, then compares with what exists:
missing rows are created, differing rows updated, demo cases no longer in the set deleted, and
the rest left alone, so a second run changes nothing (not even `updated_at`). Every case is
marked `origin=demo`. Cases go through the register's write service in one bulk call
(`cases.register.cases.save_many`), like any other writer; partners, which the service does not
write, are written here in bulk and recorded in the audit trail.
"""

from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction

from audit import recorder
from cases import rules
from cases.models import (
    Case,
    CaseOrigin,
    CaseStatus,
    County,
    Jurisdiction,
    Partner,
    Publication,
    Region,
    State,
    Theme,
    partner_slug,
)
from cases.normal_form import document
from cases.reference import load_reference_data
from cases.register import Change, cases
from demo.generator import DemoDataError, DemoSet, Names, build_demo_set
from demo.tables import CaseSpec, PartnerSpec, tables

PARTNER_FIELDS = ["name_ja", "kind", "state_id", "website", "search_document"]


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    deleted: int = 0


@dataclass
class DemoResult:
    partners: Counts
    cases: Counts


@dataclass(frozen=True)
class _Keys:
    """Primary keys of the reference rows, by code, slug or name."""

    regions: dict
    states: dict
    themes: dict
    counties: dict

    @classmethod
    def from_db(cls) -> "_Keys":
        return cls(
            regions=dict(Region.objects.values_list("code", "pk")),
            states=dict(State.objects.values_list("code", "pk")),
            themes=dict(Theme.objects.values_list("slug", "pk")),
            counties=dict(County.objects.values_list("fips", "pk")),
        )


# --- Checks -----------------------------------------------------------------------------------


def _districts() -> dict[str, set[str]]:
    district = defaultdict(set)
    for region_code, state_code in Jurisdiction.objects.values_list("region__code", "state__code"):
        district[region_code].add(state_code)
    return district


def _case_problem(spec: CaseSpec, keys: _Keys, district: dict, partner_names: set) -> str:
    """What is wrong with a demo case against the reference data ("" if nothing)."""
    if spec.region not in keys.regions:
        return f"unknown region {spec.region}"
    if not rules.state_in_district(spec.state, district[spec.region]):
        return f"{spec.state} is not in {spec.region}'s district"
    unknown_themes = [slug for slug in spec.themes if slug not in keys.themes]
    if unknown_themes:
        return f"unknown theme {unknown_themes[0]}"
    unknown_partners = [name for name, _role in spec.partners if name not in partner_names]
    if unknown_partners:
        return f"unknown partner {unknown_partners[0]}"
    return ""


def _validate(demo: DemoSet, keys: _Keys) -> None:
    """Check the demo set against the reference data before writing anything."""
    district = _districts()
    for region_code, rows in tables().districts.items():
        outside = sorted({code for code, _w, _c in rows} - district[region_code])
        if outside:
            raise DemoDataError(
                f"The demo table puts {', '.join(outside)} in {region_code}'s district; the "
                "reference data does not."
            )
    partner_names = {p.name_en for p in demo.partners}
    for spec in demo.cases:
        problem = _case_problem(spec, keys, district, partner_names)
        if problem:
            raise DemoDataError(f"{spec.external_ref}: {problem}.")
    for partner in demo.partners:
        if partner.state is not None and partner.state not in keys.states:
            raise DemoDataError(f"{partner.name_en}: unknown state {partner.state}.")


# --- Partners ---------------------------------------------------------------------------------


def _slug(name_en: str) -> str:
    # bulk_create skips save(): the slug is made here (demo names are distinct after slugify).
    return partner_slug(name_en, Partner.objects.none())


def _partner_values(spec: PartnerSpec, states: dict) -> dict:
    return {
        "name_ja": spec.name_ja,
        "kind": str(spec.kind),
        "state_id": states[spec.state] if spec.state else None,
        "website": spec.website,
        "search_document": document(spec.name_en, spec.name_ja),
    }


def _sync_partners(specs: list[PartnerSpec], states: dict) -> tuple[dict[str, int], Counts]:
    counts = Counts()
    names = [s.name_en for s in specs]
    existing = {p.name_en: p for p in Partner.objects.filter(name_en__in=names)}
    to_create, to_update = [], []
    for spec in specs:
        values = _partner_values(spec, states)
        partner = existing.get(spec.name_en)
        if partner is None:
            to_create.append(Partner(name_en=spec.name_en, slug=_slug(spec.name_en), **values))
        elif any(getattr(partner, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(partner, f, v)
            to_update.append(partner)
        else:
            counts.unchanged += 1
    Partner.objects.bulk_create(to_create)
    Partner.objects.bulk_update(to_update, PARTNER_FIELDS)
    counts.created, counts.updated = len(to_create), len(to_update)
    ids = dict(Partner.objects.filter(name_en__in=names).values_list("name_en", "pk"))
    # The bulk writes bypass the audit's signals: record them in the audit trail here.
    # record_bulk reads the rows itself: the instances only name the model and the key.
    recorder.record_bulk("create", [Partner(pk=ids[p.name_en]) for p in to_create])
    recorder.record_bulk("change", to_update)
    return ids, counts


# --- Cases ------------------------------------------------------------------------------------


def _demo_publication(spec: CaseSpec) -> Publication:
    # Demo cases went through review: the public ones were published, the other held ones
    # approved (counted, not listed); the rest are drafts.
    if spec.is_public:
        return Publication.PUBLISHED
    return Publication.APPROVED if spec.status == CaseStatus.HELD else Publication.DRAFT


def _case_values(spec: CaseSpec, keys: _Keys) -> dict:
    """The case's fields as the register stores them."""
    return {
        "title_en": spec.title_en,
        "title_ja": spec.title_ja,
        "summary_en": spec.summary_en,
        "summary_ja": spec.summary_ja,
        "start_date": spec.start_date,
        "end_date": spec.end_date,
        "region_id": keys.regions[spec.region],
        "state_id": keys.states[spec.state] if spec.state else None,
        "county_id": keys.counties[spec.county] if spec.county else None,
        "city_en": spec.city_en,
        "city_ja": spec.city_ja,
        "format": str(spec.format),
        "participants": spec.participants,
        "status": str(spec.status),
        "is_public": spec.is_public,
        "publication": _demo_publication(spec).value,
        "is_best_practice": spec.is_best_practice,
        "origin": CaseOrigin.DEMO.value,
    }


def _existing_cases(refs: list[str]) -> tuple[dict[str, Case], list[Case]]:
    """({reference: case} of the demo set's cases already written, [stale demo cases]).

    Raises DemoDataError if a case that is not demo data holds one of the references.
    """
    wanted = set(refs)
    found = list(
        Case.objects.filter(origin=CaseOrigin.DEMO) | Case.objects.filter(external_ref__in=refs)
    )
    existing = {c.external_ref: c for c in found if c.external_ref in wanted}
    intruders = sorted(r for r, c in existing.items() if c.origin != CaseOrigin.DEMO)
    if intruders:
        raise DemoDataError(
            "These external references belong to cases that are not demo data: "
            + ", ".join(intruders[:10])
        )
    return existing, [c for c in found if c.external_ref not in wanted]


def _change(spec: CaseSpec, case: Case | None, keys: _Keys, partners: dict) -> Change:
    """The register's change that makes `case` (None: a new one) what `spec` says."""
    values = _case_values(spec, keys)
    if case is None:
        case = Case(external_ref=spec.external_ref, **values)
    else:
        for name, value in values.items():
            setattr(case, name, value)
    collections = {
        "themes": [keys.themes[slug] for slug in spec.themes],
        "partners": [[partners[name], str(role)] for name, role in spec.partners],
    }
    return Change(case, collections)


def _sync_cases(specs: list[CaseSpec], keys: _Keys, partners: dict) -> Counts:
    existing, stale = _existing_cases([s.external_ref for s in specs])
    changes = [
        _change(spec, existing.get(spec.external_ref), keys, partners)
        for spec in sorted(specs, key=lambda s: (s.start_date, s.external_ref))
    ]
    # One call of the register's bulk form: the rules, the audit entries and the figures as
    # for any other writer; unchanged cases are left alone, so a second run changes nothing.
    result = cases.save_many(None, changes, delete=stale, source="command", note="load_demo")
    return Counts(
        created=len(result.created),
        updated=len(result.updated),
        unchanged=len(result.unchanged),
        deleted=result.deleted,
    )


def load_demo_data() -> DemoResult:
    """Load the reference data, then bring the demo set in the database up to date.

    One transaction: either everything is written or nothing is.
    """
    with transaction.atomic():
        load_reference_data()
        keys = _Keys.from_db()
        demo = build_demo_set(Names.from_db())
        _validate(demo, keys)
        partner_ids, partner_counts = _sync_partners(demo.partners, keys.states)
        case_counts = _sync_cases(demo.cases, keys, partner_ids)
    return DemoResult(partners=partner_counts, cases=case_counts)
