"""Demonstration data: a reproducible synthetic register that adds up to the published figures.

`load_demo_data()` loads the reference data, then writes:

- synthetic HELD cases, FY2017 to FY2024, whose totals equal the two published figures exactly
  (1,292 from FY2017 to FY2024, 104 of them in FY2024). Everything else about them (the split
  over the years before FY2024, regions, states, cities, themes, partners, titles) is invented
  and must not be read as official;
- the three real FY2024 best practices, with the facts the task force published;
- drafts, planned FY2025 cases and cancelled cases, which the figures never count.

Every case is marked `origin=demo` and carries a stable `external_ref`; demo partners are known
by their English name (unique). The data is generated from a fixed seed with a private
`random.Random`, never the global generator and never today's date, so every run builds the same
set. Writing it compares with what exists: missing rows are created, differing rows updated,
demo cases no longer in the set deleted, and the rest left alone, so a second run changes
nothing (not even `updated_at`).
"""

import datetime
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import transaction

from audit import recorder
from cases import rules
from cases.models import (
    Case,
    CaseFormat,
    CaseOrigin,
    CaseStatus,
    County,
    Jurisdiction,
    Partner,
    PartnerKind,
    PartnerRole,
    Publication,
    Region,
    State,
    Theme,
)
from cases.reference import load_reference_data
from cases.register import Change, cases
from cases.search import document

# The seed of the private random generator. Change it and every synthetic case changes.
SEED = 20170401

# --- Figures ----------------------------------------------------------------------------------

# The only official figures (the task force's Document 1): held cases in FY2024 and in
# FY2017-FY2024. They are also in fixtures/published_figures.json, which the stats module
# reconciles against.
PUBLISHED_FY2024 = 104
PUBLISHED_FY2017_TO_FY2024 = 1292

# DEMONSTRATION DATA, NOT OFFICIAL FIGURES. Held cases per fiscal year. The task force has
# published no per-year breakdown; this split is invented so that the demo register adds up to
# the two published figures above: FY2024 is the published 104 (the three real best practices
# included), and FY2017-FY2023 add up to 1,292 - 104 = 1,188, with a pandemic dip in FY2020
# (mostly online events) and a recovery afterwards.
DEMO_HELD_CASES_PER_FISCAL_YEAR = {
    2017: 172,
    2018: 201,
    2019: 214,
    2020: 121,
    2021: 148,
    2022: 171,
    2023: 161,
    2024: PUBLISHED_FY2024,
}

# Cases that never count: how many of each the demo set has.
DEMO_DRAFTS = 15
DEMO_PLANNED_FY2025 = 12
DEMO_CANCELLED = 10

# Share of held cases with no single state (nationwide campaigns), and of those the share led
# by the Embassy; share of held cases that may be listed publicly; share that carries an
# Action Plan 4.0 priority area; share with no participant count.
NATIONWIDE_SHARE = 0.04
NATIONWIDE_EMBASSY_SHARE = 0.6
PUBLIC_SHARE = 0.85
PRIORITY_AREA_SHARE = 0.88
NO_PARTICIPANT_COUNT_SHARE = 0.12

# Relative weight of each region: bigger districts (more states, people and Japanese companies)
# hold more cases. Invented for the demonstration.
REGION_WEIGHTS = {
    "washington-dc": 7,
    "new-york": 11,
    "boston": 6,
    "chicago": 10,
    "detroit": 8,
    "atlanta": 8,
    "nashville": 7,
    "miami": 4.5,
    "houston": 8,
    "denver": 5,
    "seattle": 6,
    "san-francisco": 9,
    "los-angeles": 10,
    "honolulu": 2.5,
    "hagatna": 1.2,
    "portland": 3,
    "anchorage": 1.2,
}

# --- Places -----------------------------------------------------------------------------------

# The states of each region's district, with a relative weight (invented): where in the district
# the demo cases take place. Must list exactly the district's states (the load checks it against
# the Jurisdiction table).
STATE_WEIGHTS = {
    "washington-dc": {"DC": 5, "MD": 2, "VA": 3},
    "new-york": {"NY": 7, "NJ": 3, "PA": 3, "CT": 1.2, "DE": 0.8, "WV": 1, "PR": 0.8, "VI": 0.3},
    "boston": {"MA": 6, "CT": 1.5, "RI": 1, "NH": 1, "ME": 1, "VT": 0.7},
    "chicago": {
        "IL": 6,
        "IN": 3,
        "MN": 1.5,
        "MO": 1.5,
        "WI": 1.5,
        "IA": 1,
        "KS": 1,
        "NE": 0.7,
        "ND": 0.4,
        "SD": 0.4,
    },
    "detroit": {"MI": 5, "OH": 5},
    "atlanta": {"GA": 5, "AL": 2.5, "NC": 2.5, "SC": 2},
    "nashville": {"TN": 5, "KY": 3, "AR": 1, "LA": 1.2, "MS": 1.2},
    "miami": {"FL": 1},
    "houston": {"TX": 6, "OK": 1.2},
    "denver": {"CO": 4, "UT": 2, "NM": 1, "WY": 0.6},
    "seattle": {"WA": 6, "MT": 1, "ID": 0.7},
    "san-francisco": {"CA": 6, "NV": 1.5},
    "los-angeles": {"CA": 6, "AZ": 2.5},
    "honolulu": {"HI": 6, "AS": 0.4},
    "hagatna": {"GU": 4, "MP": 2},
    "portland": {"OR": 4, "ID": 1.5},
    "anchorage": {"AK": 1},
}

# Real cities in each district's part of each state, one a line: region, USPS code, English
# name, Japanese name. California, Connecticut and Idaho are split by county between two
# districts, so each part has its own cities.
CITY_TABLE = """
washington-dc DC  Washington ワシントン
washington-dc MD  Baltimore ボルチモア
washington-dc MD  Annapolis アナポリス
washington-dc MD  Bethesda ベセスダ
washington-dc VA  Richmond リッチモンド
washington-dc VA  Arlington アーリントン
washington-dc VA  Norfolk ノーフォーク
new-york      NY  New York ニューヨーク
new-york      NY  Buffalo バッファロー
new-york      NY  Rochester ロチェスター
new-york      NY  Albany オールバニ
new-york      NJ  Newark ニューアーク
new-york      NJ  Princeton プリンストン
new-york      NJ  Fort Lee フォートリー
new-york      NJ  Jersey City ジャージーシティ
new-york      PA  Philadelphia フィラデルフィア
new-york      PA  Pittsburgh ピッツバーグ
new-york      PA  Harrisburg ハリスバーグ
# Connecticut, New York's part: Fairfield County only.
new-york      CT  Stamford スタンフォード
new-york      CT  Greenwich グリニッジ
new-york      CT  Bridgeport ブリッジポート
new-york      CT  Norwalk ノーウォーク
new-york      DE  Wilmington ウィルミントン
new-york      DE  Dover ドーバー
new-york      WV  Charleston チャールストン
new-york      WV  Morgantown モーガンタウン
new-york      PR  San Juan サンフアン
new-york      PR  Ponce ポンセ
new-york      VI  Charlotte Amalie シャーロット・アマリー
new-york      VI  Christiansted クリスチャンステッド
boston        MA  Boston ボストン
boston        MA  Cambridge ケンブリッジ
boston        MA  Worcester ウースター
# Connecticut, Boston's part: every county but Fairfield.
boston        CT  Hartford ハートフォード
boston        CT  New Haven ニューヘイブン
boston        RI  Providence プロビデンス
boston        RI  Newport ニューポート
boston        NH  Manchester マンチェスター
boston        NH  Concord コンコード
boston        ME  Portland ポートランド
boston        ME  Augusta オーガスタ
boston        VT  Burlington バーリントン
boston        VT  Montpelier モントピリア
chicago       IL  Chicago シカゴ
chicago       IL  Schaumburg シャンバーグ
chicago       IL  Springfield スプリングフィールド
chicago       IL  Peoria ピオリア
chicago       IN  Indianapolis インディアナポリス
chicago       IN  Lafayette ラファイエット
chicago       IN  Fort Wayne フォートウェイン
chicago       MN  Minneapolis ミネアポリス
chicago       MN  Saint Paul セントポール
chicago       MO  St. Louis セントルイス
chicago       MO  Kansas City カンザスシティ
chicago       WI  Milwaukee ミルウォーキー
chicago       WI  Madison マディソン
chicago       IA  Des Moines デモイン
chicago       IA  Cedar Rapids シーダーラピッズ
chicago       KS  Wichita ウィチタ
chicago       KS  Topeka トピカ
chicago       KS  Overland Park オーバーランドパーク
chicago       NE  Omaha オマハ
chicago       NE  Lincoln リンカーン
chicago       ND  Fargo ファーゴ
chicago       ND  Bismarck ビスマーク
chicago       SD  Sioux Falls スーフォールズ
chicago       SD  Rapid City ラピッドシティ
detroit       MI  Detroit デトロイト
detroit       MI  Ann Arbor アナーバー
detroit       MI  Grand Rapids グランドラピッズ
detroit       MI  Novi ノバイ
detroit       OH  Columbus コロンバス
detroit       OH  Cincinnati シンシナティ
detroit       OH  Cleveland クリーブランド
detroit       OH  Dayton デイトン
atlanta       GA  Atlanta アトランタ
atlanta       GA  Savannah サバンナ
atlanta       GA  Macon メーコン
atlanta       AL  Birmingham バーミングハム
atlanta       AL  Huntsville ハンツビル
atlanta       AL  Montgomery モンゴメリー
atlanta       NC  Raleigh ローリー
atlanta       NC  Charlotte シャーロット
atlanta       NC  Durham ダーラム
atlanta       SC  Columbia コロンビア
atlanta       SC  Greenville グリーンビル
atlanta       SC  Charleston チャールストン
nashville     TN  Nashville ナッシュビル
nashville     TN  Memphis メンフィス
nashville     TN  Knoxville ノックスビル
nashville     TN  Chattanooga チャタヌーガ
nashville     KY  Louisville ルイビル
nashville     KY  Lexington レキシントン
nashville     KY  Georgetown ジョージタウン
nashville     AR  Little Rock リトルロック
nashville     AR  Fayetteville フェイエットビル
nashville     LA  New Orleans ニューオーリンズ
nashville     LA  Baton Rouge バトンルージュ
nashville     MS  Jackson ジャクソン
nashville     MS  Tupelo テュペロ
miami         FL  Miami マイアミ
miami         FL  Orlando オーランド
miami         FL  Tampa タンパ
miami         FL  Jacksonville ジャクソンビル
houston       TX  Houston ヒューストン
houston       TX  Dallas ダラス
houston       TX  Austin オースティン
houston       TX  San Antonio サンアントニオ
houston       OK  Oklahoma City オクラホマシティ
houston       OK  Tulsa タルサ
denver        CO  Denver デンバー
denver        CO  Boulder ボルダー
denver        CO  Colorado Springs コロラドスプリングス
denver        UT  Salt Lake City ソルトレークシティ
denver        UT  Provo プロボ
denver        NM  Albuquerque アルバカーキ
denver        NM  Santa Fe サンタフェ
denver        WY  Cheyenne シャイアン
denver        WY  Casper キャスパー
seattle       WA  Seattle シアトル
seattle       WA  Spokane スポケーン
seattle       WA  Tacoma タコマ
seattle       WA  Bellevue ベルビュー
seattle       MT  Helena ヘレナ
seattle       MT  Bozeman ボーズマン
seattle       MT  Missoula ミズーラ
# Idaho, Seattle's part: the north.
seattle       ID  Coeur d'Alene コーダレーン
seattle       ID  Sandpoint サンドポイント
seattle       ID  Lewiston ルイストン
# California, San Francisco's part: the central and northern counties.
san-francisco CA  San Francisco サンフランシスコ
san-francisco CA  San Jose サンノゼ
san-francisco CA  Sacramento サクラメント
san-francisco CA  Palo Alto パロアルト
san-francisco CA  Oakland オークランド
san-francisco CA  Fresno フレズノ
san-francisco NV  Las Vegas ラスベガス
san-francisco NV  Reno リノ
san-francisco NV  Carson City カーソンシティ
# California, Los Angeles's part: the 9 southern counties.
los-angeles   CA  Los Angeles ロサンゼルス
los-angeles   CA  San Diego サンディエゴ
los-angeles   CA  Irvine アーバイン
los-angeles   CA  Torrance トーランス
los-angeles   CA  Riverside リバーサイド
los-angeles   AZ  Phoenix フェニックス
los-angeles   AZ  Tucson ツーソン
los-angeles   AZ  Chandler チャンドラー
honolulu      HI  Honolulu ホノルル
honolulu      HI  Hilo ヒロ
honolulu      HI  Kahului カフルイ
honolulu      AS  Pago Pago パゴパゴ
hagatna       GU  Hagåtña ハガッニャ
hagatna       GU  Tamuning タムニン
hagatna       GU  Dededo デデド
hagatna       MP  Saipan サイパン
hagatna       MP  Tinian テニアン
portland      OR  Portland ポートランド
portland      OR  Salem セーラム
portland      OR  Eugene ユージーン
portland      OR  Hillsboro ヒルズボロ
# Idaho, Portland's part: the south.
portland      ID  Boise ボイシ
portland      ID  Idaho Falls アイダホフォールズ
portland      ID  Twin Falls ツインフォールズ
anchorage     AK  Anchorage アンカレジ
anchorage     AK  Fairbanks フェアバンクス
anchorage     AK  Juneau ジュノー
"""


def _parse_cities(table: str) -> dict[tuple[str, str], list[tuple[str, str]]]:
    cities = defaultdict(list)
    for line in table.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        region, state, names = line.split(maxsplit=2)
        english, japanese = names.rsplit(maxsplit=1)
        cities[(region, state)].append((english.strip(), japanese))
    return dict(cities)


CITIES = _parse_cities(CITY_TABLE)

# The county (FIPS code) of each city in the states two districts share by county: a case there
# names its county, which must lie in its region's district (fixtures/counties.json).
CITY_COUNTIES = {
    ("CT", "Stamford"): "09001",
    ("CT", "Greenwich"): "09001",
    ("CT", "Bridgeport"): "09001",
    ("CT", "Norwalk"): "09001",
    ("CT", "Hartford"): "09003",
    ("CT", "New Haven"): "09009",
    ("ID", "Coeur d'Alene"): "16055",
    ("ID", "Sandpoint"): "16017",
    ("ID", "Lewiston"): "16069",
    ("ID", "Boise"): "16001",
    ("ID", "Idaho Falls"): "16019",
    ("ID", "Twin Falls"): "16083",
    ("CA", "San Francisco"): "06075",
    ("CA", "San Jose"): "06085",
    ("CA", "Sacramento"): "06067",
    ("CA", "Palo Alto"): "06085",
    ("CA", "Oakland"): "06001",
    ("CA", "Fresno"): "06019",
    ("CA", "Los Angeles"): "06037",
    ("CA", "San Diego"): "06073",
    ("CA", "Irvine"): "06059",
    ("CA", "Torrance"): "06037",
    ("CA", "Riverside"): "06065",
}

# Each region's district as the generator uses it: (USPS code, weight, cities).
DISTRICTS = {
    region: [(state, weight, CITIES[(region, state)]) for state, weight in weights.items()]
    for region, weights in STATE_WEIGHTS.items()
}

# --- Subjects ---------------------------------------------------------------------------------


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


GROWTH = "ap4-growth-cooperation"
TALENT = "ap4-investment-talent"
AWARENESS = "ap4-awareness"

SUBJECTS = [
    Subject(
        "Japanese investment and jobs",
        "日本企業の投資・雇用",
        "investment-jobs",
        ("manufacturing",),
        AWARENESS,
        10,
        extra_topics=("education-people",),
    ),
    Subject(
        "Japanese companies' contribution to the local economy",
        "日系企業の地域経済への貢献",
        "investment-jobs",
        ("manufacturing",),
        AWARENESS,
        6,
        extra_topics=("agriculture-food", "education-people"),
    ),
    Subject(
        "Japanese investment in the automotive industry",
        "自動車産業への日本企業の投資",
        "investment-jobs",
        ("manufacturing",),
        TALENT,
        5,
        boost={"detroit": 3, "nashville": 3, "atlanta": 2, "chicago": 2, "houston": 1.5},
    ),
    Subject(
        "manufacturing workforce development",
        "製造業の人材育成",
        "investment-jobs",
        ("manufacturing", "education-people"),
        TALENT,
        3.5,
        boost={"detroit": 2, "nashville": 2, "atlanta": 1.5, "chicago": 1.5},
    ),
    Subject(
        "semiconductor supply chains",
        "半導体サプライチェーン",
        "supply-chain",
        ("semiconductors",),
        GROWTH,
        5,
        extra_topics=("dual-use-economic-security",),
        since=2021,
        boost={"los-angeles": 2, "houston": 2, "new-york": 1.5, "san-francisco": 2, "denver": 1.5},
    ),
    Subject(
        "battery and electric-vehicle supply chains",
        "蓄電池・電気自動車のサプライチェーン",
        "supply-chain",
        ("manufacturing", "energy"),
        GROWTH,
        4,
        since=2021,
        boost={"atlanta": 2.5, "nashville": 2.5, "detroit": 2, "chicago": 1.5},
    ),
    Subject(
        "Japan–US supply-chain cooperation",
        "日米サプライチェーン協力",
        "supply-chain",
        ("manufacturing",),
        GROWTH,
        4,
        extra_topics=("semiconductors", "agriculture-food"),
        since=2019,
    ),
    Subject(
        "LNG and energy cooperation",
        "LNG・エネルギー協力",
        "supply-chain",
        ("energy",),
        GROWTH,
        2.5,
        boost={"houston": 4, "anchorage": 4, "nashville": 2, "washington-dc": 1.5},
    ),
    Subject(
        "hydrogen and clean-energy technology",
        "水素・クリーンエネルギー技術",
        "japanese-companies",
        ("energy", "science-innovation"),
        GROWTH,
        3,
        since=2020,
        boost={"houston": 2, "los-angeles": 2, "honolulu": 2, "denver": 1.5},
    ),
    Subject(
        "Japanese rail and transport technology",
        "日本の鉄道・交通技術",
        "japanese-companies",
        ("transport-infrastructure",),
        GROWTH,
        2.5,
        boost={"houston": 2, "washington-dc": 2, "miami": 2, "los-angeles": 1.5},
    ),
    Subject(
        "Japanese technology for infrastructure and disaster resilience",
        "インフラ・防災分野の日本の技術",
        "japanese-companies",
        ("transport-infrastructure",),
        GROWTH,
        2,
        extra_topics=("science-innovation",),
        boost={"honolulu": 3, "hagatna": 3, "seattle": 2, "portland": 2, "miami": 2},
    ),
    Subject(
        "ports and logistics",
        "港湾・物流",
        "supply-chain",
        ("transport-infrastructure",),
        GROWTH,
        2,
        boost={"seattle": 2, "los-angeles": 2, "houston": 2, "atlanta": 1.5, "anchorage": 2},
    ),
    Subject(
        "Japan–US start-up collaboration",
        "日米スタートアップ連携",
        "japanese-companies",
        ("startups",),
        GROWTH,
        4,
        extra_topics=("science-innovation",),
        since=2019,
        boost={
            "san-francisco": 3,
            "boston": 2.5,
            "new-york": 2,
            "los-angeles": 1.5,
            "seattle": 1.5,
        },
    ),
    Subject(
        "life sciences and medical technology",
        "ライフサイエンス・医療技術",
        "japanese-companies",
        ("health-biotech",),
        GROWTH,
        3,
        extra_topics=("science-innovation",),
        boost={"boston": 3, "san-francisco": 2, "los-angeles": 1.5, "washington-dc": 1.5},
    ),
    Subject(
        "science and innovation partnerships",
        "科学技術・イノベーション協力",
        "japanese-companies",
        ("science-innovation",),
        GROWTH,
        3,
        extra_topics=("startups", "education-people"),
    ),
    Subject(
        "women in science and technology",
        "科学技術分野における女性の活躍",
        "japan-events",
        ("stem-women",),
        TALENT,
        2,
        extra_topics=("education-people", "health-biotech"),
    ),
    Subject(
        "semiconductor talent and research",
        "半導体人材・研究",
        "japanese-companies",
        ("semiconductors", "education-people"),
        TALENT,
        1.5,
        since=2022,
        boost={"los-angeles": 2, "new-york": 2, "san-francisco": 1.5, "houston": 1.5},
    ),
    Subject(
        "economic security and critical technologies",
        "経済安全保障と重要技術",
        "supply-chain",
        ("dual-use-economic-security",),
        GROWTH,
        2,
        extra_topics=("semiconductors", "science-innovation"),
        since=2022,
        boost={"washington-dc": 3},
    ),
    Subject(
        "dual-use technology",
        "デュアルユース技術",
        "japanese-companies",
        ("dual-use-economic-security",),
        GROWTH,
        1.5,
        extra_topics=("startups",),
        since=2023,
        boost={"washington-dc": 2, "san-francisco": 2, "los-angeles": 1.5},
    ),
    Subject(
        "agriculture and food trade",
        "農業・食品貿易",
        "supply-chain",
        ("agriculture-food",),
        AWARENESS,
        3,
        boost={"chicago": 2.5, "seattle": 1.5, "portland": 2, "nashville": 1.5, "denver": 1.5},
    ),
    Subject(
        "Japanese food culture",
        "日本の食文化",
        "japan-events",
        ("agriculture-food", "culture"),
        AWARENESS,
        2,
    ),
    Subject(
        "Japanese culture and language",
        "日本文化・日本語",
        "japan-events",
        ("culture",),
        AWARENESS,
        5,
        extra_topics=("education-people",),
    ),
    Subject(
        "Japan–US grassroots exchange",
        "日米草の根交流",
        "japan-events",
        ("education-people",),
        AWARENESS,
        4,
        extra_topics=("culture",),
    ),
    Subject(
        "talent development and youth exchange",
        "人材育成・青少年交流",
        "japan-events",
        ("education-people",),
        TALENT,
        2,
    ),
    Subject(
        "air links and tourism with Japan",
        "日本との航空路線・観光交流",
        "japan-events",
        ("transport-infrastructure",),
        AWARENESS,
        0.5,
        extra_topics=("culture",),
        boost={"hagatna": 12, "honolulu": 8, "anchorage": 6},
    ),
]

# --- Formats, titles and summaries ------------------------------------------------------------

# Relative weight of each format by line of work (invented).
FORMAT_WEIGHTS = {
    "investment-jobs": {
        CaseFormat.SEMINAR: 30,
        CaseFormat.LECTURE: 12,
        CaseFormat.SYMPOSIUM: 8,
        CaseFormat.VISIT: 16,
        CaseFormat.PANEL: 10,
        CaseFormat.WORKSHOP: 8,
        CaseFormat.RECEPTION: 10,
        CaseFormat.BUSINESS_MATCHING: 4,
        CaseFormat.EXHIBITION: 2,
    },
    "japanese-companies": {
        CaseFormat.SEMINAR: 22,
        CaseFormat.WORKSHOP: 14,
        CaseFormat.BUSINESS_MATCHING: 14,
        CaseFormat.EXHIBITION: 10,
        CaseFormat.PANEL: 10,
        CaseFormat.VISIT: 10,
        CaseFormat.SYMPOSIUM: 8,
        CaseFormat.LECTURE: 6,
        CaseFormat.RECEPTION: 6,
    },
    "supply-chain": {
        CaseFormat.SEMINAR: 25,
        CaseFormat.WORKSHOP: 20,
        CaseFormat.BUSINESS_MATCHING: 15,
        CaseFormat.PANEL: 12,
        CaseFormat.SYMPOSIUM: 10,
        CaseFormat.VISIT: 10,
        CaseFormat.LECTURE: 5,
        CaseFormat.RECEPTION: 3,
    },
    "japan-events": {
        CaseFormat.RECEPTION: 20,
        CaseFormat.LECTURE: 18,
        CaseFormat.EXHIBITION: 16,
        CaseFormat.SEMINAR: 12,
        CaseFormat.PANEL: 8,
        CaseFormat.WORKSHOP: 8,
        CaseFormat.SYMPOSIUM: 6,
        CaseFormat.VISIT: 6,
        CaseFormat.BUSINESS_MATCHING: 1,
    },
}

# Formats that can be held online, and the share of those that were, per fiscal year (the
# pandemic moved most events online in FY2020).
ONLINE_FORMATS = (CaseFormat.SEMINAR, CaseFormat.LECTURE, CaseFormat.PANEL)
ONLINE_SHARE = {2020: 0.95, 2021: 0.35, 2022: 0.1, 2023: 0.05, 2024: 0.05}
# In FY2020 in-person formats were rare: their weight is multiplied by this.
PANDEMIC_IN_PERSON_FACTOR = 0.12

# Format names inside sentences: (English noun, Japanese noun).
FORMAT_NOUNS = {
    CaseFormat.WORKSHOP: ("workshop", "ワークショップ"),
    CaseFormat.SEMINAR: ("seminar", "セミナー"),
    CaseFormat.PANEL: ("panel discussion", "パネルディスカッション"),
    CaseFormat.SYMPOSIUM: ("symposium", "シンポジウム"),
    CaseFormat.VISIT: ("site visit", "現地視察"),
    CaseFormat.BUSINESS_MATCHING: ("business-matching event", "ビジネスマッチング"),
    CaseFormat.RECEPTION: ("reception", "レセプション"),
    CaseFormat.EXHIBITION: ("exhibition", "展示会"),
    CaseFormat.LECTURE: ("lecture", "講演会"),
    CaseFormat.OTHER: ("campaign", "キャンペーン"),
}

# Title templates by format: (English, Japanese). {subject}/{subject_ja} is the subject,
# {state}/{state_ja} the state (or territory, or D.C.), {city}/{city_ja} the city.
TITLES = {
    CaseFormat.WORKSHOP: [
        ("Workshop on {subject}, {city}", "{subject_ja}に関するワークショップ（{city_ja}）")
    ],
    CaseFormat.SEMINAR: [
        ("Seminar on {subject} in {state}", "{state_ja}における{subject_ja}に関するセミナー"),
        ("Seminar on {subject}, {city}", "{subject_ja}に関するセミナー（{city_ja}）"),
    ],
    CaseFormat.PANEL: [
        (
            "Panel discussion on {subject}, {city}",
            "{subject_ja}に関するパネルディスカッション（{city_ja}）",
        )
    ],
    CaseFormat.SYMPOSIUM: [
        (
            "Symposium on {subject} in {state}",
            "{state_ja}における{subject_ja}に関するシンポジウム",
        ),
        (
            "Japan–US symposium on {subject}, {city}",
            "{subject_ja}に関する日米シンポジウム（{city_ja}）",
        ),
    ],
    CaseFormat.VISIT: [
        ("Site visit on {subject}, {city}", "{subject_ja}に関する現地視察（{city_ja}）")
    ],
    CaseFormat.BUSINESS_MATCHING: [
        (
            "Business-matching event on {subject}, {city}",
            "{subject_ja}に関するビジネスマッチング（{city_ja}）",
        )
    ],
    CaseFormat.RECEPTION: [
        (
            "Reception highlighting {subject}, {city}",
            "{subject_ja}をテーマとするレセプション（{city_ja}）",
        )
    ],
    CaseFormat.EXHIBITION: [
        ("Exhibition on {subject}, {city}", "{subject_ja}に関する展示会（{city_ja}）")
    ],
    CaseFormat.LECTURE: [
        ("Lecture on {subject} in {state}", "{state_ja}における{subject_ja}に関する講演会"),
        ("Public lecture on {subject}, {city}", "{subject_ja}に関する講演会（{city_ja}）"),
    ],
}
ONLINE_TITLES = {
    CaseFormat.SEMINAR: [
        (
            "Online seminar on {subject} in {state}",
            "{state_ja}における{subject_ja}に関するオンラインセミナー",
        ),
        (
            "Online seminar on {subject}, {city}",
            "{subject_ja}に関するオンラインセミナー（{city_ja}）",
        ),
    ],
    CaseFormat.LECTURE: [
        (
            "Online lecture on {subject} in {state}",
            "{state_ja}における{subject_ja}に関するオンライン講演会",
        )
    ],
    CaseFormat.PANEL: [
        (
            "Online panel discussion on {subject}, {city}",
            "{subject_ja}に関するオンラインパネルディスカッション（{city_ja}）",
        )
    ],
}
# Cases with no single state: (format, online, English title, Japanese title, what was held in
# a summary's English and Japanese sentence).
NATIONWIDE_KINDS = [
    (
        CaseFormat.SEMINAR,
        True,
        "Nationwide online seminar on {subject}",
        "{subject_ja}に関する全米向けオンラインセミナー",
        "a nationwide online seminar on {subject}",
        "{subject_ja}に関する全米向けオンラインセミナーを",
    ),
    (
        CaseFormat.OTHER,
        False,
        "Nationwide campaign on {subject}",
        "{subject_ja}に関する全米キャンペーン",
        "a nationwide campaign on {subject}",
        "{subject_ja}に関する全米キャンペーンを",
    ),
    (
        CaseFormat.LECTURE,
        False,
        "Lecture series on {subject} across the US",
        "{subject_ja}に関する全米講演シリーズ",
        "a lecture series on {subject} across the US",
        "{subject_ja}に関する全米講演シリーズを",
    ),
]

# One sentence per line of work for a held case's summary: (English, Japanese).
LINE_SENTENCES = {
    "investment-jobs": (
        "Speakers showed how Japanese companies invest and create jobs in {state}.",
        "{state_ja}における日本企業の投資と雇用創出への貢献を紹介した。",
    ),
    "japanese-companies": (
        "Japanese-affiliated companies presented their technology and met local partners.",
        "日系企業が技術や取組を紹介し、現地関係者との連携を深めた。",
    ),
    "supply-chain": (
        "Participants discussed how Japan and the US can strengthen their supply chains together.",
        "日米サプライチェーンの強化に向けた協力について意見交換を行った。",
    ),
    "japan-events": (
        "The event introduced Japan to local audiences and deepened grassroots ties.",
        "地域の人々に日本を紹介し、草の根の交流を深めた。",
    ),
}

# Sentences naming partners by role: (English label, Japanese label).
ROLE_LABELS = {
    PartnerRole.CO_HOST: ("Co-host", "共催"),
    PartnerRole.SPEAKER: ("Speakers", "登壇"),
    PartnerRole.SPONSOR: ("Sponsor", "協賛"),
    PartnerRole.PARTICIPANT: ("Also taking part", "参加"),
}

# Participant counts by format: (fewest, most). Invented; a campaign (other) has no count.
PARTICIPANT_RANGES = {
    CaseFormat.WORKSHOP: (20, 120),
    CaseFormat.SEMINAR: (30, 250),
    CaseFormat.PANEL: (30, 200),
    CaseFormat.SYMPOSIUM: (60, 400),
    CaseFormat.VISIT: (20, 60),
    CaseFormat.BUSINESS_MATCHING: (20, 150),
    CaseFormat.RECEPTION: (50, 300),
    CaseFormat.EXHIBITION: (100, 400),
    CaseFormat.LECTURE: (20, 200),
}
ONLINE_PARTICIPANTS = (40, 400)

# Formats that may run over more than one day: (share that does, longest in days).
MULTI_DAY = {
    CaseFormat.EXHIBITION: (0.5, 3),
    CaseFormat.SYMPOSIUM: (0.3, 2),
    CaseFormat.VISIT: (0.3, 2),
    CaseFormat.BUSINESS_MATCHING: (0.2, 2),
}

# --- Partners ---------------------------------------------------------------------------------


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


GOV = PartnerKind.STATE_LOCAL_GOVERNMENT
FED = PartnerKind.FEDERAL_AGENCY
CHAMBER = PartnerKind.CHAMBER
UNI = PartnerKind.UNIVERSITY
JP_CO = PartnerKind.JAPANESE_COMPANY
US_CO = PartnerKind.US_COMPANY
STARTUP = PartnerKind.STARTUP
PORT = PartnerKind.AIRPORT_PORT
NPO = PartnerKind.NONPROFIT
PRO = PartnerKind.PROFESSIONAL
OTHER = PartnerKind.OTHER

BUSINESS = ("investment-jobs", "japanese-companies", "supply-chain", "startups")
CULTURE = ("culture", "education-people", "japan-events")

# Partners of the real best practices (named by the source).
GREATER_MIAMI_CHAMBER = "Greater Miami Chamber of Commerce"
MIAMI_DADE_TRANSPORT = "Miami-Dade County Department of Transportation and Public Works"
MIAMI_AIRPORT = "Miami International Airport"
JAPANESE_TRANSPORT_COMPANIES = "Japanese transport companies"
US_TRANSPORT_COMPANIES = "US transport companies"
JMSA = "Japanese Medical Society of America"
DIU = "Defense Innovation Unit (DIU), U.S. Department of Defense"
JAPANESE_COMPANIES_AND_STARTUPS = "Japanese companies, start-ups included"
US_COMPANIES_AND_STARTUPS = "US companies, start-ups included"

# The pool: official-pattern names of governments, chambers, Japan-America Societies,
# universities, ports and professional bodies; companies only as clearly generic groups, never
# as a named firm. Websites only where the address is the organisation's well-known one.
PARTNERS = [
    # Federal agencies (count as national wherever they sit).
    PartnerSpec(
        DIU,
        "米国国防総省ディフェンス・イノベーション・ユニット（DIU）",
        FED,
        "CA",
        "san-francisco",
        "https://www.diu.mil/",
        ("dual-use-economic-security",),
    ),
    PartnerSpec(
        "U.S. Department of Commerce",
        "米国商務省",
        FED,
        "DC",
        topics=("investment-jobs", "supply-chain", "semiconductors"),
    ),
    PartnerSpec(
        "SelectUSA, U.S. Department of Commerce",
        "米国商務省セレクトUSA",
        FED,
        "DC",
        topics=("investment-jobs",),
    ),
    PartnerSpec("U.S. Department of Energy", "米国エネルギー省", FED, "DC", topics=("energy",)),
    PartnerSpec(
        "U.S. Department of Transportation",
        "米国運輸省",
        FED,
        "DC",
        topics=("transport-infrastructure",),
    ),
    PartnerSpec(
        "U.S. Department of Agriculture", "米国農務省", FED, "DC", topics=("agriculture-food",)
    ),
    # Japanese public bodies.
    PartnerSpec(
        "Japan External Trade Organization (JETRO)",
        "日本貿易振興機構（ジェトロ）",
        OTHER,
        None,
        website="https://www.jetro.go.jp/",
        topics=BUSINESS,
    ),
    PartnerSpec("JETRO New York", "ジェトロ・ニューヨーク", OTHER, "NY", topics=BUSINESS),
    PartnerSpec("JETRO Chicago", "ジェトロ・シカゴ", OTHER, "IL", topics=BUSINESS),
    PartnerSpec("JETRO Houston", "ジェトロ・ヒューストン", OTHER, "TX", topics=BUSINESS),
    PartnerSpec("JETRO Atlanta", "ジェトロ・アトランタ", OTHER, "GA", topics=BUSINESS),
    PartnerSpec(
        "JETRO Los Angeles", "ジェトロ・ロサンゼルス", OTHER, "CA", "los-angeles", topics=BUSINESS
    ),
    PartnerSpec(
        "JETRO San Francisco",
        "ジェトロ・サンフランシスコ",
        OTHER,
        "CA",
        "san-francisco",
        topics=BUSINESS,
    ),
    PartnerSpec(
        "The Japan Foundation, New York",
        "国際交流基金ニューヨーク日本文化センター",
        OTHER,
        "NY",
        topics=CULTURE,
    ),
    PartnerSpec(
        "The Japan Foundation, Los Angeles",
        "国際交流基金ロサンゼルス日本文化センター",
        OTHER,
        "CA",
        "los-angeles",
        topics=CULTURE,
    ),
    # State, territorial and local governments.
    PartnerSpec(
        "Ohio Department of Development",
        "オハイオ州開発局",
        GOV,
        "OH",
        website="https://development.ohio.gov/",
    ),
    PartnerSpec(
        "Michigan Economic Development Corporation",
        "ミシガン州経済開発公社",
        GOV,
        "MI",
        website="https://www.michiganbusiness.org/",
    ),
    PartnerSpec("Georgia Department of Economic Development", "ジョージア州経済開発局", GOV, "GA"),
    PartnerSpec(
        "Tennessee Department of Economic and Community Development",
        "テネシー州経済・地域開発局",
        GOV,
        "TN",
    ),
    PartnerSpec(
        "Indiana Economic Development Corporation", "インディアナ州経済開発公社", GOV, "IN"
    ),
    PartnerSpec(
        "Kentucky Cabinet for Economic Development", "ケンタッキー州経済開発局", GOV, "KY"
    ),
    PartnerSpec("North Carolina Department of Commerce", "ノースカロライナ州商務局", GOV, "NC"),
    PartnerSpec("South Carolina Department of Commerce", "サウスカロライナ州商務局", GOV, "SC"),
    PartnerSpec("Alabama Department of Commerce", "アラバマ州商務局", GOV, "AL"),
    PartnerSpec(
        "Illinois Department of Commerce and Economic Opportunity",
        "イリノイ州商務・経済機会局",
        GOV,
        "IL",
    ),
    PartnerSpec("Arizona Commerce Authority", "アリゾナ州商務庁", GOV, "AZ"),
    PartnerSpec("Washington State Department of Commerce", "ワシントン州商務局", GOV, "WA"),
    PartnerSpec("Business Oregon", "ビジネス・オレゴン（オレゴン州経済開発局）", GOV, "OR"),
    PartnerSpec(
        "Colorado Office of Economic Development and International Trade",
        "コロラド州経済開発・国際貿易局",
        GOV,
        "CO",
    ),
    PartnerSpec(
        "Virginia Economic Development Partnership", "バージニア州経済開発公社", GOV, "VA"
    ),
    PartnerSpec("Maryland Department of Commerce", "メリーランド州商務局", GOV, "MD"),
    PartnerSpec("Empire State Development", "ニューヨーク州経済開発公社", GOV, "NY"),
    PartnerSpec(
        "New Jersey Economic Development Authority", "ニュージャージー州経済開発公社", GOV, "NJ"
    ),
    PartnerSpec(
        "Pennsylvania Department of Community and Economic Development",
        "ペンシルベニア州地域・経済開発局",
        GOV,
        "PA",
    ),
    PartnerSpec(
        "Massachusetts Executive Office of Economic Development",
        "マサチューセッツ州経済開発局",
        GOV,
        "MA",
    ),
    PartnerSpec("Florida Department of Commerce", "フロリダ州商務局", GOV, "FL"),
    PartnerSpec(
        "California Governor's Office of Business and Economic Development",
        "カリフォルニア州知事室ビジネス・経済開発局",
        GOV,
        "CA",
    ),
    PartnerSpec(
        "Texas Governor's Office of Economic Development and Tourism",
        "テキサス州知事室経済開発・観光局",
        GOV,
        "TX",
    ),
    PartnerSpec("Louisiana Economic Development", "ルイジアナ州経済開発局", GOV, "LA"),
    PartnerSpec("Mississippi Development Authority", "ミシシッピ州開発公社", GOV, "MS"),
    PartnerSpec(
        "Wisconsin Economic Development Corporation", "ウィスコンシン州経済開発公社", GOV, "WI"
    ),
    PartnerSpec(
        "Minnesota Department of Employment and Economic Development",
        "ミネソタ州雇用・経済開発局",
        GOV,
        "MN",
    ),
    PartnerSpec("Missouri Department of Economic Development", "ミズーリ州経済開発局", GOV, "MO"),
    PartnerSpec("Iowa Economic Development Authority", "アイオワ州経済開発庁", GOV, "IA"),
    PartnerSpec("Kansas Department of Commerce", "カンザス州商務局", GOV, "KS"),
    PartnerSpec(
        "Arkansas Economic Development Commission", "アーカンソー州経済開発委員会", GOV, "AR"
    ),
    PartnerSpec("Oklahoma Department of Commerce", "オクラホマ州商務局", GOV, "OK"),
    PartnerSpec(
        "Utah Governor's Office of Economic Opportunity", "ユタ州知事室経済機会局", GOV, "UT"
    ),
    PartnerSpec(
        "Nevada Governor's Office of Economic Development", "ネバダ州知事室経済開発局", GOV, "NV"
    ),
    PartnerSpec("Idaho Department of Commerce", "アイダホ州商務局", GOV, "ID"),
    PartnerSpec("Montana Department of Commerce", "モンタナ州商務局", GOV, "MT"),
    PartnerSpec(
        "Hawaii Department of Business, Economic Development and Tourism",
        "ハワイ州産業経済開発観光局",
        GOV,
        "HI",
    ),
    PartnerSpec(
        "Alaska Department of Commerce, Community, and Economic Development",
        "アラスカ州商務・地域・経済開発局",
        GOV,
        "AK",
    ),
    PartnerSpec("Guam Economic Development Authority", "グアム経済開発公社", GOV, "GU"),
    PartnerSpec(
        "Commonwealth of the Northern Mariana Islands Department of Commerce",
        "北マリアナ諸島自治連邦区商務局",
        GOV,
        "MP",
    ),
    PartnerSpec(
        MIAMI_DADE_TRANSPORT,
        "マイアミデイド郡交通局",
        GOV,
        "FL",
        website="https://www.miamidade.gov/",
        topics=("transport-infrastructure",),
    ),
    # Chambers and business associations.
    PartnerSpec(
        GREATER_MIAMI_CHAMBER,
        "広域マイアミ圏商工会",
        CHAMBER,
        "FL",
        website="https://www.miamichamber.com/",
    ),
    PartnerSpec(
        "Japanese Chamber of Commerce and Industry of New York",
        "ニューヨーク日本商工会議所",
        CHAMBER,
        "NY",
    ),
    PartnerSpec(
        "Japanese Chamber of Commerce and Industry of Chicago",
        "シカゴ日本商工会議所",
        CHAMBER,
        "IL",
    ),
    PartnerSpec(
        "Japan Business Association of Southern California",
        "南カリフォルニア日系企業協会",
        CHAMBER,
        "CA",
        "los-angeles",
    ),
    PartnerSpec(
        "Japanese Chamber of Commerce of Northern California",
        "北加日本商工会議所",
        CHAMBER,
        "CA",
        "san-francisco",
    ),
    PartnerSpec("Japan Business Society of Detroit", "デトロイト日本商工会", CHAMBER, "MI"),
    PartnerSpec("Japan Business Association of Houston", "ヒューストン日本商工会", CHAMBER, "TX"),
    PartnerSpec(
        "Japanese Chamber of Commerce of Georgia", "ジョージア日本商工会議所", CHAMBER, "GA"
    ),
    PartnerSpec(
        "Honolulu Japanese Chamber of Commerce", "ホノルル日本人商工会議所", CHAMBER, "HI"
    ),
    PartnerSpec("Ohio Chamber of Commerce", "オハイオ州商工会議所", CHAMBER, "OH"),
    PartnerSpec(
        "Tennessee Chamber of Commerce and Industry", "テネシー州商工会議所", CHAMBER, "TN"
    ),
    PartnerSpec("Kentucky Chamber of Commerce", "ケンタッキー州商工会議所", CHAMBER, "KY"),
    PartnerSpec("Detroit Regional Chamber", "デトロイト地域商工会議所", CHAMBER, "MI"),
    PartnerSpec(
        "Greater Houston Partnership", "グレーター・ヒューストン・パートナーシップ", CHAMBER, "TX"
    ),
    PartnerSpec(
        "Greater Phoenix Economic Council", "グレーター・フェニックス経済評議会", CHAMBER, "AZ"
    ),
    PartnerSpec("Denver Metro Chamber of Commerce", "デンバー都市圏商工会議所", CHAMBER, "CO"),
    PartnerSpec(
        "Greater Boston Chamber of Commerce", "グレーター・ボストン商工会議所", CHAMBER, "MA"
    ),
    PartnerSpec(
        "Seattle Metropolitan Chamber of Commerce", "シアトル都市圏商工会議所", CHAMBER, "WA"
    ),
    PartnerSpec(
        "Portland Business Alliance", "ポートランド・ビジネス・アライアンス", CHAMBER, "OR"
    ),
    PartnerSpec(
        "Anchorage Economic Development Corporation", "アンカレジ経済開発公社", CHAMBER, "AK"
    ),
    PartnerSpec("Guam Chamber of Commerce", "グアム商工会議所", CHAMBER, "GU"),
    # Japan-America Societies and other non-profits.
    PartnerSpec("Japan Society", "ジャパン・ソサエティー", NPO, "NY"),
    PartnerSpec("Japan-America Society of Washington DC", "ワシントン日米協会", NPO, "DC"),
    PartnerSpec("Japan Society of Boston", "ボストン日本協会", NPO, "MA"),
    PartnerSpec("Japan America Society of Chicago", "シカゴ日米協会", NPO, "IL"),
    PartnerSpec("Japan-America Society of Georgia", "ジョージア日米協会", NPO, "GA"),
    PartnerSpec("Japan-America Society of Tennessee", "テネシー日米協会", NPO, "TN"),
    PartnerSpec("Japan-America Society of Kentucky", "ケンタッキー日米協会", NPO, "KY"),
    PartnerSpec("Japan-America Society of Alabama", "アラバマ日米協会", NPO, "AL"),
    PartnerSpec("Japan-America Society of Indiana", "インディアナ日米協会", NPO, "IN"),
    PartnerSpec(
        "Japan-America Society of Central Ohio", "セントラル・オハイオ日米協会", NPO, "OH"
    ),
    PartnerSpec("Japan America Society of Minnesota", "ミネソタ日米協会", NPO, "MN"),
    PartnerSpec(
        "Japan-America Society of Greater Philadelphia", "フィラデルフィア日米協会", NPO, "PA"
    ),
    PartnerSpec("Japan America Society of Houston", "ヒューストン日米協会", NPO, "TX"),
    PartnerSpec(
        "Japan-America Society of Dallas/Fort Worth", "ダラス・フォートワース日米協会", NPO, "TX"
    ),
    PartnerSpec("Japan America Society of Colorado", "コロラド日米協会", NPO, "CO"),
    PartnerSpec(
        "Japan-America Society of the State of Washington", "ワシントン州日米協会", NPO, "WA"
    ),
    PartnerSpec("Japan-America Society of Oregon", "オレゴン日米協会", NPO, "OR"),
    PartnerSpec(
        "Japan Society of Northern California",
        "北カリフォルニア日米協会",
        NPO,
        "CA",
        "san-francisco",
    ),
    PartnerSpec(
        "Japan America Society of Southern California",
        "南カリフォルニア日米協会",
        NPO,
        "CA",
        "los-angeles",
    ),
    PartnerSpec("Japan-America Society of Hawaii", "ハワイ日米協会", NPO, "HI"),
    PartnerSpec("Japan-America Society of Alaska", "アラスカ日米協会", NPO, "AK"),
    PartnerSpec("Japan-America Society of South Florida", "南フロリダ日米協会", NPO, "FL"),
    # Universities.
    PartnerSpec("University of Michigan", "ミシガン大学", UNI, "MI"),
    PartnerSpec("The Ohio State University", "オハイオ州立大学", UNI, "OH"),
    PartnerSpec("Purdue University", "パデュー大学", UNI, "IN"),
    PartnerSpec(
        "University of Illinois Urbana-Champaign",
        "イリノイ大学アーバナ・シャンペーン校",
        UNI,
        "IL",
    ),
    PartnerSpec("University of Minnesota", "ミネソタ大学", UNI, "MN"),
    PartnerSpec("Georgia Institute of Technology", "ジョージア工科大学", UNI, "GA"),
    PartnerSpec("North Carolina State University", "ノースカロライナ州立大学", UNI, "NC"),
    PartnerSpec("University of Tennessee, Knoxville", "テネシー大学ノックスビル校", UNI, "TN"),
    PartnerSpec("University of Kentucky", "ケンタッキー大学", UNI, "KY"),
    PartnerSpec("Louisiana State University", "ルイジアナ州立大学", UNI, "LA"),
    PartnerSpec("Florida International University", "フロリダ国際大学", UNI, "FL"),
    PartnerSpec("The University of Texas at Austin", "テキサス大学オースティン校", UNI, "TX"),
    PartnerSpec("University of Colorado Boulder", "コロラド大学ボルダー校", UNI, "CO"),
    PartnerSpec("University of Utah", "ユタ大学", UNI, "UT"),
    PartnerSpec("Arizona State University", "アリゾナ州立大学", UNI, "AZ"),
    PartnerSpec(
        "University of California, San Diego",
        "カリフォルニア大学サンディエゴ校",
        UNI,
        "CA",
        "los-angeles",
    ),
    PartnerSpec(
        "University of California, Davis",
        "カリフォルニア大学デービス校",
        UNI,
        "CA",
        "san-francisco",
    ),
    PartnerSpec("University of Nevada, Reno", "ネバダ大学リノ校", UNI, "NV"),
    PartnerSpec("University of Washington", "ワシントン大学", UNI, "WA"),
    PartnerSpec("University of Idaho", "アイダホ大学", UNI, "ID", "seattle"),
    PartnerSpec("Boise State University", "ボイシ州立大学", UNI, "ID", "portland"),
    PartnerSpec("Portland State University", "ポートランド州立大学", UNI, "OR"),
    PartnerSpec("Massachusetts Institute of Technology", "マサチューセッツ工科大学", UNI, "MA"),
    PartnerSpec("University of Connecticut", "コネチカット大学", UNI, "CT", "boston"),
    PartnerSpec("University of Maryland", "メリーランド大学", UNI, "MD"),
    PartnerSpec("University of Pittsburgh", "ピッツバーグ大学", UNI, "PA"),
    PartnerSpec("University of Puerto Rico", "プエルトリコ大学", UNI, "PR"),
    PartnerSpec("University of Hawaiʻi at Mānoa", "ハワイ大学マノア校", UNI, "HI"),
    PartnerSpec("University of Guam", "グアム大学", UNI, "GU"),
    PartnerSpec("University of Alaska Anchorage", "アラスカ大学アンカレジ校", UNI, "AK"),
    # Airports and ports.
    PartnerSpec(
        MIAMI_AIRPORT,
        "マイアミ国際空港",
        PORT,
        "FL",
        website="https://www.miami-airport.com/",
        topics=("transport-infrastructure",),
    ),
    PartnerSpec(
        "Port of Los Angeles",
        "ロサンゼルス港",
        PORT,
        "CA",
        "los-angeles",
        topics=("transport-infrastructure", "supply-chain"),
    ),
    PartnerSpec(
        "Port of Long Beach",
        "ロングビーチ港",
        PORT,
        "CA",
        "los-angeles",
        topics=("transport-infrastructure", "supply-chain"),
    ),
    PartnerSpec(
        "Port of Oakland",
        "オークランド港",
        PORT,
        "CA",
        "san-francisco",
        topics=("transport-infrastructure", "supply-chain"),
    ),
    PartnerSpec(
        "Port of Seattle",
        "シアトル港",
        PORT,
        "WA",
        topics=("transport-infrastructure", "supply-chain"),
    ),
    PartnerSpec(
        "Port of Portland",
        "ポートランド港",
        PORT,
        "OR",
        topics=("transport-infrastructure", "supply-chain"),
    ),
    PartnerSpec(
        "Port Houston",
        "ヒューストン港",
        PORT,
        "TX",
        topics=("transport-infrastructure", "supply-chain", "energy"),
    ),
    PartnerSpec(
        "Georgia Ports Authority",
        "ジョージア州港湾局",
        PORT,
        "GA",
        topics=("transport-infrastructure", "supply-chain"),
    ),
    PartnerSpec(
        "Port Authority of Guam",
        "グアム港湾局",
        PORT,
        "GU",
        topics=("transport-infrastructure", "supply-chain"),
    ),
    PartnerSpec(
        "Ted Stevens Anchorage International Airport",
        "テッド・スティーブンス・アンカレジ国際空港",
        PORT,
        "AK",
        topics=("transport-infrastructure", "supply-chain"),
    ),
    # Professional associations.
    PartnerSpec(
        JMSA,
        "米国日本人医師会",
        PRO,
        "NY",
        website="https://www.jmsa.org/",
        topics=("health-biotech", "stem-women"),
    ),
    PartnerSpec(
        "Society of Women Engineers",
        "女性技術者協会",
        PRO,
        "IL",
        topics=("stem-women",),
    ),
    PartnerSpec(
        "American Society of Civil Engineers",
        "米国土木学会",
        PRO,
        "VA",
        topics=("transport-infrastructure",),
    ),
    # Companies: only as generic groups (the source names none), so that no demo record can be
    # mistaken for a statement about a real firm.
    PartnerSpec(
        JAPANESE_TRANSPORT_COMPANIES,
        "日本の輸送関係企業",
        JP_CO,
        topics=("transport-infrastructure",),
    ),
    PartnerSpec(
        US_TRANSPORT_COMPANIES,
        "米国の輸送関係企業",
        US_CO,
        topics=("transport-infrastructure",),
    ),
    PartnerSpec(
        JAPANESE_COMPANIES_AND_STARTUPS,
        "日本企業（スタートアップを含む）",
        JP_CO,
        topics=("dual-use-economic-security",),
    ),
    PartnerSpec(
        US_COMPANIES_AND_STARTUPS,
        "米国企業（スタートアップを含む）",
        US_CO,
        topics=("dual-use-economic-security",),
    ),
    PartnerSpec(
        "Japanese-affiliated manufacturers", "日系製造業企業", JP_CO, topics=("manufacturing",)
    ),
    PartnerSpec(
        "Japanese-affiliated automotive suppliers",
        "日系自動車部品メーカー",
        JP_CO,
        topics=("manufacturing",),
    ),
    PartnerSpec(
        "US semiconductor companies", "米国の半導体関連企業", US_CO, topics=("semiconductors",)
    ),
    PartnerSpec(
        "Japanese energy companies", "日本のエネルギー関連企業", JP_CO, topics=("energy",)
    ),
    PartnerSpec(
        "Japanese food and beverage companies",
        "日本の食品・飲料企業",
        JP_CO,
        topics=("agriculture-food",),
    ),
    PartnerSpec(
        "Japanese start-ups",
        "日本のスタートアップ企業",
        STARTUP,
        topics=("startups", "science-innovation"),
    ),
    PartnerSpec(
        "US start-ups",
        "米国のスタートアップ企業",
        STARTUP,
        topics=("startups", "science-innovation"),
    ),
]

# How likely each kind of partner is to take part (before topic and place), and how much a
# topic raises it.
KIND_WEIGHTS = {
    GOV: 3,
    CHAMBER: 3,
    NPO: 2.5,
    UNI: 2,
    OTHER: 1.5,
    FED: 0.8,
    PORT: 1,
    PRO: 1,
    JP_CO: 0.6,
    US_CO: 0.4,
    STARTUP: 0.8,
}
TOPIC_KIND_BOOSTS = {
    "transport-infrastructure": {PORT: 4, GOV: 1.5},
    "stem-women": {PRO: 5, UNI: 2},
    "health-biotech": {PRO: 3, UNI: 2},
    "science-innovation": {UNI: 2, STARTUP: 2},
    "startups": {STARTUP: 4, UNI: 1.5},
    "semiconductors": {US_CO: 3, UNI: 1.5, FED: 2},
    "dual-use-economic-security": {FED: 3, JP_CO: 2, US_CO: 2},
    "energy": {FED: 2, JP_CO: 2},
    "manufacturing": {JP_CO: 1.5, GOV: 1.5},
    "culture": {NPO: 2.5, OTHER: 2, UNI: 1.3},
    "education-people": {NPO: 1.5, UNI: 2, OTHER: 1.5},
    "agriculture-food": {GOV: 1.5, FED: 1.5, JP_CO: 1.5},
}
# Where a partner sits relative to the case: in the case's state, elsewhere in the district,
# or national (no state, or a federal agency).
LOCAL, IN_DISTRICT, NATIONAL = 5.0, 1.0, 0.6

# --- The three real FY2024 best practices -----------------------------------------------------


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


BEST_PRACTICES = [
    CaseSpec(
        external_ref="bp-2024-miami-transport",
        title_en="Transport infrastructure workshop",
        title_ja="輸送インフラに関するワークショップ",
        summary_en=(
            "Metrorail, the elevated rapid-transit line of the Miami metropolitan area, "
            "Florida's largest, has been taking new cars from a Japanese company since 2016, "
            "and that company's system installation was recently completed: the region's "
            "cooperation with Japan has grown stronger in recent years. To follow this up, a "
            "workshop on transport infrastructure, centred on rail, was co-hosted with the "
            "Greater Miami Chamber of Commerce for local governments including Miami-Dade "
            "County's transport department, Miami International Airport and Japanese and US "
            "transport companies. It presented Japanese companies' record and prospects, "
            "exchanged views on Japan–US business partnerships in transport infrastructure, "
            "and highlighted the importance of further strengthening Japan–US economic ties."
        ),
        summary_ja=(
            "フロリダ州最大の都市圏であるマイアミ都市圏を走る高架式の都市高速鉄道「メトロレール」"
            "について、2016年から日系企業の新型車両の導入が進み、先般同企業のシステム導入が完了"
            "するなど、近年同地域と日本の協力関係はより強固なものとなっている。こうした取組を"
            "フォローアップするため、広域マイアミ圏商工会と共催で、マイアミデイド郡交通局を含む"
            "地方政府、マイアミ国際空港及び日米の輸送関係企業を招き、鉄道を中心とした幅広い輸送"
            "インフラに関するワークショップを実施。日本企業の実績や展望のアピールのほか、輸送"
            "インフラ事業に関する日米のビジネス連携に関し意見交換を実施し、日米のさらなる経済連携"
            "強化の重要性をハイライトした。"
        ),
        # The source gives only the month (October 2024); the day is chosen for the demo.
        start_date=datetime.date(2024, 10, 16),
        end_date=None,
        region="miami",
        state="FL",
        city_en="Miami",
        city_ja="マイアミ",
        format=CaseFormat.WORKSHOP,
        participants=None,  # The source gives no count.
        status=CaseStatus.HELD,
        is_public=True,
        is_best_practice=True,
        themes=("japanese-companies", "transport-infrastructure", GROWTH),
        partners=(
            (GREATER_MIAMI_CHAMBER, PartnerRole.CO_HOST),
            (MIAMI_DADE_TRANSPORT, PartnerRole.PARTICIPANT),
            (MIAMI_AIRPORT, PartnerRole.PARTICIPANT),
            (JAPANESE_TRANSPORT_COMPANIES, PartnerRole.PARTICIPANT),
            (US_TRANSPORT_COMPANIES, PartnerRole.PARTICIPANT),
        ),
    ),
    CaseSpec(
        external_ref="bp-2024-new-york-stem-women",
        title_en="Women in STEM panel discussion",
        title_ja="企業におけるSTEM分野女性活躍推進パネルディスカッション",
        summary_en=(
            "As innovation through industry–academia collaboration grows in importance, "
            "developing women researchers and women managers in science, technology, "
            "engineering and mathematics (STEM) is an important theme for both Japan and the "
            "US. Co-hosted with the Japanese Medical Society of America at the Nippon Club in "
            "New York, a panel of Japanese and US women researchers in medicine and biotech, "
            "among them MIT professor Angeliki Rigos, who runs an organisation promoting women "
            "in STEM, and Dr. Maki Kano, president of the Japanese Medical Society of America, "
            "discussed and took questions on competitiveness in innovation, Japan–US "
            "cooperation in STEM, technology management strategy, and the careers and "
            "leadership development of women researchers."
        ),
        summary_ja=(
            "産学連携を通じたイノベーションの重要性が高まる中、科学技術分野（STEM分野）における"
            "女性研究者及び女性管理職の育成は、日米両国にとって重要なテーマ。ニューヨークの日本"
            "クラブにおいて米国日本人医師会と共催で、STEM分野の中でも女性の活躍を推進する団体を"
            "運営するリゴス・マサチューセッツ工科大教授、加納米国日本人医師会会長等、医療・バイオ"
            "系分野における日米の女性研究者を交え、同分野におけるイノベーションの競争力強化、"
            "STEM分野における日米間の連携、技術経営戦略、女性研究者のキャリア形成及びリーダー"
            "育成等についてパネルディスカッションと質疑応答を実施した。"
        ),
        start_date=datetime.date(2025, 3, 25),
        end_date=None,
        region="new-york",
        state="NY",
        city_en="New York",
        city_ja="ニューヨーク",
        format=CaseFormat.PANEL,
        participants=None,  # The source gives no count.
        status=CaseStatus.HELD,
        is_public=True,
        is_best_practice=True,
        themes=("japan-events", "stem-women", "health-biotech", TALENT),
        partners=((JMSA, PartnerRole.CO_HOST),),
    ),
    CaseSpec(
        external_ref="bp-2024-palo-alto-dual-use",
        title_en="Japan–US dual-use technology seminar",
        title_ja="日米をつなぐデュアルユース・テック・セミナー",
        summary_en=(
            "Dual use, technology serving both military and civilian ends, is an urgent and "
            "central issue for Japan's security. The US Department of Defense's Defense "
            "Innovation Unit (DIU), headquartered in California, and Japanese and US companies, "
            "start-ups included, spoke on AI for visualising and analysing military operations, "
            "better cybersecurity for drones and semiconductors, the use of bio-data and other "
            "cutting-edge solutions and applications, sharing the latest trends, technology "
            "and work on both sides. More than 100 people took part, including Japanese "
            "companies interested in entering dual-use technology and federal government "
            "officials: an opportunity that helps make the field easier to enter."
        ),
        summary_ja=(
            "技術の軍民両用（デュアルユース）は日本の安全保障に係る喫緊・枢要な課題。カリフォル"
            "ニア州に本部を有する米国国防総省ディフェンス・イノベーション・ユニット（DIU）及び"
            "スタートアップを含めた日米の企業が登壇し、AIを活用した軍事行動等の見える化・分析、"
            "無人航空機や半導体のサイバーセキュリティ向上、バイオデータの活用、そのほか最先端の"
            "ソリューションやアプリケーション等、日米双方の最新の動向・技術・取組を共有。デュアル"
            "ユース・テクノロジーへの参入に関心を寄せる日系企業や連邦政府関係者等、100名以上が"
            "参加し、同分野に参入しやすい環境醸成の一助となる機会を創出した。"
        ),
        # The source gives only the month (March 2025); the day is chosen for the demo.
        start_date=datetime.date(2025, 3, 12),
        end_date=None,
        region="san-francisco",
        state="CA",
        city_en="Palo Alto",
        city_ja="パロアルト",
        county="06085",
        format=CaseFormat.SEMINAR,
        # The source says "100名以上" (more than 100), a lower bound, not a count: the summary
        # says so and the field stays empty rather than recording a number nobody gave.
        participants=None,
        status=CaseStatus.HELD,
        is_public=True,
        is_best_practice=True,
        themes=(
            "japanese-companies",
            "dual-use-economic-security",
            "startups",
            "science-innovation",
            GROWTH,
        ),
        partners=(
            (DIU, PartnerRole.SPEAKER),
            (JAPANESE_COMPANIES_AND_STARTUPS, PartnerRole.SPEAKER),
            (US_COMPANIES_AND_STARTUPS, PartnerRole.SPEAKER),
        ),
    ),
]

# --- Generation -------------------------------------------------------------------------------


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


@dataclass
class _Generated:
    """A generated case before it has its reference number: CaseSpec's other fields."""

    start_date: datetime.date
    spec: dict


def check_year_split() -> None:
    """Raise DemoDataError unless the per-year split adds up to the published figures."""
    split = DEMO_HELD_CASES_PER_FISCAL_YEAR
    if split.get(2024) != PUBLISHED_FY2024:
        raise DemoDataError(f"FY2024 must have {PUBLISHED_FY2024} held cases.")
    if sum(n for year, n in split.items() if 2017 <= year <= 2024) != PUBLISHED_FY2017_TO_FY2024:
        raise DemoDataError(f"FY2017-FY2024 must add up to {PUBLISHED_FY2017_TO_FY2024}.")


class _Generator:
    def __init__(self, names: Names):
        self.names = names
        self.rng = random.Random(SEED)

    # Places.

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

    # Choices.

    def weighted(self, options, weights):
        return self.rng.choices(options, weights=weights, k=1)[0]

    def pick_region(self) -> str:
        codes = list(REGION_WEIGHTS)
        return self.weighted(codes, [REGION_WEIGHTS[c] for c in codes])

    def pick_place(self, region: str) -> tuple[str, str, str]:
        """(USPS code, city in English, city in Japanese) in the region's district."""
        district = DISTRICTS[region]
        code, _weight, cities = self.weighted(district, [w for _c, w, _ in district])
        city, city_ja = self.rng.choice(cities)
        return code, city, city_ja

    def pick_subject(self, fiscal_year: int, region: str) -> Subject:
        weights = [
            s.weight * s.boost.get(region, 1) if fiscal_year >= s.since else 0 for s in SUBJECTS
        ]
        return self.weighted(SUBJECTS, weights)

    def pick_themes(self, subject: Subject) -> tuple[str, ...]:
        topics = list(subject.topics)
        if len(topics) < 2 and subject.extra_topics and self.rng.random() < 0.35:
            topics.append(self.rng.choice(subject.extra_topics))
        themes = [subject.line, *topics]
        if self.rng.random() < PRIORITY_AREA_SHARE:
            themes.append(subject.priority)
        return tuple(themes)

    def pick_format(self, subject: Subject, fiscal_year: int) -> tuple[str, bool]:
        """(format, online)."""
        table = FORMAT_WEIGHTS[subject.line]
        formats = list(table)
        weights = [
            table[f] * (PANDEMIC_IN_PERSON_FACTOR if fiscal_year == 2020 else 1)
            if f not in ONLINE_FORMATS
            else table[f]
            for f in formats
        ]
        fmt = self.weighted(formats, weights)
        online = fmt in ONLINE_FORMATS and self.rng.random() < ONLINE_SHARE.get(fiscal_year, 0)
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
        share, longest = MULTI_DAY.get(fmt, (0, 1))
        if longest > 1 and self.rng.random() < share:
            end = min(start + datetime.timedelta(days=self.rng.randint(1, longest - 1)), last)
            return end if end > start else None
        return None

    def pick_participants(self, fmt: str, online: bool) -> int | None:
        if fmt not in PARTICIPANT_RANGES or self.rng.random() < NO_PARTICIPANT_COUNT_SHARE:
            return None
        low, high = ONLINE_PARTICIPANTS if online else PARTICIPANT_RANGES[fmt]
        n = self.rng.randint(low, high)
        return n if n < 50 else round(n / 5) * 5

    def pick_partners(
        self, region: str, state: str | None, themes: tuple[str, ...]
    ) -> tuple[tuple[str, str], ...]:
        """1-3 partners near the case and suited to its themes, as (name, role)."""
        district = {code for code, _w, _c in DISTRICTS[region]}
        candidates, weights = [], []
        for partner in PARTNERS:
            if partner.topics and not set(partner.topics) & set(themes):
                continue
            if partner.kind == FED or partner.state is None:
                where = NATIONAL
            elif partner.region is not None and partner.region != region:
                continue  # the other district's part of a split state
            elif partner.state == state:
                where = LOCAL
            elif partner.state in district:
                where = IN_DISTRICT
            else:
                continue
            weight = where * KIND_WEIGHTS[partner.kind]
            for theme in themes:
                weight *= TOPIC_KIND_BOOSTS.get(theme, {}).get(partner.kind, 1)
            candidates.append(partner)
            weights.append(weight)
        count = self.weighted([1, 2, 3], [45, 35, 20])
        chosen = []
        while candidates and len(chosen) < count:
            i = self.weighted(range(len(candidates)), weights)
            chosen.append(candidates.pop(i))
            weights.pop(i)
        roles = []
        for position, partner in enumerate(chosen):
            if partner.kind in (JP_CO, US_CO, STARTUP):
                role = self.weighted(
                    [PartnerRole.SPEAKER, PartnerRole.SPONSOR, PartnerRole.PARTICIPANT], [4, 3, 3]
                )
            elif partner.kind == FED:
                role = self.weighted([PartnerRole.SPEAKER, PartnerRole.PARTICIPANT], [4, 1])
            elif position == 0:
                role = self.weighted(
                    [PartnerRole.CO_HOST, PartnerRole.SPEAKER, PartnerRole.SPONSOR], [7, 2, 1]
                )
            else:
                role = self.weighted(
                    [
                        PartnerRole.SPEAKER,
                        PartnerRole.SPONSOR,
                        PartnerRole.PARTICIPANT,
                        PartnerRole.CO_HOST,
                    ],
                    [45, 15, 30, 10],
                )
            roles.append((partner.name_en, role))
        return tuple(roles)

    # Texts.

    def texts(
        self,
        *,
        status,
        region,
        state,
        city,
        city_ja,
        subject,
        fmt,
        online,
        nationwide,
        partners,
        participants,
    ):
        """(title_en, title_ja, summary_en, summary_ja)."""
        fields = {"subject": subject.en, "subject_ja": subject.ja}
        if nationwide is not None:
            _fmt, _online, title_en, title_ja, what_en, what_ja = nationwide
        else:
            fields.update(
                state=self.state_en(state),
                state_ja=self.state_ja(state),
                city=self.city_en(state, city),
                city_ja=self.city_ja(state, city_ja),
            )
            templates = (ONLINE_TITLES if online else TITLES)[fmt]
            title_en, title_ja = self.rng.choice(templates)
            noun_en, noun_ja = FORMAT_NOUNS[fmt]
            if online:
                noun_en, noun_ja = f"online {noun_en}", f"オンライン{noun_ja}"
            noun_en = f"{'an' if noun_en[0] in 'aeiou' else 'a'} {noun_en}"
            what_en = f"{noun_en} on {{subject}} in {self.place_en(state, city)}"
            what_ja = f"{self.place_ja(state, city_ja)}で{{subject_ja}}に関する{noun_ja}を"
        title_en, title_ja = title_en.format(**fields), title_ja.format(**fields)
        what_en, what_ja = what_en.format(**fields), what_ja.format(**fields)
        title_en = title_en[0].upper() + title_en[1:]
        if status == CaseStatus.DRAFT:
            return title_en, title_ja, "", ""  # drafts are entered title first

        mission_en, mission_ja = self.names.missions[region]
        verb_en = "organised" if fmt in (CaseFormat.VISIT, CaseFormat.OTHER) else "held"
        verb_ja = "実施" if fmt in (CaseFormat.VISIT, CaseFormat.OTHER) else "開催"
        if status == CaseStatus.PLANNED:
            return (
                title_en,
                title_ja,
                f"The {mission_en} plans {what_en}.",
                f"{mission_ja}は、{what_ja}{verb_ja}予定。",
            )
        if status == CaseStatus.CANCELLED:
            return (
                title_en,
                title_ja,
                f"The {mission_en} had planned {what_en}; it was cancelled.",
                f"{mission_ja}は、{what_ja}{verb_ja}予定であったが、中止となった。",
            )

        line_en, line_ja = LINE_SENTENCES[subject.line]
        en = [
            f"The {mission_en} {verb_en} {what_en}.",
            line_en.format(state=self.state_en(state)),
        ]
        ja = [
            f"{mission_ja}は、{what_ja}{verb_ja}した。",
            line_ja.format(state_ja=self.state_ja(state)),
        ]
        by_name = {p.name_en: p for p in PARTNERS}
        for role, (label_en, label_ja) in ROLE_LABELS.items():
            named = [by_name[name] for name, r in partners if r == role]
            if named:
                en.append(f"{label_en}: {'; '.join(p.name_en for p in named)}.")
                ja.append(f"{label_ja}：{'、'.join(p.name_ja for p in named)}。")
        if participants is not None:
            en.append(f"About {participants} people took part.")
            ja.append(f"約{participants}名が参加した。")
        return title_en, title_ja, " ".join(en), "".join(ja)

    # Cases.

    def case(self, status: str, fiscal_year: int, first=None, last=None) -> _Generated:
        """One synthetic case in the fiscal year (or in [first, last] within it)."""
        first_day, last_day = rules.fiscal_year_bounds(fiscal_year)
        first, last = first or first_day, last or last_day
        nationwide = None
        if status == CaseStatus.HELD and self.rng.random() < NATIONWIDE_SHARE:
            nationwide = self.rng.choice(NATIONWIDE_KINDS)
            embassy = self.rng.random() < NATIONWIDE_EMBASSY_SHARE
            region = "washington-dc" if embassy else self.pick_region()
            state, city, city_ja = None, "", ""
        else:
            region = self.pick_region()
            state, city, city_ja = self.pick_place(region)
        subject = self.pick_subject(fiscal_year, region)
        themes = self.pick_themes(subject)
        if nationwide is not None:
            fmt, online = nationwide[0], nationwide[1]
        else:
            fmt, online = self.pick_format(subject, fiscal_year)
        start = self.pick_date(first, last)
        end = self.pick_end(fmt, start, last)
        held = status == CaseStatus.HELD
        participants = self.pick_participants(fmt, online) if held else None
        if status == CaseStatus.DRAFT and self.rng.random() < 0.5:
            partners = ()
        else:
            partners = self.pick_partners(region, state, themes)
        title_en, title_ja, summary_en, summary_ja = self.texts(
            status=status,
            region=region,
            state=state,
            city=city,
            city_ja=city_ja,
            subject=subject,
            fmt=fmt,
            online=online,
            nationwide=nationwide,
            partners=partners,
            participants=participants,
        )
        return _Generated(
            start_date=start,
            spec={
                "title_en": title_en,
                "title_ja": title_ja,
                "summary_en": summary_en,
                "summary_ja": summary_ja,
                "start_date": start,
                "end_date": end,
                "region": region,
                "state": state,
                "city_en": self.city_en(state, city) if state else "",
                "city_ja": self.city_ja(state, city_ja) if state else "",
                "county": CITY_COUNTIES.get((state, city), ""),
                "format": fmt,
                "participants": participants,
                "status": status,
                "is_public": held and self.rng.random() < PUBLIC_SHARE,
                "is_best_practice": False,
                "themes": themes,
                "partners": partners,
            },
        )

    def build(self) -> list[CaseSpec]:
        best_per_year = defaultdict(int)
        for bp in BEST_PRACTICES:
            best_per_year[rules.fiscal_year_of(bp.start_date)] += 1
        specs: list[CaseSpec] = []
        for fiscal_year, total in DEMO_HELD_CASES_PER_FISCAL_YEAR.items():
            # Numbered in date order within the year: demo-2019-0042 is FY2019's 42nd.
            generated = [
                self.case(CaseStatus.HELD, fiscal_year)
                for _ in range(total - best_per_year[fiscal_year])
            ]
            generated.sort(key=lambda g: g.start_date)  # stable: ties keep generation order
            specs += [
                CaseSpec(external_ref=f"demo-{fiscal_year}-{number:04d}", **g.spec)
                for number, g in enumerate(generated, start=1)
            ]
        specs += BEST_PRACTICES

        # Cases that never count.
        for number in range(1, DEMO_PLANNED_FY2025 + 1):
            d = self.case(CaseStatus.PLANNED, 2025)
            specs.append(CaseSpec(external_ref=f"demo-planned-2025-{number:02d}", **d.spec))
        for number in range(1, DEMO_DRAFTS + 1):
            fiscal_year = self.weighted([2024, 2025], [1, 2])
            d = self.case(CaseStatus.DRAFT, fiscal_year)
            specs.append(CaseSpec(external_ref=f"demo-draft-{number:02d}", **d.spec))
        cancelled_years = [2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024]
        for number in range(1, DEMO_CANCELLED + 1):
            fiscal_year = self.weighted(cancelled_years, [1, 1, 2, 4, 1, 0.5, 0.5, 0.5])
            if fiscal_year == 2019:
                # The first pandemic cancellations: March 2020.
                d = self.case(
                    CaseStatus.CANCELLED,
                    2019,
                    first=datetime.date(2020, 3, 1),
                    last=datetime.date(2020, 3, 31),
                )
            else:
                d = self.case(CaseStatus.CANCELLED, fiscal_year)
            specs.append(CaseSpec(external_ref=f"demo-cancelled-{number:02d}", **d.spec))
        return specs


def build_demo_set(names: Names) -> DemoSet:
    """The whole demo set, the same on every call: partners and cases, by codes and names."""
    check_year_split()
    return DemoSet(partners=list(PARTNERS), cases=_Generator(names).build())


# --- Writing ----------------------------------------------------------------------------------

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


def _validate(demo: DemoSet, states: dict, themes: dict, regions: dict) -> None:
    """Check the demo set against the reference data before writing anything."""
    district = defaultdict(set)
    for region_code, state_code in Jurisdiction.objects.values_list("region__code", "state__code"):
        district[region_code].add(state_code)
    for region_code, rows in DISTRICTS.items():
        outside = sorted({code for code, _w, _c in rows} - district[region_code])
        if outside:
            raise DemoDataError(
                f"The demo table puts {', '.join(outside)} in {region_code}'s district; the "
                "reference data does not."
            )
    partner_names = {p.name_en for p in demo.partners}
    for spec in demo.cases:
        if spec.region not in regions:
            raise DemoDataError(f"{spec.external_ref}: unknown region {spec.region}.")
        if not rules.state_in_district(spec.state, district[spec.region]):
            raise DemoDataError(
                f"{spec.external_ref}: {spec.state} is not in {spec.region}'s district."
            )
        for slug in spec.themes:
            if slug not in themes:
                raise DemoDataError(f"{spec.external_ref}: unknown theme {slug}.")
        for name, _role in spec.partners:
            if name not in partner_names:
                raise DemoDataError(f"{spec.external_ref}: unknown partner {name}.")
    for partner in demo.partners:
        if partner.state is not None and partner.state not in states:
            raise DemoDataError(f"{partner.name_en}: unknown state {partner.state}.")


def _slug(name_en: str) -> str:
    # bulk_create skips save(): the slug is made here (demo names are distinct after slugify).
    from cases.models import partner_slug

    return partner_slug(name_en, Partner.objects.none())


def _sync_partners(specs: list[PartnerSpec], states: dict) -> tuple[dict[str, int], Counts]:
    counts = Counts()
    existing = {
        p.name_en: p for p in Partner.objects.filter(name_en__in=[s.name_en for s in specs])
    }
    to_create, to_update = [], []
    for spec in specs:
        values = {
            "name_ja": spec.name_ja,
            "kind": str(spec.kind),
            "state_id": states[spec.state] if spec.state else None,
            "website": spec.website,
        }
        values["search_document"] = document(spec.name_en, spec.name_ja)
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
    ids = dict(
        Partner.objects.filter(name_en__in=[s.name_en for s in specs]).values_list("name_en", "pk")
    )
    # The bulk writes bypass the audit's signals: record them in the audit trail here.
    created = {p.name_en for p in to_create}
    # record_bulk reads the rows itself: the instances only name the model and the key.
    recorder.record_bulk("create", [Partner(pk=ids[name]) for name in created])
    recorder.record_bulk("change", to_update)
    return ids, counts


def _demo_publication(spec: CaseSpec) -> Publication:
    if spec.is_public:
        return Publication.PUBLISHED
    return Publication.APPROVED if spec.status == CaseStatus.HELD else Publication.DRAFT


def _sync_cases(
    specs: list[CaseSpec], regions: dict, states: dict, themes: dict, partners: dict
) -> Counts:
    counts = Counts()
    counties = dict(County.objects.values_list("fips", "pk"))
    refs = [s.external_ref for s in specs]
    wanted_refs = set(refs)
    found = list(
        Case.objects.filter(origin=CaseOrigin.DEMO) | Case.objects.filter(external_ref__in=refs)
    )
    existing = {c.external_ref: c for c in found if c.external_ref in wanted_refs}
    intruders = sorted(r for r, c in existing.items() if c.origin != CaseOrigin.DEMO)
    if intruders:
        raise DemoDataError(
            "These external references belong to cases that are not demo data: "
            + ", ".join(intruders[:10])
        )

    stale = [c for c in found if c.external_ref not in wanted_refs]
    changes = []
    for spec in sorted(specs, key=lambda s: (s.start_date, s.external_ref)):
        values = {
            "title_en": spec.title_en,
            "title_ja": spec.title_ja,
            "summary_en": spec.summary_en,
            "summary_ja": spec.summary_ja,
            "start_date": spec.start_date,
            "end_date": spec.end_date,
            "region_id": regions[spec.region],
            "state_id": states[spec.state] if spec.state else None,
            "county_id": counties[spec.county] if spec.county else None,
            "city_en": spec.city_en,
            "city_ja": spec.city_ja,
            "format": str(spec.format),
            "participants": spec.participants,
            "status": str(spec.status),
            "is_public": spec.is_public,
            # Demo cases went through review: the public ones were published, the other held
            # ones approved (counted, not listed); the rest are drafts.
            "publication": _demo_publication(spec).value,
            "is_best_practice": spec.is_best_practice,
            "origin": CaseOrigin.DEMO.value,
        }
        case = existing.get(spec.external_ref)
        if case is None:
            case = Case(external_ref=spec.external_ref, **values)
        else:
            for name, value in values.items():
                setattr(case, name, value)
        collections = {
            "themes": [themes[slug] for slug in spec.themes],
            "partners": [[partners[name], str(role)] for name, role in spec.partners],
        }
        changes.append(Change(case, collections))
    # One call of the register's bulk form: the rules, the audit entries and the figures as
    # for any other writer; unchanged cases are left alone, so a second run changes nothing.
    result = cases.save_many(None, changes, delete=stale, source="command", note="load_demo")
    counts.created, counts.updated = len(result.created), len(result.updated)
    counts.unchanged, counts.deleted = len(result.unchanged), result.deleted
    return counts


def load_demo_data() -> DemoResult:
    """Load the reference data, then bring the demo set in the database up to date.

    One transaction: either everything is written or nothing is.
    """
    with transaction.atomic():
        load_reference_data()
        regions = dict(Region.objects.values_list("code", "pk"))
        states = dict(State.objects.values_list("code", "pk"))
        themes = dict(Theme.objects.values_list("slug", "pk"))
        demo = build_demo_set(Names.from_db())
        _validate(demo, states, themes, regions)
        partner_ids, partner_counts = _sync_partners(demo.partners, states)
        case_counts = _sync_cases(demo.cases, regions, states, themes, partner_ids)
    return DemoResult(partners=partner_counts, cases=case_counts)
