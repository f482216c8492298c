"""The figures of the register: one layer every page, chart, command and export reads.

Each figure is one aggregation query in the database (on the small tallies), zero-filled over
the reference data, returned as a pandas DataFrame with the columns documented on each function
(an empty frame with the same columns when there is nothing to count). Pages that only need
the rows use the `*_rows` functions (the same columns as lists of dicts, no pandas) and share
one `Counts` between figures, so a dashboard reads the tallies twice, not once per chart.

Counting rules, the same everywhere:
- only counted cases count (`Case.objects.counted()`: held cases; drafts, planned and
  cancelled cases never do);
- non-public held cases count, though the public site does not list them;
- a case counts once, under the region whose mission led it, and in the fiscal year its start
  date falls in; a case with no single state counts under its region but under no state;
- by theme, a case counts under each of its themes, so theme rows may add up to more than the
  total.

Every frame of counts has `key`, `label_en`, `label_ja` and `cases`; fiscal-year frames add
`cumulative`. `key` is a region code, a fiscal year (int), a USPS code or a theme slug.

Three modules: `filters` (what to count and the one rule for a query's fiscal years),
`counting` (the tallies or the case table) and `figures` (the rows and frames). Import them
from here: `from cases import stats; stats.total(stats.Filters(region="miami"))`.
"""

from cases.stats.counting import (
    Counts,
    counting_raw,
)
from cases.stats.figures import (
    COUNT_COLUMNS,
    FACETS,
    FISCAL_YEAR_COLUMNS,
    NO_STATE_LABEL_EN,
    NO_STATE_LABEL_JA,
    RECONCILIATION_COLUMNS,
    REGION_FISCAL_YEAR_COLUMNS,
    THEME_COLUMNS,
    Headline,
    by_fiscal_year,
    by_format,
    by_partner_kind,
    by_region,
    by_region_fiscal_year,
    by_state,
    by_theme,
    facets,
    fiscal_year_rows,
    format_rows,
    headline,
    partner_kind_rows,
    pending_difference,
    reconcile,
    region_rows,
    state_rows,
    theme_rows,
    total,
)
from cases.stats.filters import (
    ALL,
    MAX_SEARCH_LENGTH,
    OLD_SPELLINGS,
    PARAMETERS,
    QUERY_NAMES,
    READ_PARAMETERS,
    Filters,
    InvalidFilter,
    Reading,
    current_spelling,
    filters_query,
    fiscal_year_choices,
    fiscal_year_problem,
    fiscal_year_span,
    parse_fiscal_year,
    range_problem,
)

__all__ = [
    "ALL",
    "COUNT_COLUMNS",
    "FACETS",
    "FISCAL_YEAR_COLUMNS",
    "MAX_SEARCH_LENGTH",
    "NO_STATE_LABEL_EN",
    "NO_STATE_LABEL_JA",
    "OLD_SPELLINGS",
    "PARAMETERS",
    "QUERY_NAMES",
    "READ_PARAMETERS",
    "RECONCILIATION_COLUMNS",
    "REGION_FISCAL_YEAR_COLUMNS",
    "THEME_COLUMNS",
    "Counts",
    "Filters",
    "Headline",
    "InvalidFilter",
    "Reading",
    "by_fiscal_year",
    "by_format",
    "by_partner_kind",
    "by_region",
    "by_region_fiscal_year",
    "by_state",
    "by_theme",
    "counting_raw",
    "current_spelling",
    "facets",
    "filters_query",
    "fiscal_year_choices",
    "fiscal_year_problem",
    "fiscal_year_rows",
    "fiscal_year_span",
    "format_rows",
    "headline",
    "parse_fiscal_year",
    "partner_kind_rows",
    "pending_difference",
    "range_problem",
    "reconcile",
    "region_rows",
    "state_rows",
    "theme_rows",
    "total",
]
