from .issued import Announcement, IssuedDocument
from .memo import Attachment, Decision, HistoryEntry, Memo, MemoReader, MemoState, MemoStep, Secrecy, Urgency
from .office import CommentPhrase, MemoRevision
from .organisation import (
    ActingAssignment,
    ActingKind,
    Agency,
    Holding,
    MemoType,
    Official,
    OnObjection,
    Position,
    Route,
    RouteStep,
    StepKind,
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
    "CommentPhrase",
    "Decision",
    "DecisionRecord",
    "HistoryEntry",
    "Holding",
    "IssuedDocument",
    "Memo",
    "MemoReader",
    "MemoRevision",
    "MemoState",
    "MemoStep",
    "MemoType",
    "Official",
    "OnObjection",
    "OutboxMessage",
    "Position",
    "RegisterCounter",
    "Route",
    "RouteStep",
    "Secrecy",
    "StepKind",
    "Unit",
    "Urgency",
    "VerificationCode",
]
