from .issued import Announcement, IssuedDocument
from .memo import Attachment, Decision, HistoryEntry, Memo, MemoReader, MemoState, MemoStep, Secrecy, Urgency
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
from .outbox import OutboxMessage
from .record import DecisionRecord
from .register import RegisterCounter
from .verification import VerificationCode

__all__ = [
    "ActingAssignment",
    "ActingKind",
    "Agency",
    "Announcement",
    "Attachment",
    "Decision",
    "DecisionRecord",
    "HistoryEntry",
    "Holding",
    "IssuedDocument",
    "Memo",
    "MemoReader",
    "MemoState",
    "MemoStep",
    "Official",
    "OutboxMessage",
    "Position",
    "RegisterCounter",
    "Route",
    "RouteStep",
    "Secrecy",
    "Unit",
    "Urgency",
    "VerificationCode",
]
