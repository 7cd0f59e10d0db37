"""The registrations admin, one module per thing it manages; importing them registers
their ModelAdmins."""

from . import discounts, payments, programs, registrations, waitlist  # noqa: F401
