"""What staff need to use the facilitator portal for a program they do not lead
(DESIGN rule 8); a facilitator needs none of these for their own programs."""

from registrations.permissions import (
    MESSAGE_PARTICIPANTS,
    REVIEW_APPLICATION,
    VIEW_ANSWER,
    VIEW_REGISTRATION,
)

# A roster is everyone's registration with their intake answers, so both.
READ_ANY_ROSTER = (VIEW_REGISTRATION, VIEW_ANSWER)
MARK_ATTENDANCE = ("facilitate.add_attendance", "facilitate.change_attendance")
MARK_ANY_ATTENDANCE = (*READ_ANY_ROSTER, *MARK_ATTENDANCE)
MESSAGE_ANY_PROGRAM = (*READ_ANY_ROSTER, MESSAGE_PARTICIPANTS)
# Deciding an application means reading its answers first.
REVIEW_ANY_APPLICATION = (*READ_ANY_ROSTER, REVIEW_APPLICATION)


def may_read_any_roster(*, user) -> bool:
    return bool(user.is_authenticated and user.is_staff and user.has_perms(READ_ANY_ROSTER))
