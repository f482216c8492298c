"""The data sets: a dedicated PostgreSQL database filled through `COPY ... FROM STDIN`.

The ORM would take most of an hour to write a million cases with their themes and partners;
`COPY` takes about a minute. The schema comes from the app itself (`manage.py migrate`) and the
reference data from its fixtures, so regions, states and themes are the real ones; the cases
are synthetic but shaped like the register: fiscal years 2017-2024 weighted like the
demonstration data, regions weighted by the size of their district, states only inside the
region's district (from `cases_jurisdiction`, so California, Connecticut and Idaho are split
as the app expects), 1-4 themes per case across the three theme groups, 0-3 partners with
roles, most cases held and public.

The generator only knows the columns the register has today. It reads the table's columns from
`information_schema` and leaves out a nullable column it does not know; a new NOT NULL column
without a database default gets a neutral value of its type and a warning, so a schema change
elsewhere does not break the benchmark silently or loudly.

The data sets grow in place: 1k, then topped up to 100k, then to 1M, so the largest one is
built once. Each stage ends with VACUUM ANALYZE, the app's tally rebuild and a flushed cache.
"""

import datetime
import json
import random
import time

from bench.config import ROOT, Config
from bench.database import (
    COPY_CHUNK,
    bulk_load,
    column_plan,
    connect,
    copy_lines,
    flush_cache,
    has_command,
    log,
    manage,
    prepare_schema,
    recreate_database,
    text_value,
)
from cases.normal_form import document
from cases.rules import theme_tags

# Held cases per fiscal year in the demonstration data (fixtures/demo/generation.json, the
# table `load_demo` draws from): the shape of the register over time.
FISCAL_YEAR_WEIGHTS = {
    int(year): count
    for year, count in json.loads(
        (ROOT / "fixtures" / "demo" / "generation.json").read_text(encoding="utf-8")
    )["held_cases_per_fiscal_year"].items()
}
STATUS_WEIGHTS = {"held": 0.90, "cancelled": 0.04, "planned": 0.03, "draft": 0.03}
PUBLIC_SHARE = 0.92  # of held cases
BEST_PRACTICE_SHARE = 0.01
NATIONWIDE_SHARE = 0.04  # no single state
NO_PARTICIPANTS_SHARE = 0.12
IMPORTED_SHARE = 0.3  # cases with an external reference
PRIORITY_AREA_SHARE = 0.88
FORMATS = [
    ("workshop", "Workshop", "ワークショップ"),
    ("seminar", "Seminar", "セミナー"),
    ("panel", "Panel discussion", "パネルディスカッション"),
    ("symposium", "Symposium", "シンポジウム"),
    ("visit", "Visit", "訪問"),
    ("business-matching", "Business matching", "ビジネスマッチング"),
    ("reception", "Reception", "レセプション"),
    ("exhibition", "Exhibition", "展示会"),
    ("lecture", "Lecture", "講演会"),
    ("other", "Event", "イベント"),
]
CITIES = [
    ("Springfield", "スプリングフィールド"),
    ("Franklin", "フランクリン"),
    ("Greenville", "グリーンビル"),
    ("Bristol", "ブリストル"),
    ("Clinton", "クリントン"),
    ("Fairview", "フェアビュー"),
    ("Salem", "セーラム"),
    ("Madison", "マディソン"),
    ("Georgetown", "ジョージタウン"),
    ("Arlington", "アーリントン"),
    ("Ashland", "アッシュランド"),
    ("Burlington", "バーリントン"),
    ("Manchester", "マンチェスター"),
    ("Oxford", "オックスフォード"),
    ("Jackson", "ジャクソン"),
    ("Newport", "ニューポート"),
    ("Auburn", "オーバーン"),
    ("Lexington", "レキシントン"),
    ("Riverside", "リバーサイド"),
    ("Winchester", "ウィンチェスター"),
]
PARTNER_KINDS = [
    ("government", "State Office"),
    ("federal", "Federal Agency Branch"),
    ("chamber", "Chamber of Commerce"),
    ("university", "University"),
    ("japanese-company", "Japan Manufacturing Inc."),
    ("us-company", "Industries LLC"),
    ("startup", "Labs"),
    ("airport-port", "Port Authority"),
    ("nonprofit", "Japan-America Society"),
    ("professional", "Professional Association"),
]
ROLES = ["co-host", "speaker", "sponsor", "participant"]
# One partner per this many cases at the largest size; at least MIN_PARTNERS.
MIN_PARTNERS = 300
MAX_PARTNERS = 5_000


class Generator:
    """Writes synthetic cases, themes and partners with COPY, reproducibly from a seed."""

    def __init__(self, conn, cfg: Config):
        self.conn = conn
        self.cfg = cfg
        self.random = random.Random(cfg.seed)
        self._load_reference()

    def _load_reference(self) -> None:
        conn = self.conn
        self.regions = conn.execute("SELECT id, code FROM cases_region ORDER BY id").fetchall()
        if not self.regions:
            raise SystemExit("No regions: the reference data did not load.")
        self.states = dict(conn.execute("SELECT id, code FROM cases_state").fetchall())
        self.state_names = dict(conn.execute("SELECT id, name_en FROM cases_state").fetchall())
        district: dict[int, list[int]] = {}
        for region_id, state_id in conn.execute(
            "SELECT region_id, state_id FROM cases_jurisdiction ORDER BY region_id, state_id"
        ):
            district.setdefault(region_id, []).append(state_id)
        self.district = district
        # Bigger districts hold more cases; every region holds some.
        self.region_ids = [region_id for region_id, _ in self.regions]
        self.region_weights = [
            len(district.get(region_id, [])) + 2 for region_id in self.region_ids
        ]
        self.region_codes = dict(self.regions)
        themes = conn.execute(
            'SELECT id, "group", slug FROM cases_theme ORDER BY "group", sort_order, slug'
        ).fetchall()
        self.theme_groups: dict[str, list[int]] = {}
        self.theme_slugs = {}
        for theme_id, group, slug in themes:
            self.theme_groups.setdefault(group, []).append(theme_id)
            self.theme_slugs[theme_id] = slug
        # Every day of FY2017-FY2024 up to yesterday, grouped by fiscal year, as text.
        yesterday = datetime.datetime.now(datetime.UTC).date() - datetime.timedelta(days=1)
        self.days: dict[int, list[str]] = {}
        for fiscal_year in FISCAL_YEAR_WEIGHTS:
            day = datetime.date(fiscal_year, 4, 1)
            end = min(datetime.date(fiscal_year + 1, 3, 31), yesterday)
            days = []
            while day <= end:
                days.append(day.isoformat())
                day += datetime.timedelta(days=1)
            self.days[fiscal_year] = days
        self.fiscal_years = list(FISCAL_YEAR_WEIGHTS)
        self.fiscal_year_weights = list(FISCAL_YEAR_WEIGHTS.values())
        self.partner_ids = [row[0] for row in conn.execute("SELECT id FROM cases_partner")]

    # --- Partners --------------------------------------------------------------------------

    def ensure_partners(self, count: int) -> None:
        """Create bench partners until there are `count` of them."""
        have = len(self.partner_ids)
        if have >= count:
            return
        known = ["name_en", "name_ja", "kind", "state_id", "website", "slug", "search_document"]
        columns, extra = column_plan(self.conn, "cases_partner", known)
        present = [name for name in columns if name in known]
        lines = []
        for number in range(have + 1, count + 1):
            values = self.partner_values(number)
            lines.append("\t".join([text_value(values[name]) for name in present] + extra))
        statement = f"COPY cases_partner ({', '.join(columns)}) FROM STDIN"
        with self.conn.cursor() as cursor, cursor.copy(statement) as copy:
            copy.write("\n".join(lines) + "\n")
        self.partner_ids = [row[0] for row in self.conn.execute("SELECT id FROM cases_partner")]

    def partner_values(self, number: int) -> dict:
        """Partner `number` as {column: value}."""
        kind, noun = PARTNER_KINDS[number % len(PARTNER_KINDS)]
        state_id = self.random.choice(list(self.states))
        values = {
            "name_en": f"{self.state_names[state_id]} {noun} {number:05d}",
            "name_ja": f"パートナー{number:05d}",
            "kind": kind,
            "state_id": state_id,
            "website": f"https://partner{number:05d}.example.org/",
            # Partner pages are addressed by slug, unique per partner.
            "slug": f"bench-partner-{number:05d}",
        }
        # Searched like the app's own (cases.search), so a text search finds them.
        values["search_document"] = document(values["name_en"], values["name_ja"])
        return values

    # --- Cases -----------------------------------------------------------------------------

    CASE_COLUMNS = [
        "id",
        "title_en",
        "title_ja",
        "summary_en",
        "summary_ja",
        "start_date",
        "end_date",
        "fiscal_year",
        "region_id",
        "state_id",
        "city_en",
        "city_ja",
        "format",
        "participants",
        "status",
        "is_public",
        "is_best_practice",
        "origin",
        "external_ref",
        "created_at",
        "updated_at",
        "publication",
        "published_at",
        "search_document",
        "theme_tags",
    ]

    def case_values(self, case_id: int) -> dict:
        """One synthetic case as {column: value} (Python values, None for NULL)."""
        rng = self.random
        fiscal_year, start, end = self._dates()
        region_id, state_id = self._place()
        city_en, city_ja = ("", "") if state_id is None else rng.choice(CITIES)
        fmt, fmt_en, fmt_ja = rng.choice(FORMATS)
        status = rng.choices(list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values()))[0]
        is_public = status == "held" and rng.random() < PUBLIC_SHARE
        imported = rng.random() < IMPORTED_SHARE
        place = f"in {city_en}, {self.states[state_id]}" if state_id else "across the US"
        region_code = self.region_codes[region_id]
        stamp = f"{start} 09:00:00+00"
        values = {
            "id": case_id,
            "title_en": f"{fmt_en} on Japan-US cooperation {place} ({case_id})",
            "title_ja": f"{city_ja or '全米'}における日米協力{fmt_ja}（{case_id}）",
            "summary_en": (
                f"A {fmt_en.lower()} led by the {region_code} mission with local partners on "
                "investment, jobs and exchange between Japan and the United States."
            ),
            "summary_ja": f"{city_ja or '全米'}で地元のパートナーと投資・雇用・交流を議論した。",
            "start_date": start,
            "end_date": end,
            "fiscal_year": fiscal_year,
            "region_id": region_id,
            "state_id": state_id,
            "city_en": city_en,
            "city_ja": city_ja,
            "format": fmt,
            "participants": None if rng.random() < NO_PARTICIPANTS_SHARE else rng.randint(10, 400),
            "status": status,
            "is_public": is_public,
            "is_best_practice": is_public and rng.random() < BEST_PRACTICE_SHARE,
            "origin": "import" if imported else "staff",
            "external_ref": f"BENCH-{case_id:08d}" if imported else "",
            "created_at": stamp,
            "updated_at": stamp,
            "publication": "published" if is_public else "draft",
            "published_at": stamp if is_public else None,
        }
        # The document the register would store (cases.search.FIELDS), so a text search in
        # the benchmark meets real matches, not an empty column.
        values["search_document"] = document(
            *(values[name] for name in ("title_en", "title_ja", "summary_en", "summary_ja")),
            *(values[name] for name in ("city_en", "city_ja")),
        )
        return values

    def _dates(self) -> tuple[int, str, str | None]:
        """A fiscal year, a start date in it and, for some cases, an end 1-3 days later."""
        rng = self.random
        fiscal_year = rng.choices(self.fiscal_years, self.fiscal_year_weights)[0]
        start = rng.choice(self.days[fiscal_year])
        end = None
        if rng.random() < 0.15:
            end_day = datetime.date.fromisoformat(start) + datetime.timedelta(
                days=rng.randint(1, 3)
            )
            end = end_day.isoformat()
        return fiscal_year, start, end

    def _place(self) -> tuple[int, int | None]:
        """A region weighted by its district's size and a state in its district (none for a
        nationwide case)."""
        rng = self.random
        region_id = rng.choices(self.region_ids, self.region_weights)[0]
        district = self.district.get(region_id)
        if district and rng.random() >= NATIONWIDE_SHARE:
            return region_id, rng.choice(district)
        return region_id, None

    def case_themes(self) -> list[int]:
        rng = self.random
        groups = self.theme_groups
        themes = []
        if groups.get("line-of-work"):
            themes.append(rng.choice(groups["line-of-work"]))
        topics = groups.get("topic", [])
        if topics:
            themes.extend(rng.sample(topics, k=min(len(topics), rng.randint(1, 2))))
        if groups.get("priority-area") and rng.random() < PRIORITY_AREA_SHARE:
            themes.append(rng.choice(groups["priority-area"]))
        return themes

    def case_partners(self) -> list[tuple[int, str]]:
        rng = self.random
        count = rng.choices([0, 1, 2, 3], [0.25, 0.4, 0.25, 0.1])[0]
        chosen = rng.sample(self.partner_ids, k=min(count, len(self.partner_ids)))
        return [(partner_id, rng.choice(ROLES)) for partner_id in chosen]

    def count(self) -> int:
        return self.conn.execute("SELECT count(*) FROM cases_case").fetchone()[0]

    def import_rows(self, count: int, prefix: str) -> list[dict]:
        """Rows for the importer, keyed by the import template's column keys: new held cases
        (external references `prefix`-00001...) that pass every check of the importer."""
        partner_names = dict(self.conn.execute("SELECT id, name_en FROM cases_partner"))
        # California, Connecticut and Idaho are split by county: a row there names a county
        # of its region's district.
        counties: dict[tuple[int, int], list[str]] = {}
        for state_id, region_id, name in self.conn.execute(
            "SELECT state_id, region_id, name_en FROM cases_county ORDER BY name_en"
        ):
            counties.setdefault((state_id, region_id), []).append(name)
        split_states = {state_id for state_id, _region_id in counties}
        rows = []
        for number in range(1, count + 1):
            values = self.case_values(number)
            if values["state_id"] in split_states:
                choices = counties.get((values["state_id"], values["region_id"]), [])
                if not choices:
                    # No county of this state in this region: take the district of one that is.
                    values["region_id"] = self.random.choice(
                        [region for state, region in counties if state == values["state_id"]]
                    )
                    choices = counties[(values["state_id"], values["region_id"])]
                county = self.random.choice(choices)
            else:
                county = ""
            values["status"] = "held"
            themes = sorted(self.case_themes())
            partners = self.case_partners()
            rows.append(
                {
                    "external_ref": f"{prefix}-{number:05d}",
                    "title_en": values["title_en"],
                    "title_ja": values["title_ja"],
                    # Shorter than a generated case's, so 10k rows stay under the
                    # importer's 5 MB file limit with every column filled.
                    "summary_en": f"A {values['format']} with local partners on jobs.",
                    "summary_ja": values["summary_ja"],
                    "start_date": values["start_date"],
                    "end_date": values["end_date"] or "",
                    "fiscal_year": values["fiscal_year"],
                    "region": self.region_codes[values["region_id"]],
                    "state": self.states.get(values["state_id"], ""),
                    "county": county,
                    "city_en": values["city_en"],
                    "city_ja": values["city_ja"],
                    "format": values["format"],
                    "status": "held",
                    "is_public": "yes" if self.random.random() < PUBLIC_SHARE else "no",
                    "is_best_practice": "no",
                    "participants": values["participants"] or "",
                    "themes": "; ".join(self.theme_slugs[theme] for theme in themes),
                    "partners": "; ".join(
                        f"{partner_names[partner]} ({role})" for partner, role in partners
                    ),
                    "id": "",
                }
            )
        return rows

    def top_up(self, target: int) -> int:
        """Add cases until the register holds `target`; returns how many were added."""
        conn = self.conn
        have, last_id = conn.execute(
            "SELECT count(*), coalesce(max(id), 0) FROM cases_case"
        ).fetchone()
        missing = target - have
        if missing <= 0:
            return 0
        columns, extra = column_plan(conn, "cases_case", self.CASE_COLUMNS)
        known = [name for name in columns if name in self.CASE_COLUMNS]
        next_id = last_id + 1
        theme_lines: list[str] = []
        partner_lines: list[str] = []
        with conn.transaction(), conn.cursor() as cursor, bulk_load(cursor, BULK_TABLES):
            with cursor.copy(f"COPY cases_case ({', '.join(columns)}) FROM STDIN") as copy:
                remaining = missing
                while remaining:
                    batch = min(COPY_CHUNK, remaining)
                    lines = []
                    for case_id in range(next_id, next_id + batch):
                        values = self.case_values(case_id)
                        themes = self.case_themes()
                        # The row repeats its themes, as the register writes them.
                        values["theme_tags"] = theme_tags(themes)
                        lines.append(
                            "\t".join([text_value(values[name]) for name in known] + extra)
                        )
                        for theme_id in themes:
                            theme_lines.append(f"{case_id}\t{theme_id}")
                        for partner_id, role in self.case_partners():
                            partner_lines.append(f"{case_id}\t{partner_id}\t{role}")
                    copy.write("\n".join(lines) + "\n")
                    next_id += batch
                    remaining -= batch
            copy_lines(cursor, "cases_case_themes (case_id, theme_id)", theme_lines)
            copy_lines(cursor, "cases_casepartner (case_id, partner_id, role)", partner_lines)
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('cases_case', 'id'), max(id)) "
                "FROM cases_case"
            )
        return missing


BULK_TABLES = ("cases_case", "cases_case_themes", "cases_casepartner")


def finish_stage(cfg: Config, env: dict) -> dict:
    """What the register needs after a bulk write: statistics, tallies, a fresh cache."""
    timings = {}
    started = time.perf_counter()
    with connect(cfg.database_url, autocommit=True) as conn:
        for table in ("cases_case", "cases_case_themes", "cases_casepartner", "cases_partner"):
            conn.execute(f"VACUUM (ANALYZE) {table}")
    timings["vacuum_analyze"] = time.perf_counter() - started
    if has_command("rebuild_tallies"):
        started = time.perf_counter()
        manage(env, "rebuild_tallies")
        timings["rebuild_tallies"] = time.perf_counter() - started
    else:
        log("warning: manage.py rebuild_tallies does not exist; pre-aggregates not rebuilt")
        timings["rebuild_tallies"] = None
    flush_cache(cfg)
    return timings


def build_stage(cfg: Config, env: dict, size: int, generator: Generator | None) -> Generator:
    """Bring the benchmark database to `size` cases (creating it on the first stage)."""
    if generator is None:
        log(f"creating database {cfg.database}, migrating, loading reference data")
        recreate_database(cfg)
        prepare_schema(env)
        conn = connect(cfg.database_url)
        conn.autocommit = True
        generator = Generator(conn, cfg)
        largest = max(cfg.sizes)
        generator.ensure_partners(max(MIN_PARTNERS, min(MAX_PARTNERS, largest // 200)))
    started = time.perf_counter()
    added = generator.top_up(size)
    copy_seconds = time.perf_counter() - started
    log(f"{size:,} cases: {added:,} added with COPY in {copy_seconds:.1f} s")
    timings = finish_stage(cfg, env)
    generator.last_copy_seconds = copy_seconds
    generator.last_timings = timings
    log(
        "  vacuum/analyze {:.1f} s, tallies {}".format(
            timings["vacuum_analyze"],
            "skipped"
            if timings["rebuild_tallies"] is None
            else f"{timings['rebuild_tallies']:.1f} s",
        )
    )
    return generator
