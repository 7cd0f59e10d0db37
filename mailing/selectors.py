"""Who a marketing email goes to. Every audience starts from `Subscriber.reachable()`,
the one definition of being on the list."""

from django.db.models import Q

from .models import Consent, MarketingEmail, Subscriber, SubscriberQuerySet

LIVE_CONSENT = Q(consents__confirmed_at__isnull=False, consents__withdrawn_at__isnull=True)


def audience(*, email: MarketingEmail) -> SubscriberQuerySet:
    subscribers = Subscriber.objects.reachable()
    if email.audience == MarketingEmail.Audience.EVERYONE:
        return subscribers.order_by("pk")
    # One filter() call: the program, the source and the live state are one consent's.
    of_program = LIVE_CONSENT & Q(consents__program_id=email.program_id)
    if email.audience == MarketingEmail.Audience.PARTICIPANTS:
        of_program &= Q(consents__source=Consent.Source.REGISTRATION)
    return subscribers.filter(of_program).distinct().order_by("pk")
