"""Figures the regional reports need beyond `cases.stats`, in the same three layers.

One aggregation query → a DataFrame with documented columns (empty, with the same columns,
when there is nothing to count) → pure pandas transforms. The cases counted are always
`Filters.cases()` from `cases.stats`, so the counting rules are the stats module's: only held
cases, non-public ones included.
"""

import pandas as pd
from django.db.models import Count
from django.utils import translation

from cases.models import CasePartner, PartnerKind
from cases.stats import Filters

PARTNER_KIND_COLUMNS = ["key", "label_en", "label_ja", "cases", "partners"]


def by_partner_kind(filters: Filters) -> pd.DataFrame:
    """Cases per kind of partner, every kind listed (zero where none), in the kinds' order.

    A case counts under each kind among its partners (a case with a chamber and a university
    counts under both), and not at all when it has no partners, so the rows need not add up
    to the total. Columns: key (kind), label_en, label_ja, cases (cases with at least one
    partner of the kind), partners (distinct partners of the kind in those cases).
    """
    counts = {
        kind: (cases, partners)
        for kind, cases, partners in CasePartner.objects.filter(
            case__in=filters.cases().values("pk")
        )
        .values_list("partner__kind")
        .annotate(
            cases=Count("case_id", distinct=True), partners=Count("partner_id", distinct=True)
        )
        .order_by()
    }
    rows = [
        (kind.value, _label(kind, "en"), _label(kind, "ja"), *counts.get(kind.value, (0, 0)))
        for kind in PartnerKind
    ]
    frame = pd.DataFrame(rows, columns=PARTNER_KIND_COLUMNS)
    return frame.astype({"cases": "int64", "partners": "int64"})


def _label(choice, language: str) -> str:
    with translation.override(language):
        return str(choice.label)
