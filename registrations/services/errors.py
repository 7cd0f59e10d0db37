class RegistrationRefused(Exception):
    """A registration cannot be made; the message is for the person."""


class ProgramFull(RegistrationRefused):
    pass


class AlreadyRegistered(RegistrationRefused):
    def __init__(self, registration):
        super().__init__("This email already has a registration for this program.")
        self.registration = registration


class DiscountCodeInvalid(RegistrationRefused):
    pass


class OfferInvalid(RegistrationRefused):
    pass


class HoldRenewalRefused(RegistrationRefused):
    """A lapsed hold cannot be renewed on its terms: its price option has ended or its
    discount code can no longer be used. The message says what to do next."""


class CancellationRefused(Exception):
    pass
