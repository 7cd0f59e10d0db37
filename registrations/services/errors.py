from django.utils.translation import gettext as _


class RegistrationRefused(Exception):
    """A registration cannot be made; the message is for the person."""


class ProgramFull(RegistrationRefused):
    """Every seat is taken; the person can join the waitlist."""


class PriceUnavailable(RegistrationRefused):
    """The chosen price option has ended or belongs to another program."""


class NotAwaitingPayment(RegistrationRefused):
    """Checkout was asked for a registration that is confirmed, cancelled or refunded."""


class AlreadyRegistered(RegistrationRefused):
    def __init__(self, registration):
        super().__init__(_("This email already has a registration for this program."))
        self.registration = registration


class SubmittedBefore(Exception):
    """The same form submission came before (its answer was lost on the way back), and
    made `registration`. Not a refusal: the person carries on with that registration."""

    def __init__(self, registration):
        super().__init__(
            _("This form was submitted before: %(reference)s.")
            % {"reference": registration.reference}
        )
        self.registration = registration


class TooManyHolds(RegistrationRefused):
    """This client already holds as many unpaid seats of the program as one client may."""


class DiscountCodeInvalid(RegistrationRefused):
    pass


class OfferInvalid(RegistrationRefused):
    pass


class HoldRenewalRefused(RegistrationRefused):
    """A lapsed hold cannot be renewed on its terms: its price option has ended or its
    discount code can no longer be used. The message says what to do next."""


class ApplicationDecided(Exception):
    """The application was decided already (by someone else, or a second click); the
    message is for the facilitator."""


class CancellationRefused(Exception):
    pass


class TransferRefused(Exception):
    """A transfer batch cannot be made; nothing was changed. Each problem is for staff."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


class AnswersRefused(Exception):
    """Intake answers cannot be stored for this registration; the message is for the person."""


class SwitchRefused(Exception):
    """A registration cannot move to the other term now; the message is for the person."""
