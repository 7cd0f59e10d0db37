class RegistrationRefused(Exception):
    """A registration cannot be made; the message is for the person."""


class ProgramFull(RegistrationRefused):
    pass


class AlreadyRegistered(RegistrationRefused):
    def __init__(self, registration):
        super().__init__("This email already has a registration for this program.")
        self.registration = registration


class TooManyHolds(RegistrationRefused):
    """This client already holds as many unpaid seats of the program as one client may."""


class DiscountCodeInvalid(RegistrationRefused):
    pass


class OfferInvalid(RegistrationRefused):
    pass


class CancellationRefused(Exception):
    pass
