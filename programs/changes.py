"""What changed in a program's schedule, for the notice to its participants (DESIGN rule 7).

Changes travel from the admin's save to its "notify participants" page inside a
signed token, so nothing is stored and nobody can forge a notice's contents.
"""

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from django.core import signing
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from .schedule import session_when

SIGNING_SALT = "programs.schedule-change"


class ChangeKind:
    MOVED = "moved"
    ADDED = "added"
    REMOVED = "removed"


@dataclass(frozen=True)
class _When:
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class SessionChange:
    kind: str
    title: str
    session_id: int | None = None
    old_starts_at: datetime | None = None
    old_ends_at: datetime | None = None
    new_starts_at: datetime | None = None
    new_ends_at: datetime | None = None

    def describe(self) -> str:
        """'Week 3 moves from Wed, Jan 21, 2026, 7:00–9:30 pm ET to Thu, Jan 22, …'."""
        old = _when(self.old_starts_at, self.old_ends_at)
        new = _when(self.new_starts_at, self.new_ends_at)
        if self.kind == ChangeKind.ADDED:
            return _("%(session)s is added: %(new)s") % {"session": self.title, "new": new}
        if self.kind == ChangeKind.REMOVED:
            return _("%(session)s on %(old)s is cancelled; please remove it from your calendar") % {
                "session": self.title,
                "old": old,
            }
        return _("%(session)s moves from %(old)s to %(new)s") % {
            "session": self.title,
            "old": old,
            "new": new,
        }

    def to_dict(self) -> dict:
        return {
            key: value.isoformat() if isinstance(value, datetime) else value
            for key, value in asdict(self).items()
        }

    @classmethod
    def from_dict(cls, data: dict) -> "SessionChange":
        moments = {"old_starts_at", "old_ends_at", "new_starts_at", "new_ends_at"}
        values: dict[str, Any] = {
            key: parse_datetime(value) if key in moments and value else value
            for key, value in data.items()
        }
        return cls(**values)


def _when(starts_at: datetime | None, ends_at: datetime | None) -> str:
    if starts_at is None or ends_at is None:
        return ""
    return session_when(_When(starts_at, ends_at))


def session_changes(*, before: dict[int, tuple], after: dict[int, tuple]) -> list[SessionChange]:
    """Compares {session id: (title, starts_at, ends_at)} before and after an edit."""
    changes = []
    for session_id, (title, starts_at, ends_at) in after.items():
        if session_id not in before:
            changes.append(
                SessionChange(ChangeKind.ADDED, title, session_id, None, None, starts_at, ends_at)
            )
            continue
        _, old_starts_at, old_ends_at = before[session_id]
        if (old_starts_at, old_ends_at) != (starts_at, ends_at):
            changes.append(
                SessionChange(
                    ChangeKind.MOVED,
                    title,
                    session_id,
                    old_starts_at,
                    old_ends_at,
                    starts_at,
                    ends_at,
                )
            )
    for session_id, (title, starts_at, ends_at) in before.items():
        if session_id not in after:
            changes.append(SessionChange(ChangeKind.REMOVED, title, session_id, starts_at, ends_at))
    return sorted(changes, key=_start)


def _start(change: SessionChange) -> datetime:
    """Where a change sorts: an added or moved session has a new start, a removed one an old."""
    start = change.new_starts_at or change.old_starts_at
    if start is None:
        raise ValueError(f"session change without a start: {change}")
    return start


def changes_sign(*, program_id: int, changes: list[SessionChange]) -> str:
    return signing.dumps(
        {"program": program_id, "changes": [change.to_dict() for change in changes]},
        salt=SIGNING_SALT,
        compress=True,
    )


def changes_unsign(*, token: str, program_id: int, max_age_seconds: int = 7 * 24 * 3600):
    """The changes a token carries; raises signing.BadSignature if forged, old or elsewhere."""
    data = signing.loads(token, salt=SIGNING_SALT, max_age=max_age_seconds)
    if data.get("program") != program_id:
        raise signing.BadSignature("The token belongs to another program.")
    return [SessionChange.from_dict(item) for item in data["changes"]]
