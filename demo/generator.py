"""The demonstration data set, generated: a reproducible synthetic register that adds up to the
published figures.

`build_demo_set()` makes, from the tables of fixtures/demo/ (`demo.tables`):

- synthetic HELD cases, FY2017 to FY2024, whose totals equal the two published figures exactly
  (1,292 from FY2017 to FY2024, 104 of them in FY2024). Everything else about them (the split
  over the years before FY2024, regions, states, cities, themes, partners, titles) is invented
  and must not be read as official;
- the three real FY2024 best practices, with the facts the task force published;
- drafts, planned FY2025 cases and cancelled cases, which the figures never count.

Every case carries a stable `external_ref`; demo partners are known by their English name
(unique). The set is generated from a fixed seed with a private `random.Random`, never the
global generator and never today's date, so every call builds the same set: the same cases in
the same order with the same choices (`tests/test_demo_data.py` pins its digest).
`demo.writer` writes it.
"""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass

from cases import rules
from cases.models import CaseFormat, CaseStatus, PartnerKind, PartnerRole, Region, State
from demo.tables import CaseSpec, PartnerSpec, Subject, Tables, tables

# The only official figures (the task force's Document 1): held cases in FY2024 and in
# FY2017-FY2024. They are also in fixtures/published_figures.json, which the stats module
# reconciles against; the per-year split in fixtures/demo/generation.json must add up to them.
PUBLISHED_FY2024 = 104
PUBLISHED_FY2017_TO_FY2024 = 1292

# How many partners a case has (1, 2 or 3), and how likely each role is for each kind of
# partner: companies speak, sponsor or take part; federal agencies speak; the first of the
# others usually co-hosts.
PARTNER_COUNT_WEIGHTS = ([1, 2, 3], [45, 35, 20])
COMPANY_KINDS = (PartnerKind.JAPANESE_COMPANY, PartnerKind.US_COMPANY, PartnerKind.STARTUP)
COMPANY_ROLES = ([PartnerRole.SPEAKER, PartnerRole.SPONSOR, PartnerRole.PARTICIPANT], [4, 3, 3])
FEDERAL_ROLES = ([PartnerRole.SPEAKER, PartnerRole.PARTICIPANT], [4, 1])
FIRST_ROLES = ([PartnerRole.CO_HOST, PartnerRole.SPEAKER, PartnerRole.SPONSOR], [7, 2, 1])
OTHER_ROLES = (
    [PartnerRole.SPEAKER, PartnerRole.SPONSOR, PartnerRole.PARTICIPANT, PartnerRole.CO_HOST],
    [45, 15, 30, 10],
)
# Cancelled cases by fiscal year: most in FY2020, the first in March 2020 (FY2019's last month).
CANCELLED_YEAR_WEIGHTS = (
    [2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024],
    [1, 1, 2, 4, 1, 0.5, 0.5, 0.5],
)
FIRST_PANDEMIC_CANCELLATIONS = (datetime.date(2020, 3, 1), datetime.date(2020, 3, 31))
# Fiscal years of drafts: more in the current year than the last.
DRAFT_YEAR_WEIGHTS = ([2024, 2025], [1, 2])
# Formats whose summary says "organised" (実施) rather than "held" (開催).
ORGANISED_FORMATS = (CaseFormat.VISIT, CaseFormat.OTHER)


class DemoDataError(Exception):
    """The demo set cannot be built or written (a table disagrees with the reference data, or
    a non-demo case holds a demo reference)."""


@dataclass(frozen=True)
class Names:
    """The reference names texts need: missions by region code, states by USPS code."""

    missions: dict[str, tuple[str, str]]
    states: dict[str, tuple[str, str]]

    @classmethod
    def from_db(cls) -> "Names":
        return cls(
            missions={
                code: (en, ja)
                for code, en, ja in Region.objects.values_list(
                    "code", "mission_name_en", "mission_name_ja"
                )
            },
            states={
                code: (en, ja)
                for code, en, ja in State.objects.values_list("code", "name_en", "name_ja")
            },
        )


@dataclass(frozen=True)
class DemoSet:
    partners: list[PartnerSpec]
    cases: list[CaseSpec]


@dataclass(frozen=True)
class _Where:
    """Where a case takes place; `nationwide` is the kind of a case with no single state."""

    region: str
    state: str | None = None
    city: str = ""
    city_ja: str = ""
    nationwide: tuple | None = None


def check_year_split(split: dict[int, int] | None = None) -> None:
    """Raise DemoDataError unless the per-year split adds up to the published figures."""
    split = tables().held_per_fiscal_year if split is None else split
    if split.get(2024) != PUBLISHED_FY2024:
        raise DemoDataError(f"FY2024 must have {PUBLISHED_FY2024} held cases.")
    if sum(n for year, n in split.items() if 2017 <= year <= 2024) != PUBLISHED_FY2017_TO_FY2024:
        raise DemoDataError(f"FY2017-FY2024 must add up to {PUBLISHED_FY2017_TO_FY2024}.")


class _Places:
    """How places are written in the demo texts, in English and Japanese."""

    def __init__(self, names: Names):
        self.names = names

    def state_en(self, code: str | None) -> str:
        """A state's name after "in": "Ohio", "Washington, D.C.", "the U.S. Virgin Islands"."""
        if code is None:
            return "the United States"
        if code == "DC":
            return "Washington, D.C."
        name = self.names.states[code][0]
        return f"the {name}" if name.startswith("U.S.") or name.endswith("Islands") else name

    def state_ja(self, code: str | None) -> str:
        return "米国" if code is None else self.names.states[code][1]

    def city_en(self, code: str, city: str) -> str:
        return "Washington, D.C." if code == "DC" else city

    def city_ja(self, code: str, city_ja: str) -> str:
        return "ワシントンD.C." if code == "DC" else city_ja

    def place_en(self, code: str, city: str) -> str:
        if code == "DC":
            return "Washington, D.C."
        return f"{city}, {self.state_en(code)}"

    def place_ja(self, code: str, city_ja: str) -> str:
        if code == "DC":
            return "ワシントンD.C."
        state = self.state_ja(code)
        return f"{state}{city_ja}" if state.endswith("州") else f"{state}・{city_ja}"


class _Generator(_Places):
    """Draws the synthetic cases. Every draw comes from one private generator in a fixed
    order: reordering the calls below changes the demo set (the digest test notices)."""

    def __init__(self, names: Names, table: Tables):
        super().__init__(names)
        self.t = table
        self.rng = random.Random(table.seed)
        self.partners_by_name = {p.name_en: p for p in table.partners}

    # Choices.

    def weighted(self, options, weights):
        return self.rng.choices(options, weights=weights, k=1)[0]

    def pick_region(self) -> str:
        codes = list(self.t.region_weights)
        return self.weighted(codes, [self.t.region_weights[c] for c in codes])

    def pick_place(self, region: str) -> tuple[str, str, str]:
        """(USPS code, city in English, city in Japanese) in the region's district."""
        district = self.t.districts[region]
        code, _weight, cities = self.weighted(district, [w for _c, w, _ in district])
        city, city_ja = self.rng.choice(cities)
        return code, city, city_ja

    def pick_where(self, status: str) -> _Where:
        """A few held cases have no single state; the Embassy leads most of those."""
        if status == CaseStatus.HELD and self.rng.random() < self.t.nationwide_share:
            nationwide = self.rng.choice(self.t.nationwide_kinds)
            embassy = self.rng.random() < self.t.nationwide_embassy_share
            region = "washington-dc" if embassy else self.pick_region()
            return _Where(region, nationwide=nationwide)
        region = self.pick_region()
        return _Where(region, *self.pick_place(region))

    def pick_subject(self, fiscal_year: int, region: str) -> Subject:
        subjects = self.t.subjects
        weights = [
            s.weight * s.boost.get(region, 1) if fiscal_year >= s.since else 0 for s in subjects
        ]
        return self.weighted(subjects, weights)

    def pick_themes(self, subject: Subject) -> tuple[str, ...]:
        topics = list(subject.topics)
        if len(topics) < 2 and subject.extra_topics and self.rng.random() < 0.35:
            topics.append(self.rng.choice(subject.extra_topics))
        themes = [subject.line, *topics]
        if self.rng.random() < self.t.priority_area_share:
            themes.append(subject.priority)
        return tuple(themes)

    def pick_format(self, subject: Subject, fiscal_year: int) -> tuple[str, bool]:
        """(format, online)."""
        table, online_formats = self.t.format_weights[subject.line], self.t.online_formats
        pandemic = self.t.pandemic_in_person_factor if fiscal_year == 2020 else 1
        formats = list(table)
        weights = [table[f] if f in online_formats else table[f] * pandemic for f in formats]
        fmt = self.weighted(formats, weights)
        online = fmt in online_formats and self.rng.random() < self.t.online_share.get(
            fiscal_year, 0
        )
        return fmt, online

    def pick_date(self, first: datetime.date, last: datetime.date) -> datetime.date:
        """A day in [first, last], weekdays preferred."""
        span = (last - first).days
        day = first + datetime.timedelta(days=self.rng.randint(0, span))
        if day.weekday() >= 5 and self.rng.random() < 0.85:
            # Saturday to the Friday before, Sunday to the Monday after, within the range.
            shifted = day + datetime.timedelta(days=-1 if day.weekday() == 5 else 1)
            if first <= shifted <= last:
                day = shifted
        return day

    def pick_end(self, fmt: str, start: datetime.date, last: datetime.date):
        share, longest = self.t.multi_day.get(fmt, (0, 1))
        if longest > 1 and self.rng.random() < share:
            end = min(start + datetime.timedelta(days=self.rng.randint(1, longest - 1)), last)
            return end if end > start else None
        return None

    def pick_participants(self, fmt: str, online: bool) -> int | None:
        ranges = self.t.participant_ranges
        if fmt not in ranges or self.rng.random() < self.t.no_participant_count_share:
            return None
        low, high = self.t.online_participants if online else ranges[fmt]
        n = self.rng.randint(low, high)
        return n if n < 50 else round(n / 5) * 5

    def placement(self, partner: PartnerSpec, where: _Where, district: set) -> float | None:
        """How near the partner is to the case (None: the partner cannot take part there)."""
        placement = self.t.partner_placement_weights
        if partner.kind == PartnerKind.FEDERAL_AGENCY or partner.state is None:
            return placement["national"]
        if partner.region is not None and partner.region != where.region:
            return None  # the other district's part of a split state
        if partner.state == where.state:
            return placement["local"]
        if partner.state in district:
            return placement["in_district"]
        return None

    def partner_candidates(self, where: _Where, themes: tuple[str, ...]):
        """([partner, ...], [weight, ...]): the partners near the case and suited to it."""
        district = {code for code, _w, _c in self.t.districts[where.region]}
        candidates, weights = [], []
        for partner in self.t.partners:
            if partner.topics and not set(partner.topics) & set(themes):
                continue
            near = self.placement(partner, where, district)
            if near is None:
                continue
            weight = near * self.t.partner_kind_weights[partner.kind]
            for theme in themes:
                weight *= self.t.topic_kind_boosts.get(theme, {}).get(partner.kind, 1)
            candidates.append(partner)
            weights.append(weight)
        return candidates, weights

    def pick_role(self, partner: PartnerSpec, position: int) -> str:
        if partner.kind in COMPANY_KINDS:
            return self.weighted(*COMPANY_ROLES)
        if partner.kind == PartnerKind.FEDERAL_AGENCY:
            return self.weighted(*FEDERAL_ROLES)
        return self.weighted(*(FIRST_ROLES if position == 0 else OTHER_ROLES))

    def pick_partners(self, where: _Where, themes: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
        """1-3 partners near the case and suited to its themes, as (name, role)."""
        candidates, weights = self.partner_candidates(where, themes)
        count = self.weighted(*PARTNER_COUNT_WEIGHTS)
        chosen = []
        while candidates and len(chosen) < count:
            i = self.weighted(range(len(candidates)), weights)
            chosen.append(candidates.pop(i))
            weights.pop(i)
        return tuple(
            (partner.name_en, self.pick_role(partner, position))
            for position, partner in enumerate(chosen)
        )

    # Texts.

    def title_and_what(self, where: _Where, fmt: str, online: bool, fields: dict):
        """(title_en, title_ja, what_en, what_ja) templates: the title, and what was held as a
        summary's sentence says it. Adds the place's names to `fields`."""
        if where.nationwide is not None:
            _fmt, _online, title_en, title_ja, what_en, what_ja = where.nationwide
            return title_en, title_ja, what_en, what_ja
        state, city, city_ja = where.state, where.city, where.city_ja
        fields.update(
            state=self.state_en(state),
            state_ja=self.state_ja(state),
            city=self.city_en(state, city),
            city_ja=self.city_ja(state, city_ja),
        )
        templates = (self.t.online_titles if online else self.t.titles)[fmt]
        title_en, title_ja = self.rng.choice(templates)
        noun_en, noun_ja = self.t.format_nouns[fmt]
        if online:
            noun_en, noun_ja = f"online {noun_en}", f"オンライン{noun_ja}"
        noun_en = f"{'an' if noun_en[0] in 'aeiou' else 'a'} {noun_en}"
        what_en = f"{noun_en} on {{subject}} in {self.place_en(state, city)}"
        what_ja = f"{self.place_ja(state, city_ja)}で{{subject_ja}}に関する{noun_ja}を"
        return title_en, title_ja, what_en, what_ja

    def summary(self, *, status, where, subject, fmt, what, partners, participants) -> tuple:
        """(summary_en, summary_ja) of a case that is not a draft."""
        what_en, what_ja = what
        mission_en, mission_ja = self.names.missions[where.region]
        verb_en = "organised" if fmt in ORGANISED_FORMATS else "held"
        verb_ja = "実施" if fmt in ORGANISED_FORMATS else "開催"
        if status == CaseStatus.PLANNED:
            return (
                f"The {mission_en} plans {what_en}.",
                f"{mission_ja}は、{what_ja}{verb_ja}予定。",
            )
        if status == CaseStatus.CANCELLED:
            return (
                f"The {mission_en} had planned {what_en}; it was cancelled.",
                f"{mission_ja}は、{what_ja}{verb_ja}予定であったが、中止となった。",
            )
        line_en, line_ja = self.t.line_sentences[subject.line]
        en = [
            f"The {mission_en} {verb_en} {what_en}.",
            line_en.format(state=self.state_en(where.state)),
        ]
        ja = [
            f"{mission_ja}は、{what_ja}{verb_ja}した。",
            line_ja.format(state_ja=self.state_ja(where.state)),
        ]
        for role, (label_en, label_ja) in self.t.role_labels.items():
            named = [self.partners_by_name[name] for name, r in partners if r == role]
            if named:
                en.append(f"{label_en}: {'; '.join(p.name_en for p in named)}.")
                ja.append(f"{label_ja}：{'、'.join(p.name_ja for p in named)}。")
        if participants is not None:
            en.append(f"About {participants} people took part.")
            ja.append(f"約{participants}名が参加した。")
        return " ".join(en), "".join(ja)

    def texts(self, *, status, where, subject, fmt, online, partners, participants):
        """(title_en, title_ja, summary_en, summary_ja)."""
        fields = {"subject": subject.en, "subject_ja": subject.ja}
        title_en, title_ja, what_en, what_ja = self.title_and_what(where, fmt, online, fields)
        title_en, title_ja = title_en.format(**fields), title_ja.format(**fields)
        what = what_en.format(**fields), what_ja.format(**fields)
        title_en = title_en[0].upper() + title_en[1:]
        if status == CaseStatus.DRAFT:
            return title_en, title_ja, "", ""  # drafts are entered title first
        summary_en, summary_ja = self.summary(
            status=status,
            where=where,
            subject=subject,
            fmt=fmt,
            what=what,
            partners=partners,
            participants=participants,
        )
        return title_en, title_ja, summary_en, summary_ja

    # Cases.

    def case(self, status: str, fiscal_year: int, first=None, last=None) -> dict:
        """One synthetic case in the fiscal year (or in [first, last] within it): CaseSpec's
        fields but its reference number."""
        first_day, last_day = rules.fiscal_year_bounds(fiscal_year)
        first, last = first or first_day, last or last_day
        where = self.pick_where(status)
        subject = self.pick_subject(fiscal_year, where.region)
        themes = self.pick_themes(subject)
        if where.nationwide is not None:
            fmt, online = where.nationwide[0], where.nationwide[1]
        else:
            fmt, online = self.pick_format(subject, fiscal_year)
        start = self.pick_date(first, last)
        end = self.pick_end(fmt, start, last)
        held = status == CaseStatus.HELD
        participants = self.pick_participants(fmt, online) if held else None
        if status == CaseStatus.DRAFT and self.rng.random() < 0.5:
            partners = ()
        else:
            partners = self.pick_partners(where, themes)
        title_en, title_ja, summary_en, summary_ja = self.texts(
            status=status,
            where=where,
            subject=subject,
            fmt=fmt,
            online=online,
            partners=partners,
            participants=participants,
        )
        state = where.state
        return {
            "title_en": title_en,
            "title_ja": title_ja,
            "summary_en": summary_en,
            "summary_ja": summary_ja,
            "start_date": start,
            "end_date": end,
            "region": where.region,
            "state": state,
            "city_en": self.city_en(state, where.city) if state else "",
            "city_ja": self.city_ja(state, where.city_ja) if state else "",
            "county": self.t.city_counties.get((state, where.city), ""),
            "format": fmt,
            "participants": participants,
            "status": status,
            "is_public": held and self.rng.random() < self.t.public_share,
            "is_best_practice": False,
            "themes": themes,
            "partners": partners,
        }

    def held(self) -> list[CaseSpec]:
        """The held cases, year by year, the real best practices among them."""
        best_per_year = defaultdict(int)
        for bp in self.t.best_practices:
            best_per_year[rules.fiscal_year_of(bp.start_date)] += 1
        specs: list[CaseSpec] = []
        for fiscal_year, total in self.t.held_per_fiscal_year.items():
            # Numbered in date order within the year: demo-2019-0042 is FY2019's 42nd.
            generated = [
                self.case(CaseStatus.HELD, fiscal_year)
                for _ in range(total - best_per_year[fiscal_year])
            ]
            generated.sort(key=lambda g: g["start_date"])  # stable: ties keep generation order
            specs += [
                CaseSpec(external_ref=f"demo-{fiscal_year}-{number:04d}", **g)
                for number, g in enumerate(generated, start=1)
            ]
        return specs + self.t.best_practices

    def uncounted(self) -> list[CaseSpec]:
        """Planned FY2025 cases, drafts and cancelled cases: none of them counts."""
        specs = [
            CaseSpec(
                external_ref=f"demo-planned-2025-{number:02d}",
                **self.case(CaseStatus.PLANNED, 2025),
            )
            for number in range(1, self.t.planned_fy2025 + 1)
        ]
        for number in range(1, self.t.drafts + 1):
            fiscal_year = self.weighted(*DRAFT_YEAR_WEIGHTS)
            spec = self.case(CaseStatus.DRAFT, fiscal_year)
            specs.append(CaseSpec(external_ref=f"demo-draft-{number:02d}", **spec))
        for number in range(1, self.t.cancelled + 1):
            fiscal_year = self.weighted(*CANCELLED_YEAR_WEIGHTS)
            # FY2019's cancellations are the first of the pandemic: March 2020.
            first, last = FIRST_PANDEMIC_CANCELLATIONS if fiscal_year == 2019 else (None, None)
            spec = self.case(CaseStatus.CANCELLED, fiscal_year, first=first, last=last)
            specs.append(CaseSpec(external_ref=f"demo-cancelled-{number:02d}", **spec))
        return specs


def build_demo_set(names: Names) -> DemoSet:
    """The whole demo set, the same on every call: partners and cases, by codes and names."""
    table = tables()
    check_year_split(table.held_per_fiscal_year)
    generator = _Generator(names, table)
    cases = generator.held()
    cases += generator.uncounted()
    return DemoSet(partners=list(table.partners), cases=cases)
