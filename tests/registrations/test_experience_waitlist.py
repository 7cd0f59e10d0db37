from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from registrations import emails
from registrations.models import WaitlistEntry

from ..factories import ProgramFactory, UserFactory, WaitlistEntryFactory

pytestmark = pytest.mark.django_db


def test_experience_every_waitlist_email_links_to_the_persons_waitlist_page(
    django_capture_on_commit_callbacks,
):
    entry = WaitlistEntryFactory()
    page = f"{settings.SITE_URL}{reverse('registrations:waitlist_entry', args=[entry.token])}"
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        emails.waitlist_joined(entry=entry)
        emails.waitlist_confirm(entry=entry)
        emails.waitlist_link(entry=entry)
        entry.status = WaitlistEntry.Status.OFFERED
        entry.offer_expires_at = timezone.now() + timedelta(hours=48)
        emails.waitlist_offer(entry=entry)
        emails.waitlist_offer_expired(entry=entry)

    assert len(mail.outbox) == 5
    for message in mail.outbox:
        assert page in message.body, message.subject
        html = message.alternatives[0][0]
        assert f'href="{page}"' in html, message.subject


def test_experience_my_registrations_shows_the_place_in_line(client):
    program = ProgramFactory(capacity=1)
    WaitlistEntryFactory(program=program)
    WaitlistEntryFactory(program=program, status=WaitlistEntry.Status.UNCONFIRMED)
    WaitlistEntryFactory(program=program)
    WaitlistEntryFactory(program=program, status=WaitlistEntry.Status.LEFT)
    user = UserFactory()
    mine = WaitlistEntryFactory(program=program, email=user.email)
    offered = WaitlistEntryFactory(
        email=user.email,
        status=WaitlistEntry.Status.OFFERED,
        offer_expires_at=timezone.now() + timedelta(hours=48),
    )
    client.force_login(user)

    page = client.get(reverse("registrations:list")).content.decode()

    assert page.count(" in line</strong>") == 1
    assert "3rd in line" in page
    entry_page = client.get(reverse("registrations:waitlist_entry", args=[mine.token]))
    assert "3rd in line" in entry_page.content.decode()
    assert offered.program.title in page


def test_experience_place_in_line_costs_no_query_per_entry(client):
    counts = {}
    for size in (1, 10):
        user = UserFactory()
        for _ in range(size):
            WaitlistEntryFactory(email=user.email)
        client.force_login(user)
        with CaptureQueriesContext(connection) as captured:
            page = client.get(reverse("registrations:list")).content.decode()
        assert page.count("1st in line") == size
        counts[size] = len(captured)
    assert counts[1] == counts[10]
