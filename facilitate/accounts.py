"""Where people land after signing in: where their work is.

The site's account adapter (ACCOUNT_ADAPTER) is this subclass of the core one, so that
"who is a facilitator" keeps its one home in `facilitate.selectors`.
"""

from django.http import HttpRequest
from django.urls import reverse

from omwellness.accounts import AccountAdapter as CoreAccountAdapter

from . import selectors


class AccountAdapter(CoreAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Staff land on the admin (it reaches everything the portal does), facilitators
        on their programs, everyone else on My registrations. A `next` given with the
        sign-in still wins: allauth asks here only when there is none."""
        user = request.user
        if user.is_staff:
            return reverse("admin:index")
        if selectors.is_facilitator(user=user):
            return reverse("facilitate:program_list")
        return super().get_login_redirect_url(request)
