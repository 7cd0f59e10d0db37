"""The email a participant gets when their certificate is issued (through the outbox)."""

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
        subject=f"Your certificate of completion: {certificate.program_title}",
        template="certificate_issued",
        context={
            "name": certificate.name,
            "certificate": certificate,
            "download_url": personal_url(registration, "certificates:download"),
            "verify_url": absolute(certificate.get_absolute_url()),
            "registration_url": registration_url(registration),
        },
        registration=registration,
    )
