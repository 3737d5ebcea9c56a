"""Petition tables: petitions, supporters, signatures with their tallies, invalidations and the module's settings."""

from civic.petitions.models.petition import (
    PUBLIC_STATES,
    REJECTION_LABELS,
    STATE_LABELS,
    Petition,
    PetitionState,
    RejectionCode,
)
from civic.petitions.models.settings import PetitionLevelRule, PetitionSettings
from civic.petitions.models.signatures import (
    PetitionDailyCount,
    PetitionInvalidation,
    PetitionSignature,
    PetitionSourceAlert,
    PetitionSupporter,
    PetitionTerritoryCount,
)

__all__ = [
    "PUBLIC_STATES",
    "REJECTION_LABELS",
    "STATE_LABELS",
    "Petition",
    "PetitionDailyCount",
    "PetitionInvalidation",
    "PetitionLevelRule",
    "PetitionSettings",
    "PetitionSignature",
    "PetitionSourceAlert",
    "PetitionState",
    "PetitionSupporter",
    "PetitionTerritoryCount",
    "RejectionCode",
]
