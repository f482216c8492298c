"""The register's vocabulary, loaded once per file so planning a row costs no query: regions,
states, counties, themes, the choices' spellings, each region's district, partners (when the
file names any) and the cases the file is about.
"""

import re
from collections.abc import Iterable

from cases.models import (
    Case,
    CaseFormat,
    CaseStatus,
    County,
    Jurisdiction,
    Partner,
    PartnerRole,
    Region,
    State,
    Theme,
)
from exchange.columns import normalise_header
from exchange.importing.cells import choice_lookup

# Existing cases are looked up this many references or IDs per query.
CHUNK = 500


class Lookups:
    """What planning looks up, loaded once per file (partners only if a row names one)."""

    def __init__(self):
        self.regions = {r.code.casefold(): r for r in Region.objects.all()}
        self.states = {s.code.upper(): s for s in State.objects.all()}
        self.themes = {t.slug.casefold(): t for t in Theme.objects.all()}
        self.formats = choice_lookup(CaseFormat.choices)
        self.statuses = choice_lookup(CaseStatus.choices)
        self.roles = choice_lookup(PartnerRole.choices)
        self._partners = None
        self.districts, self.split_states = _districts()
        self.counties = _counties()

    @property
    def partners(self) -> tuple[dict, dict, dict]:
        """Partners by exact English name, by folded English name and by Japanese name (the
        last two as lists, since those may be shared); loaded on first use."""
        if self._partners is None:
            exact, folded, japanese = {}, {}, {}
            for partner in Partner.objects.only("pk", "name_en", "name_ja", "kind"):
                exact[partner.name_en] = partner
                folded.setdefault(partner.name_en.casefold(), []).append(partner)
                if partner.name_ja:
                    japanese.setdefault(partner.name_ja, []).append(partner)
            self._partners = (exact, folded, japanese)
        return self._partners

    def find_partner(self, name: str) -> Partner | None:
        """The partner of this English name, else the only one of this name folded or in
        Japanese; None when there is none or the name is ambiguous."""
        exact, folded, japanese = self.partners
        if name in exact:
            return exact[name]
        for table, key in ((folded, name.casefold()), (japanese, name)):
            found = table.get(key, [])
            if len(found) == 1:
                return found[0]
        return None

    def find_county(self, name: str, state_code: str) -> County | None:
        """The county of this FIPS code, or of this name (with or without "County" or 郡, in
        either language) in the state."""
        return self.counties.get(name.strip()) or self.counties.get(
            (state_code, normalise_header(name))
        )

    def existing_cases(self, refs: Iterable[str], ids: Iterable[int]) -> tuple[dict, dict]:
        """The stored cases of these references and IDs, with what planning reads of them:
        {external_ref: case} and {pk: case}."""
        by_ref, by_id = {}, {}
        base = Case.objects.select_related("region", "state", "county__state").prefetch_related(
            "themes", "partner_roles"
        )
        refs, ids = sorted(set(refs)), sorted(set(ids))
        # The blank reference is left out in so many words: it is what lets PostgreSQL read a
        # long list of references from the partial unique index (case_external_ref_unique)
        # instead of scanning the whole table for every chunk.
        with_ref = base.exclude(external_ref="")
        for start in range(0, len(refs), CHUNK):
            for case in with_ref.filter(external_ref__in=refs[start : start + CHUNK]):
                by_ref[case.external_ref] = case
        for start in range(0, len(ids), CHUNK):
            for case in base.filter(pk__in=ids[start : start + CHUNK]):
                by_id[case.pk] = case
        return by_ref, by_id


def _districts() -> tuple[dict[int, set[str]], set[str]]:
    """Each region's district as state codes, and the states split between districts, for the
    district rule without a query a row."""
    districts: dict[int, set[str]] = {}
    held_by: dict[str, int] = {}
    for region_id, code in Jurisdiction.objects.values_list("region_id", "state__code"):
        districts.setdefault(region_id, set()).add(code)
        held_by[code] = held_by.get(code, 0) + 1
    return districts, {code for code, count in held_by.items() if count > 1}


def _counties() -> dict:
    """Counties by FIPS code and by (state code, folded name, with or without "County")."""
    counties: dict = {}
    for county in County.objects.select_related("state", "region"):
        counties[county.fips] = county
        for name in (county.name_en, county.name_ja):
            for form in {name, re.sub(r"(?i)\s*county$|郡$", "", name)}:
                counties[(county.state.code, normalise_header(form))] = county
    return counties
