"""What staff need for the certificates of programs they do not lead; a program's own
facilitators need none of these. Revoking is staff's alone, in the admin."""

from facilitate.permissions import READ_ANY_ROSTER

# The completion table lists every confirmed participant: the roster's rights, and
# the certificates' own.
VIEW_ANY_COMPLETION = (*READ_ANY_ROSTER, "certificates.view_certificate")
ISSUE_ANY = (*VIEW_ANY_COMPLETION, "certificates.add_certificate")
REVOKE = "certificates.revoke_certificate"


def may_issue(*, user, program) -> bool:
    """A facilitator of the program, or staff allowed to issue for any program."""
    return bool(
        user.is_authenticated
        and (user.has_perms(ISSUE_ANY) or program.facilitators.filter(user=user).exists())
    )
