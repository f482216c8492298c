"""The columns of a case spreadsheet: the import template and every case export share them.

One list, so an exported file can be imported again unchanged (the round trip) and the
template, the exports, the JSON and the about-the-data page describe the same fields.

A header is written bilingually, "key / 日本語" ("title_en / 件名（英語）"); the importer also
accepts the key alone, the Japanese name alone or the English name alone.
"""

import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Column:
    """One column. `kind` says how a value is written and read:

    text, int, date, bool, or list (themes and partners: several values separated by ";").
    `required` columns must be in the header row; `derived` ones are written by exports and
    checked, never stored, by the importer.
    """

    key: str
    label_en: str
    label_ja: str
    kind: str
    help: str
    required: bool = False
    derived: bool = False
    aliases: tuple[str, ...] = ()

    @property
    def header(self) -> str:
        return f"{self.key} / {self.label_ja}"

    def names(self) -> set[str]:
        """Every spelling of this column's header the importer accepts, normalised."""
        return {
            normalise_header(name)
            for name in (self.key, self.label_en, self.label_ja, self.header, *self.aliases)
        }


def normalise_header(text) -> str:
    """A header cell compared loosely: full-width folded, case and spacing ignored."""
    text = unicodedata.normalize("NFKC", str(text or "")).casefold()
    return " ".join(text.replace("_", " ").replace("-", " ").split())


# The labels are data (the template's own header text), so they are plain strings in both
# languages; `help` is shown to people and translated.
COLUMNS: list[Column] = [
    Column(
        "external_ref",
        "External reference",
        "外部参照番号",
        "text",
        _(
            "The case's identifier in your spreadsheet, unique across the register. Importing "
            "a row whose reference the register already holds updates that case."
        ),
        required=True,
    ),
    Column("title_en", "Title (English)", "件名（英語）", "text", _("Title in English.")),
    Column("title_ja", "Title (Japanese)", "件名（日本語）", "text", _("Title in Japanese.")),
    Column("summary_en", "Summary (English)", "概要（英語）", "text", _("Summary in English.")),
    Column(
        "summary_ja", "Summary (Japanese)", "概要（日本語）", "text", _("Summary in Japanese.")
    ),
    Column(
        "start_date",
        "Start date",
        "開始日",
        "date",
        _("The local date of the event, as YYYY-MM-DD (YYYY/MM/DD is read too)."),
        required=True,
    ),
    Column(
        "end_date",
        "End date",
        "終了日",
        "date",
        _("Last day of a case that runs over several days; blank for a one-day case."),
    ),
    Column(
        "fiscal_year",
        "Fiscal year",
        "年度",
        "int",
        _(
            "The Japanese fiscal year (April to March) the start date falls in. Exports fill it "
            "in; on import it may be left blank and, when given, must match the start date."
        ),
        derived=True,
    ),
    Column(
        "region",
        "Region",
        "管轄地域",
        "text",
        _("Code of the region (consular district) whose mission led the case, e.g. miami."),
        required=True,
    ),
    Column(
        "state",
        "State",
        "州",
        "text",
        _(
            "USPS code of the state, e.g. FL; it must lie in the region's district. Blank for a "
            "case with no single state."
        ),
    ),
    Column(
        "county",
        "County",
        "郡",
        "text",
        _(
            "Needed in California, Connecticut and Idaho, which two districts share by county: "
            "the county's name (e.g. Los Angeles County or Los Angeles) or its FIPS code "
            "(06037). It must lie in the region's district."
        ),
    ),
    Column(
        "city_en",
        "City (English)",
        "都市（英語）",
        "text",
        _("City or place in English, e.g. Miami. (Older files' “city” column is read here.)"),
        aliases=("city", "City", "都市"),
    ),
    Column(
        "city_ja",
        "City (Japanese)",
        "都市（日本語）",
        "text",
        _(
            "City or place in Japanese, the form a Japanese newspaper prints, e.g. マイアミ. "
            "A public case needs it, or its Japanese page shows the state alone."
        ),
    ),
    Column(
        "format",
        "Format",
        "形式",
        "text",
        _(
            "workshop, seminar, panel, symposium, visit, business-matching, reception, "
            "exhibition, lecture or other."
        ),
        required=True,
    ),
    Column(
        "status",
        "Status",
        "状況",
        "text",
        _("draft, planned, held or cancelled. Only held cases count in the figures."),
        required=True,
    ),
    Column(
        "is_public",
        "Public",
        "公開",
        "bool",
        _("yes or no: whether the case may be listed on the public site. Blank means no."),
    ),
    Column(
        "is_best_practice",
        "Best practice",
        "ベストプラクティス",
        "bool",
        _("yes or no. Blank means no."),
    ),
    Column("participants", "Participants", "参加者数", "int", _("Number of participants.")),
    Column(
        "themes",
        "Themes",
        "テーマ",
        "list",
        _("Theme slugs separated by “;”, e.g. energy; supply-chain."),
    ),
    Column(
        "partners",
        "Partners",
        "パートナー",
        "list",
        _(
            "Partners as “English name (role)” separated by “;”; roles: co-host, speaker, "
            "sponsor, participant. Every partner must already be in the register."
        ),
    ),
    Column(
        "id",
        "Portal ID",
        "ポータルID",
        "int",
        _(
            "The portal's own number for the case. Exports fill it in; leave it blank for new "
            "cases. A row with no external reference updates the case with this number."
        ),
    ),
]

COLUMNS_BY_KEY: dict[str, Column] = {column.key: column for column in COLUMNS}
REQUIRED_KEYS = [column.key for column in COLUMNS if column.required]
HEADERS = [column.header for column in COLUMNS]
