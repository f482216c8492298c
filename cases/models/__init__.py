"""The case register: regions (consular districts), states, themes, partners and cases.

One module per part: `reference` (the districts, offices, states, jurisdictions, counties,
themes and published figures, loaded from fixtures/), `partners`, `publishable` (the publishing
workflow's states and the abstract model cases and showcase pages share), `case` (cases, their
states of work, and their partners) and `revisions` (changes waiting for HQ's review).
Import the models from here.
"""

from cases.models.case import (
    Case,
    CaseFormat,
    CaseOrigin,
    CasePartner,
    CaseQuerySet,
    CaseStatus,
    PartnerRole,
    tagged,
)
from cases.models.partners import Partner, PartnerKind, partner_slug
from cases.models.publishable import REVIEWED, Publication, Publishable, WorkflowError
from cases.models.reference import (
    BilingualNameMixin,
    County,
    Jurisdiction,
    MissionKind,
    Office,
    PublishedFigure,
    Region,
    State,
    StateKind,
    Theme,
    ThemeGroup,
)
from cases.models.revisions import Revision, RevisionKind, RevisionStatus

__all__ = [
    "REVIEWED",
    "BilingualNameMixin",
    "Case",
    "CaseFormat",
    "CaseOrigin",
    "CasePartner",
    "CaseQuerySet",
    "CaseStatus",
    "County",
    "Jurisdiction",
    "MissionKind",
    "Office",
    "Partner",
    "PartnerKind",
    "PartnerRole",
    "Publication",
    "Publishable",
    "PublishedFigure",
    "Region",
    "Revision",
    "RevisionKind",
    "RevisionStatus",
    "State",
    "StateKind",
    "Theme",
    "ThemeGroup",
    "WorkflowError",
    "partner_slug",
    "tagged",
]
