"""What staff may read and do with other people's registrations (DESIGN rule 8).

`is_staff` only opens the door of the admin. What a staff member may read or change
is what their Django permissions grant, usually through the "Program staff" group
(see the README and migration 0002_program_staff_group); superusers hold them all.
Nobody needs any of these for what is theirs: a participant for their own
registrations, a facilitator for the programs they lead. What the facilitator portal
asks of staff is in `facilitate.permissions`.
"""

VIEW_REGISTRATION = "registrations.view_registration"
CHANGE_REGISTRATION = "registrations.change_registration"
CANCEL_REGISTRATION = "registrations.cancel_registration"
REFUND_REGISTRATION = "registrations.refund_registration"
MESSAGE_PARTICIPANTS = "registrations.message_participants"
# Cancelling a whole program refunds everyone in full: its own permission, on Program.
CANCEL_PROGRAM = "programs.cancel_program"
VIEW_ANSWER = "registrations.view_answer"
# Approving, declining or asking to call first, for a program one does not lead.
REVIEW_APPLICATION = "registrations.review_application"
# The only portal page for someone's waitlist entry takes them off it.
LEAVE_ANY_WAITLIST = ("registrations.view_waitlistentry", "registrations.change_waitlistentry")

# The payment flow's addresses (continue to payment, back from Checkout) move a seat.
ACT_ON_ANY_REGISTRATION = CHANGE_REGISTRATION


def may_refund(*, user) -> bool:
    return bool(user.is_authenticated and user.has_perm(REFUND_REGISTRATION))


def may_cancel_for_someone_else(*, user, refund_cents: int) -> bool:
    """Cancelling another person's registration needs the cancel permission; giving any
    money back while doing it needs the refund permission as well."""
    if not (user.is_authenticated and user.has_perm(CANCEL_REGISTRATION)):
        return False
    return refund_cents <= 0 or may_refund(user=user)


def may_cancel_program(*, user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(CANCEL_PROGRAM))
