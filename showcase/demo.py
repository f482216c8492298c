"""The three real FY2024 best practices as published showcase pages, for the demo data set.

The facts are those of the task force's Document 1 (資料1, "2017年度－2024年度の案件実施状況"):
nothing here goes beyond it. The pages hang off the cases that `load_demo` writes (`demo.writer`,
from fixtures/demo/best_practices.json); this module only finds them.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from cases.models import Case, CaseStatus, Publication
from showcase.models import HeroIllustration, ShowcasePage
from showcase.register import pages

CREDIT_EN = "Illustration: Grassroots Portal"
CREDIT_JA = "イラスト：グラスルーツ・ポータル"


@dataclass(frozen=True)
class DemoPage:
    slug: str
    # How to find the case: its external reference, else the one best practice of that
    # region, fiscal year and month.
    external_refs: tuple[str, ...]
    region: str
    fiscal_year: int
    month: int
    fields: dict


MIAMI = DemoPage(
    slug="miami-transport-infrastructure-workshop",
    external_refs=("bp-2024-miami-transport", "bp-2024-miami-transport-infrastructure"),
    region="miami",
    fiscal_year=2024,
    month=10,
    fields={
        "title_en": "Transport infrastructure workshop in Miami",
        "title_ja": "マイアミでの輸送インフラに関するワークショップ",
        "lead_en": (
            "In October 2024 Japan's Consulate-General in Miami and the Greater Miami Chamber "
            "of Commerce brought local governments, Miami International Airport and Japanese "
            "and American transport companies together to talk about rail and the wider "
            "transport network."
        ),
        "lead_ja": (
            "2024年10月、在マイアミ日本国総領事館は広域マイアミ圏商工会と共に、地方政府、"
            "マイアミ国際空港、日米の輸送関係企業を招き、鉄道をはじめとする輸送インフラに"
            "ついて語り合うワークショップを開きました。"
        ),
        "body_en": """\
## Background

Metrorail is the elevated rapid-transit railway of the Miami metropolitan area, the largest in
Florida. Since 2016 it has been taking delivery of new cars built by a Japanese company, and
that company recently finished installing its systems on the line. In recent years the ties
between the region and Japan have grown steadily stronger.

## The workshop

To build on this work, the workshop was co-hosted with the **Greater Miami Chamber of
Commerce**. Around the table were:

- local governments, among them Miami-Dade County's transportation department;
- Miami International Airport;
- Japanese and American transport companies.

The discussion centred on rail but ranged across transport infrastructure as a whole.
Japanese companies presented what they have achieved and what they plan, and the participants
exchanged views on how Japanese and American businesses can work together on transport
infrastructure projects.

## Why it matters

The workshop highlighted how important it is to strengthen the economic partnership between
Japan and the United States further, building on the cooperation already under way on
Metrorail.
""",
        "body_ja": """\
## 背景

「メトロレール」は、フロリダ州最大の都市圏であるマイアミ都市圏を走る高架式の都市高速鉄道です。
2016年から日系企業の新型車両の導入が進み、先ごろには同じ企業によるシステムの導入も完了しました。
近年、この地域と日本との協力関係は一段と強まっています。

## ワークショップ

こうした取組をさらに前へ進めるため、**広域マイアミ圏商工会**との共催でワークショップを開催し、
次の関係者が参加しました。

- マイアミデイド郡交通局をはじめとする地方政府
- マイアミ国際空港
- 日米の輸送関係企業

鉄道を中心に、輸送インフラ全般を幅広く取り上げました。日本企業がこれまでの実績と今後の展望を紹介し、
輸送インフラ事業における日米のビジネス連携について意見を交わしました。

## 意義

メトロレールですでに進んでいる協力を土台に、日米の経済連携を一層強化していくことの重要性を
浮き彫りにする機会となりました。
""",
        "hero_illustration": HeroIllustration.TRANSPORT,
        "hero_alt_en": (
            "Illustration: a white train with a red stripe crossing a city on an elevated "
            "guideway."
        ),
        "hero_alt_ja": (
            "イラスト：赤いラインの入った白い列車が、高架の軌道を走って街を横切る様子。"
        ),
        "hero_credit_en": CREDIT_EN,
        "hero_credit_ja": CREDIT_JA,
    },
)

NEW_YORK = DemoPage(
    slug="women-in-stem-panel-new-york",
    external_refs=("bp-2024-new-york-stem-women", "bp-2024-new-york-stem"),
    region="new-york",
    fiscal_year=2024,
    month=3,
    fields={
        "title_en": "Women in STEM: a panel discussion in New York",
        "title_ja": "STEM分野における女性活躍推進のパネルディスカッション（ニューヨーク）",
        "lead_en": (
            "On 25 March 2025, at the Nippon Club in New York, women researchers from Japan and "
            "the United States discussed innovation, Japan–US cooperation in science and "
            "technology, and how women in research build careers and become leaders."
        ),
        "lead_ja": (
            "2025年3月25日、ニューヨークの日本クラブで、日米の女性研究者がイノベーション、"
            "科学技術分野での日米連携、そして女性研究者のキャリア形成とリーダー育成について"
            "語り合いました。"
        ),
        "body_en": """\
## Why this subject

As innovation comes more and more from collaboration between industry and universities,
developing women researchers and women managers in science, technology, engineering and
mathematics (STEM) has become an important subject for Japan and the United States alike.

## The panel

The panel was co-hosted with the **Japanese Medical Society of America** and held at the
Nippon Club. It brought together women researchers from Japan and the United States working in
medicine and biotechnology, among them:

- **Angeliki Rigos**, professor at the Massachusetts Institute of Technology (MIT), who runs
  an organisation that promotes women in STEM;
- **Dr. Maki Kano**, president of the Japanese Medical Society of America.

## What was discussed

In the discussion and the questions from the floor, the panel took up:

- how to make innovation in the field more competitive;
- cooperation between Japan and the United States in STEM;
- strategy for managing technology;
- the careers of women researchers, and how to develop leaders among them.
""",
        "body_ja": """\
## テーマの背景

産学連携によるイノベーションの重要性が高まるなか、科学・技術・工学・数学（STEM）分野で
女性研究者と女性管理職を育てることは、日米両国にとって重要な課題となっています。

## パネルディスカッション

**米国日本人医師会**との共催により、日本クラブで開催しました。医療・バイオ分野で活躍する
日米の女性研究者が登壇し、次の方々も加わりました。

- STEM分野で女性の活躍を推進する団体を運営する、**リゴス・マサチューセッツ工科大学（MIT）教授**
- **加納米国日本人医師会会長**

## 議論の内容

パネルディスカッションと会場との質疑応答では、主に次の点を取り上げました。

- 同分野におけるイノベーションの競争力強化
- STEM分野における日米間の連携
- 技術経営戦略
- 女性研究者のキャリア形成とリーダーの育成
""",
        "hero_illustration": HeroIllustration.PANEL,
        "hero_alt_en": (
            "Illustration: four speakers seated at a long table, with a double helix and a "
            "molecule behind them."
        ),
        "hero_alt_ja": (
            "イラスト：長いテーブルに並んで座る4人の登壇者と、その背後に描かれた二重らせんと分子。"
        ),
        "hero_credit_en": CREDIT_EN,
        "hero_credit_ja": CREDIT_JA,
    },
)

PALO_ALTO = DemoPage(
    slug="dual-use-technology-seminar-palo-alto",
    external_refs=("bp-2024-palo-alto-dual-use", "bp-2024-palo-alto-dual-use-tech"),
    region="san-francisco",
    fiscal_year=2024,
    month=3,
    fields={
        "title_en": "Dual-use technology seminar connecting Japan and the US, in Palo Alto",
        "title_ja": "日米をつなぐデュアルユース・テック・セミナー（パロアルト）",
        "lead_en": (
            "In March 2025 the US Department of Defense's Defense Innovation Unit and Japanese "
            "and American companies, start-ups among them, shared their latest work on dual-use "
            "technology with more than 100 participants in Palo Alto, California."
        ),
        "lead_ja": (
            "2025年3月、カリフォルニア州パロアルトで、米国国防総省ディフェンス・イノベーション・"
            "ユニットと、スタートアップを含む日米の企業が、デュアルユース技術の最新の取組を"
            "100名以上の参加者と共有しました。"
        ),
        "body_en": """\
## Why this subject

Dual-use technology, which serves both civilian and defence purposes, is a pressing and
central question for Japan's security.

## The seminar

Speakers from the **Defense Innovation Unit (DIU)** of the US Department of Defense, which has
its headquarters in California, and from **Japanese and American companies**, start-ups
included, shared the latest trends, technologies and initiatives on both sides of the Pacific,
among them:

- artificial intelligence that makes military operations visible and helps analyse them;
- stronger cybersecurity for drones and for semiconductors;
- putting bio-data to use;
- other leading-edge solutions and applications.

## Who took part

More than 100 people attended, among them Japanese companies interested in entering the field
of dual-use technology and officials of the US federal government. The seminar helped to build
an environment in which the field is easier to enter.
""",
        "body_ja": """\
## テーマの背景

軍民両用（デュアルユース）の技術は、日本の安全保障にとって喫緊かつ枢要な課題です。

## セミナー

カリフォルニア州に本部を置く**米国国防総省ディフェンス・イノベーション・ユニット（DIU）**と、
スタートアップを含む**日米の企業**が登壇し、日米双方の最新の動向・技術・取組を紹介しました。
取り上げられた主なテーマは次のとおりです。

- AIを活用した軍事行動等の見える化と分析
- 無人航空機（ドローン）や半導体のサイバーセキュリティの向上
- バイオデータの活用
- そのほか最先端のソリューションやアプリケーション

## 参加者

デュアルユース技術への参入に関心を持つ日系企業や連邦政府の関係者など、100名以上が参加しました。
同分野に参入しやすい環境づくりの一助となる機会となりました。
""",
        "hero_illustration": HeroIllustration.CHIP,
        "hero_alt_en": (
            "Illustration: a computer chip with circuit traces spreading out from it, and a "
            "small drone above."
        ),
        "hero_alt_ja": (
            "イラスト：回路の配線が四方に伸びる半導体チップと、その上を飛ぶ小型ドローン。"
        ),
        "hero_credit_en": CREDIT_EN,
        "hero_credit_ja": CREDIT_JA,
    },
)

DEMO_PAGES = (MIAMI, NEW_YORK, PALO_ALTO)


def find_case(spec: DemoPage) -> Case | None:
    """The case a demo page is about: by external reference, else the region's one best
    practice in that fiscal year and month. None when there is no such case (yet)."""
    by_ref = Case.objects.filter(external_ref__in=spec.external_refs).first()
    if by_ref is not None:
        return by_ref
    candidates = Case.objects.filter(
        is_best_practice=True, region__code=spec.region, fiscal_year=spec.fiscal_year
    ).order_by("start_date", "pk")
    in_month = candidates.filter(start_date__month=spec.month)
    return in_month.first() or (candidates.first() if candidates.count() == 1 else None)


@transaction.atomic
def load_showcase_demo(published_at: datetime.datetime | None = None) -> int:
    """Create or update the three best-practice pages, published, and return how many are in
    place (0 to 3). Safe to run again: a page whose content is already right is not saved.

    Nothing is done for a page whose case is missing, is not held and public, or already has a
    page of its own under another slug (written by staff: it is left alone).
    `published_at` dates a page published for the first time (default: now).
    """
    in_place = 0
    for spec in DEMO_PAGES:
        case = find_case(spec)
        if case is None or case.status != CaseStatus.HELD or not case.is_public:
            continue
        if ShowcasePage.objects.filter(case=case).exclude(slug=spec.slug).exists():
            continue
        page = ShowcasePage.objects.filter(slug=spec.slug).first() or ShowcasePage(slug=spec.slug)
        wanted = {**spec.fields, "case_id": case.pk, "publication": Publication.PUBLISHED}
        if page.pk is None or any(getattr(page, name) != value for name, value in wanted.items()):
            for name, value in wanted.items():
                setattr(page, name, value)
            page.published_at = page.published_at or published_at or timezone.now()
            pages.save(None, page, source="command")  # the write service, as the system
        in_place += 1
    return in_place
