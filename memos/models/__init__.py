from .memo import Attachment, Decision, HistoryEntry, Memo, MemoState, MemoStep
from .organisation import (
    ActingAssignment,
    ActingKind,
    Agency,
    Holding,
    Official,
    Position,
    Route,
    RouteStep,
    Unit,
)
from .register import RegisterCounter

__all__ = [
    "ActingAssignment",
    "ActingKind",
    "Agency",
    "Attachment",
    "Decision",
    "HistoryEntry",
    "Holding",
    "Memo",
    "MemoState",
    "MemoStep",
    "Official",
    "Position",
    "RegisterCounter",
    "Route",
    "RouteStep",
    "Unit",
]
