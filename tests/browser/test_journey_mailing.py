"""News of future programs, as a visitor and the office live it: asked on a program page,
confirmed from the email, a marketing email composed and sent by staff in the admin,
and a one-click unsubscribe from it, after which the emails of a registration still
come. Every page is checked with axe-core and photographed (`look`)."""

import re
import urllib.request

import pytest
from playwright.sync_api import expect

from mailing.models import Subscriber
from mailing.wording import CONSENT_WORDING
from outbox.models import OutboundEmail

from ..factories import UserFactory
from .helpers import (
    PASSWORD,
    SUCCEEDING_CARD,
    days_from_today,
    evening_program,
    expect_registered,
    found_in,
    pay_by_card,
    register,
)

pytestmark = pytest.mark.django_db(transaction=True)

READER = "reader@example.com"


def test_journey_mailing_consent_subscribe_confirm_marketing_unsubscribe(site, visitor, look):
    program = evening_program(first_day=days_from_today(40), title="Mindful Self-Compassion")
    UserFactory(email="office@example.com", is_staff=True, is_superuser=True)
    reader = visitor(phone=True)

    # A visitor asks for news with the form at the foot of a program page.
    reader.goto(site.url + program.get_absolute_url())
    news = reader.get_by_role("region", name="Hear about future programs")
    box = news.get_by_role("checkbox", name=CONSENT_WORDING)
    expect(box).not_to_be_checked()
    look(reader, "program-with-news-form")
    news.get_by_label("Your name (optional)").fill("Demo participant 1")
    news.get_by_label("Email").fill(READER)
    box.check()
    news.get_by_role("button", name="Subscribe").click()
    expect(reader.get_by_role("status")).to_contain_text("open the link in it to confirm")
    look(reader, "news-check-email")
    assert not Subscriber.objects.reachable().exists()

    # Double opt-in: the emailed link shows a button; pressing it puts the address on the list.
    confirm = site.inbox.wait_for(to=READER, subject="Please confirm: news of future programs")
    assert "100 Queen Street West" in confirm.text  # the sender, in every footer
    reader.goto(found_in(confirm.text, r"^(http\S+/news/confirm/\?token=\S+)$"))
    look(reader, "news-confirm")
    reader.get_by_role("button", name="Yes, tell me about future programs").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("You're on the list")
    look(reader, "news-confirmed")

    # The office writes a marketing email in the admin and sends it to everyone on the list.
    office = visitor()
    office.goto(site.url + "/admin/")
    office.get_by_label("Email address").fill("office@example.com")
    office.get_by_label("Password").fill(PASSWORD)
    office.get_by_role("button", name="Log in").click()
    office.locator("#mailing-marketingemail").get_by_role("link", name="Marketing emails").click()
    office.get_by_role("link", name="Add marketing email").click()
    office.get_by_label("Subject").fill("Spring programs are open")
    office.get_by_label("Message").fill("Three new evenings this spring.\n\n**See you soon.**")
    office.get_by_label("Send to").select_option("everyone")
    look(office, "admin-compose")
    office.get_by_role("button", name="Save", exact=True).click()
    office.locator('input[name="_selected_action"]').first.check()
    office.locator('select[name="action"]').select_option("send")
    office.locator('button[name="index"]').click()
    expect(office.locator("#content")).to_contain_text("everyone on the list, 1 person")
    look(office, "admin-send-confirm")
    office.get_by_role("button", name="Send now").click()
    expect(office.locator(".messagelist")).to_contain_text("is on its way to 1 person")
    look(office, "admin-sent")

    # The email carries the one-click headers and link; the link unsubscribes at once.
    letter = site.inbox.wait_for(to=READER, subject="Spring programs are open")
    assert "Three new evenings this spring." in letter.text
    headers = OutboundEmail.objects.get(kind="marketing").headers
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe_url = found_in(letter.text, r"^(http\S+/news/unsubscribe/\?token=\S+)$")
    assert headers["List-Unsubscribe"] == f"<{unsubscribe_url}>"
    reader.goto(unsubscribe_url)
    look(reader, "unsubscribe")
    reader.get_by_role("button", name="Unsubscribe").click()
    expect(reader.get_by_role("heading", level=1)).to_have_text("You're unsubscribed")
    look(reader, "unsubscribed")
    assert not Subscriber.objects.reachable().exists()
    # A mail program's own one-click POST (RFC 8058), no cookie, no token: still fine.
    one_click = urllib.request.Request(
        unsubscribe_url, data=b"List-Unsubscribe=One-Click", method="POST"
    )
    with urllib.request.urlopen(one_click) as answer:  # noqa: S310 - the live test server
        assert answer.status == 200

    # Unsubscribed from news, the reader registers: the registration's emails still come.
    reader.goto(site.url + program.get_absolute_url())
    reader.get_by_role("link", name="Register").click()
    expect(
        reader.get_by_role("checkbox", name=re.compile("Tell me about future"))
    ).not_to_be_checked()
    register(reader, name="Demo participant 1", email=READER)
    pay_by_card(reader, SUCCEEDING_CARD, name="Demo participant 1")
    expect_registered(reader)
    site.inbox.wait_for(to=READER, subject=f"You're registered: {program.title}")
