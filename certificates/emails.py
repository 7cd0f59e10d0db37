"""The email a participant gets when their certificate is issued (through the outbox)."""

from django.utils.translation import gettext as _

from registrations.emails import absolute, queue, registration_url
from registrations.emails.links import personal_url

from .models import Certificate

KIND = "certificate_issued"


def certificate_issued(*, certificate: Certificate) -> None:
    """The download link (a token link for people without an account) and the public
    verification address; written once per certificate."""
    registration = certificate.registration
    queue(
        kind=KIND,
        dedup_key=f"certificate_issued:{certificate.pk}",
        recipient=registration.email,
        language=registration.language,
        subject=lambda: (
            _("Your certificate of completion: %(program)s")
            % {"program": certificate.program_title}
        ),
        template="certificate_issued",
        context=lambda: {
            "name": certificate.name,
            "certificate": certificate,
            "download_url": personal_url(registration, "certificates:download"),
            "verify_url": absolute(certificate.get_absolute_url()),
            "registration_url": registration_url(registration),
        },
        registration=registration,
    )
