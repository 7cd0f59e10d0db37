# The admin is split by concern; importing the modules registers their ModelAdmins.
from . import admin_registrations  # noqa: F401
