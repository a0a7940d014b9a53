"""The built-in relationship-stage models from the literature (DOMAIN.md §3), and loss reasons."""

from dataclasses import dataclass

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

# Seed 001: potential clients are contacted ~6 times a year, existing ones ~4 times.
POTENTIAL, EXISTING = 61, 91


@dataclass(frozen=True)
class StageSpec:
    key: str
    name: LazyString
    color: str
    interval_days: int
    terminal: bool = False


ENDED = StageSpec("ended", _l("Relationship ended"), "#8a93a3", 365, terminal=True)

MODELS: dict[str, tuple[LazyString, tuple[StageSpec, ...]]] = {
    "kotler": (
        _l("Kotler's loyalty ladder"),
        (
            StageSpec("suspect", _l("Suspect"), "#b8c2d1", POTENTIAL),
            StageSpec("prospect", _l("Prospect"), "#8fb3e8", POTENTIAL),
            StageSpec("first_time_buyer", _l("First-time buyer"), "#5b8def", EXISTING),
            StageSpec("repeat_buyer", _l("Repeat buyer"), "#2f6fd6", EXISTING),
            StageSpec("client", _l("Client"), "#1f9d74", EXISTING),
            StageSpec("supporter", _l("Supporter"), "#2e9e4a", EXISTING),
            StageSpec("advocate", _l("Advocate"), "#b08400", EXISTING),
            StageSpec("partner", _l("Partner"), "#8e44ad", EXISTING),
            ENDED,
        ),
    ),
    "dwyer": (
        _l("Dwyer, Schurr and Oh"),
        (
            StageSpec("awareness", _l("Awareness"), "#b8c2d1", POTENTIAL),
            StageSpec("exploration", _l("Exploration"), "#8fb3e8", POTENTIAL),
            StageSpec("expansion", _l("Expansion"), "#2f6fd6", EXISTING),
            StageSpec("commitment", _l("Commitment"), "#1f9d74", EXISTING),
            StageSpec("dissolution", _l("Dissolution"), "#8a93a3", 365, terminal=True),
        ),
    ),
    "payne": (
        _l("Payne's relationship ladder"),
        (
            StageSpec("prospect", _l("Prospect"), "#8fb3e8", POTENTIAL),
            StageSpec("customer", _l("Customer"), "#5b8def", EXISTING),
            StageSpec("client", _l("Client"), "#1f9d74", EXISTING),
            StageSpec("supporter", _l("Supporter"), "#2e9e4a", EXISTING),
            StageSpec("advocate", _l("Advocate"), "#b08400", EXISTING),
            StageSpec("partner", _l("Partner"), "#8e44ad", EXISTING),
            ENDED,
        ),
    ),
}
DEFAULT_MODEL = "kotler"

STAGE_NAMES: dict[str, LazyString] = {
    spec.key: spec.name for _, specs in MODELS.values() for spec in specs
}

LOSS_REASONS: dict[str, LazyString] = {
    "price": _l("Price"),
    "quality": _l("Quality"),
    "service": _l("Service"),
    "competitor": _l("Went to a competitor"),
    "closed": _l("Client closed down"),
    "relocation": _l("Relocation"),
    "other": _l("Other"),
}
