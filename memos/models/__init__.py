from .issued import Announcement, IssuedDocument
from .memo import Attachment, Decision, HistoryEntry, Memo, MemoState, MemoStep
from .office import CommentPhrase, MemoRevision
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
    "CommentPhrase",
    "Decision",
    "DecisionRecord",
    "HistoryEntry",
    "Holding",
    "IssuedDocument",
    "Memo",
    "MemoRevision",
    "MemoState",
    "MemoStep",
    "Official",
    "OutboxMessage",
    "Position",
    "RegisterCounter",
    "Route",
    "RouteStep",
    "Unit",
    "VerificationCode",
]
