"""The sign-in forms of django-allauth, adapted to people who register without an account."""

from allauth.account.forms import RequestLoginCodeForm as AllauthRequestLoginCodeForm

from omwellness.models import User

from .accounts import account_for_registrant


class RequestLoginCodeForm(AllauthRequestLoginCodeForm):
    """Sends the code to anyone who registered with the address, account or not."""

    _user: User | None  # allauth's: the account the code goes to

    def clean_email(self) -> str:
        # allauth's checks (the rate limit among them) come first.
        email = super().clean_email()
        if email and self._user is None:
            self._user = account_for_registrant(email=email)
        return email
