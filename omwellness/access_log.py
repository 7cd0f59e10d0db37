"""The one writer of access records: who looked at sensitive (health) answers.

Every page, export or admin view that shows sensitive answers calls `record_access`
once per showing, with the number of people whose sensitive answers it showed. A
showing of nobody's sensitive answers is not a look at anything, and writes nothing.
"""

import logging

from .models import SensitiveAccess

logger = logging.getLogger(__name__)


def record_access(*, user, program, people: int, what: str) -> SensitiveAccess | None:
    """Writes one record; None when `people` is 0 (nothing sensitive was shown)."""
    if people <= 0:
        return None
    authenticated = user is not None and user.is_authenticated
    record = SensitiveAccess.objects.create(
        user=user if authenticated else None,
        user_email=user.email if authenticated else "",
        program=program,
        program_title=program.title if program is not None else "",
        people=people,
        what=what[:200],
    )
    logger.info(
        "sensitive answers shown: %s, %s people, %s",
        record.user_email or "anonymous",
        people,
        record.what,
    )
    return record
