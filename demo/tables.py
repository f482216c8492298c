"""The demonstration data's tables, read once from fixtures/demo/.

Everything the generator draws from is data, not code: the per-year split and the shares
(generation.json), where cases take place (regions.csv, districts.csv, cities.csv), what they
are about (subjects.json), who takes part (partners.csv), how titles and summaries are worded
(texts.json) and the three real FY2024 best practices (best_practices.json). fixtures/demo/
README.md says what each column means.

Order is meaning here: the generator draws from the tables in the order the files list them,
so reordering rows (or keys) changes the demo set. `tables()` reads the files the first time it
is called and keeps the result; nothing reads them again.
"""

import csv
import datetime
import functools
import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from cases import rules

FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "demo"


@dataclass(frozen=True)
class Subject:
    """What a synthetic case is about: the phrase in its title and the themes it is filed under.

    `topics` are always given; one of `extra_topics` may be added. `since` is the first fiscal
    year the subject appears (economic security, for instance, only in recent years);
    `boost` multiplies the weight in the regions named.
    """

    en: str
    ja: str
    line: str
    topics: tuple[str, ...]
    priority: str
    weight: float
    extra_topics: tuple[str, ...] = ()
    since: int = rules.FIRST_FISCAL_YEAR
    boost: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class PartnerSpec:
    """A demo partner. `region` (not stored) places a partner in a split state's district;
    `topics` (not stored) limits a partner to cases with one of those theme slugs."""

    name_en: str
    name_ja: str
    kind: str
    state: str | None = None
    region: str | None = None
    website: str = ""
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class CaseSpec:
    """One demo case as it should be in the register, by codes, slugs and partner names."""

    external_ref: str
    title_en: str
    title_ja: str
    summary_en: str
    summary_ja: str
    start_date: datetime.date
    end_date: datetime.date | None
    region: str
    state: str | None
    city_en: str
    city_ja: str
    format: str
    participants: int | None
    status: str
    is_public: bool
    is_best_practice: bool
    themes: tuple[str, ...]
    partners: tuple[tuple[str, str], ...]  # (partner name_en, role)
    county: str = ""  # FIPS code, in California, Connecticut and Idaho


# An English and a Japanese text (a title template, a sentence, a label).
Pair = tuple[str, str]


@dataclass(frozen=True)
class Tables:
    """Every table of fixtures/demo/, in the shapes the generator uses."""

    seed: int
    held_per_fiscal_year: dict[int, int]
    drafts: int
    planned_fy2025: int
    cancelled: int
    nationwide_share: float
    nationwide_embassy_share: float
    public_share: float
    priority_area_share: float
    no_participant_count_share: float
    format_weights: dict[str, dict[str, float]]
    online_formats: tuple[str, ...]
    online_share: dict[int, float]
    pandemic_in_person_factor: float
    participant_ranges: dict[str, tuple[int, int]]
    online_participants: tuple[int, int]
    multi_day: dict[str, tuple[float, int]]
    partner_kind_weights: dict[str, float]
    topic_kind_boosts: dict[str, dict[str, float]]
    partner_placement_weights: dict[str, float]  # local, in_district, national
    region_weights: dict[str, float]
    # Each region's district: [(USPS code, weight, [(city, city in Japanese), ...]), ...].
    districts: dict[str, list[tuple[str, float, list[Pair]]]]
    cities: dict[tuple[str, str], list[Pair]]  # by (region, USPS code)
    city_counties: dict[tuple[str, str], str]  # FIPS code by (USPS code, city)
    subjects: list[Subject]
    partners: list[PartnerSpec]
    format_nouns: dict[str, Pair]
    titles: dict[str, list[Pair]]
    online_titles: dict[str, list[Pair]]
    # (format, online, English title, Japanese title, what was held in English and Japanese).
    nationwide_kinds: list[tuple[str, bool, str, str, str, str]]
    line_sentences: dict[str, Pair]
    role_labels: dict[str, Pair]
    best_practices: list[CaseSpec]


def _json(name: str):
    with open(FIXTURES / name, encoding="utf-8") as file:
        return json.load(file)


def _csv(name: str) -> list[dict[str, str]]:
    with open(FIXTURES / name, encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def _number(text: str) -> float:
    """A weight as written: "7" is the int 7, "4.5" the float 4.5."""
    return float(text) if "." in text else int(text)


def _pair(entry: dict) -> Pair:
    return entry["en"], entry["ja"]


def _by_year(table: dict) -> dict:
    return {int(year): value for year, value in table.items()}


def _generation() -> dict:
    raw = _json("generation.json")
    held = raw.pop("held_cases_per_fiscal_year")
    return raw | {
        "held_per_fiscal_year": _by_year(held),
        "online_formats": tuple(raw["online_formats"]),
        "online_share": _by_year(raw["online_share"]),
        "participant_ranges": {f: tuple(r) for f, r in raw["participant_ranges"].items()},
        "online_participants": tuple(raw["online_participants"]),
        "multi_day": {f: tuple(r) for f, r in raw["multi_day"].items()},
    }


def _places() -> dict:
    cities, counties = defaultdict(list), {}
    for row in _csv("cities.csv"):
        cities[(row["region"], row["state"])].append((row["city_en"], row["city_ja"]))
        if row["county"]:
            counties[(row["state"], row["city_en"])] = row["county"]
    districts = defaultdict(list)
    for row in _csv("districts.csv"):
        key = (row["region"], row["state"])
        districts[row["region"]].append((row["state"], _number(row["weight"]), cities[key]))
    return {
        "region_weights": {row["region"]: _number(row["weight"]) for row in _csv("regions.csv")},
        "districts": dict(districts),
        "cities": dict(cities),
        "city_counties": counties,
    }


def _subject(entry: dict) -> Subject:
    return Subject(
        **entry
        | {
            "topics": tuple(entry["topics"]),
            "extra_topics": tuple(entry.get("extra_topics", ())),
        }
    )


def _partner(row: dict) -> PartnerSpec:
    return PartnerSpec(
        name_en=row["name_en"],
        name_ja=row["name_ja"],
        kind=row["kind"],
        state=row["state"] or None,
        region=row["region"] or None,
        website=row["website"],
        topics=tuple(row["topics"].split()),
    )


def _best_practice(entry: dict) -> CaseSpec:
    entry = {key: value for key, value in entry.items() if key != "notes"}
    end = entry["end_date"]
    return CaseSpec(
        **entry
        | {
            "start_date": datetime.date.fromisoformat(entry["start_date"]),
            "end_date": datetime.date.fromisoformat(end) if end else None,
            "themes": tuple(entry["themes"]),
            "partners": tuple((p["name_en"], p["role"]) for p in entry["partners"]),
        }
    )


def _texts() -> dict:
    raw = _json("texts.json")
    return {
        "format_nouns": {f: _pair(noun) for f, noun in raw["format_nouns"].items()},
        "titles": {f: [_pair(t) for t in titles] for f, titles in raw["titles"].items()},
        "online_titles": {
            f: [_pair(t) for t in titles] for f, titles in raw["online_titles"].items()
        },
        "nationwide_kinds": [
            (k["format"], k["online"], k["title_en"], k["title_ja"], k["what_en"], k["what_ja"])
            for k in raw["nationwide_kinds"]
        ],
        "line_sentences": {line: _pair(s) for line, s in raw["line_sentences"].items()},
        "role_labels": {role: _pair(label) for role, label in raw["role_labels"].items()},
    }


@functools.cache
def tables() -> Tables:
    """The tables of fixtures/demo/, read on the first call only."""
    return Tables(
        **_generation(),
        **_places(),
        **_texts(),
        subjects=[_subject(entry) for entry in _json("subjects.json")],
        partners=[_partner(row) for row in _csv("partners.csv")],
        best_practices=[_best_practice(entry) for entry in _json("best_practices.json")],
    )
