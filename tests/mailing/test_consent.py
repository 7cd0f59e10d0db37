"""News of future programs under CASL: consent asked with an unticked box, recorded as
given, confirmed by email from the public form (double opt-in), and withdrawn at once
by a one-click unsubscribe that never touches the transactional emails."""

import re
from email import message_from_bytes
from email import policy as email_policy
from pathlib import Path

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mailing import services
from mailing.models import Consent, MarketingEmail, Subscriber
from mailing.wording import CONSENT_WORDING
from omwellness.models import Centre
from outbox import rendering
from outbox import services as outbox
from outbox.models import OutboundEmail
from programs.models import PriceOption, Program
from registrations import emails as registration_emails
from registrations.models import Registration
from registrations.services.holds import registration_confirm

from ..factories import ProgramFactory, RegistrationFactory, staff_with
from ..helpers import form_data, register, url

pytestmark = pytest.mark.django_db

SUBSCRIBE = reverse("mailing:subscribe")


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Runs `function` in a transaction, as a request does, and returns the emails sent."""

    def run(function, **kwargs):
        before = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            result = function(**kwargs)
        return result, mail.outbox[before:]

    return run


def subscribe(client, email, program=None, name="", **extra):
    data = {"email": email, "name": name, "consent": "on", **extra}
    if program is not None:
        data["program"] = program.slug
    return client.post(SUBSCRIBE, data)


def link(message, path: str) -> str:
    """The emailed link to `path`, as the site's own address with its query."""
    return re.search(rf"https?://[^/\s]+({re.escape(path)}\?token=[\w-]+)", message.body).group(1)


def confirmed_subscriber(email: str, program=None) -> Subscriber:
    consent = services.consent_give(
        given=services.ConsentGiven(
            email=email, source=Consent.Source.PROGRAM_PAGE, program=program
        )
    )
    services.consent_confirm(token=consent.confirm_token)
    return Subscriber.objects.get(pk=consent.subscriber_id)


def checkbox(html: str, name: str) -> str:
    return re.search(rf'<input type="checkbox" name="{name}"[^>]*>', html).group(0)


# --- asking -----------------------------------------------------------------------------


def test_consent_box_is_never_ticked_beforehand_on_either_form(client, program):
    register_page = client.get(url(program)).content.decode()
    program_page = client.get(program.get_absolute_url()).content.decode()
    news_page = client.get(SUBSCRIBE).content.decode()

    for html, name in (
        (register_page, "future_programs"),
        (program_page, "consent"),
        (news_page, "consent"),
    ):
        box = checkbox(html, name)
        assert "checked" not in box
        assert CONSENT_WORDING in html
        # Who asks, as CASL wants a request for consent to say.
        assert "100 Queen Street West, Toronto, ON M5H 2N2, Canada" in html


def test_consent_not_ticked_on_the_registration_form_records_nothing(client, program):
    response = client.post(url(program), form_data(program, price_option=_free(program).pk))

    assert response.status_code == 302
    assert Registration.objects.get().status == Registration.Status.CONFIRMED
    assert not Consent.objects.exists() and not Subscriber.objects.exists()


def _free(program: Program) -> PriceOption:
    return PriceOption.objects.create(program=program, label="Community", amount_cents=0)


def test_consent_ticked_on_the_registration_form_is_recorded_with_its_wording_and_source(
    client, program
):
    before = timezone.now()
    client.post(
        url(program),
        form_data(program, price_option=_free(program).pk, future_programs="on"),
    )

    registration = Registration.objects.get()
    consent = Consent.objects.get()
    assert consent.source == Consent.Source.REGISTRATION
    assert consent.program == program and consent.reference == registration.reference
    assert consent.wording == CONSENT_WORDING
    assert consent.email == "ada@example.com" and consent.name == "Ada Example"
    assert before <= consent.given_at <= timezone.now()
    # Nothing due: the registration is confirmed at once, and its consent with it.
    assert consent.confirmed_at is not None
    assert Subscriber.objects.reachable().get().email == "ada@example.com"
    assert not OutboundEmail.objects.filter(kind="consent_confirm").exists()


def test_consent_from_a_registration_counts_only_once_the_registration_is_confirmed(program):
    registration = register(program, future_programs=True)
    consent = Consent.objects.get(reference=registration.reference)
    assert registration.status == Registration.Status.PENDING
    assert consent.confirmed_at is None
    assert not Subscriber.objects.reachable().exists()

    with transaction.atomic():
        registration_confirm(registration=registration, reason="paid")

    consent.refresh_from_db()
    assert consent.confirmed_at is not None
    assert Subscriber.objects.reachable().get().email == registration.email


def test_consent_from_the_program_page_is_confirmed_by_email_double_opt_in(
    client, program, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = subscribe(client, "Grace@Example.com", program, name="Grace")

    assert response.status_code == 200
    assert "Check your email to confirm" in response.content.decode()
    consent = Consent.objects.get()
    assert consent.source == Consent.Source.PROGRAM_PAGE and consent.program == program
    assert consent.confirmed_at is None
    assert not Subscriber.objects.reachable().exists()
    (message,) = mail.outbox
    assert message.to == ["Grace@Example.com"]
    assert CONSENT_WORDING in message.body

    confirm_link = link(message, reverse("mailing:confirm"))
    page = client.get(confirm_link)  # a mail scanner opening the link changes nothing
    assert page.status_code == 200 and "Yes, tell me about future programs" in page.content.decode()
    assert not Subscriber.objects.reachable().exists()

    done = client.post(confirm_link)

    assert "You're on the list" in done.content.decode()
    consent.refresh_from_db()
    assert consent.confirmed_at is not None
    assert Subscriber.objects.reachable().get().email == "Grace@Example.com"


def test_consent_form_answers_alike_whether_or_not_the_address_is_on_the_list(
    client, program, django_capture_on_commit_callbacks
):
    confirmed_subscriber("known@example.com")

    known = subscribe(client, "KNOWN@example.com", program)
    new = subscribe(client, "new@example.com", program)

    def page(response):
        return (
            response.content.decode()
            .replace("KNOWN@example.com", "ADDRESS")
            .replace("new@example.com", "ADDRESS")
        )

    assert known.status_code == new.status_code == 200
    assert _main(page(known)) == _main(page(new))
    # One subscriber per address, whatever its case.
    assert Subscriber.objects.filter(email__iexact="known@example.com").count() == 1


def _main(html: str) -> str:
    """The page without its CSRF token, which differs from one answer to the next."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)


def test_consent_form_is_rate_limited_per_address(client, program, settings):
    settings.FORM_RATE_LIMITS = {
        **settings.FORM_RATE_LIMITS,
        "subscribe": {"client": "100/h", "email": "2/h"},
    }
    assert subscribe(client, "busy@example.com", program).status_code == 200
    assert subscribe(client, "busy@example.com", program).status_code == 200

    refused = subscribe(client, "busy@example.com", program)

    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "busy@example.com" in refused.content.decode()  # what was typed is kept
    assert Consent.objects.count() == 2


def test_consent_form_needs_the_box_ticked(client, program):
    response = client.post(SUBSCRIBE, {"email": "someone@example.com", "program": program.slug})

    assert response.status_code == 422
    assert "Tick the box" in response.content.decode()
    assert not Subscriber.objects.exists()


def test_consent_program_page_served_from_the_cache_carries_each_visitors_csrf_token(program):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.get(program.get_absolute_url())
    page = second.get(program.get_absolute_url()).content.decode()  # the cached copy
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    response = second.post(
        SUBSCRIBE,
        {"email": "cached@example.com", "consent": "on", "program": program.slug,
         "csrfmiddlewaretoken": token},
    )  # fmt: skip

    assert response.status_code == 200
    assert Consent.objects.get().email == "cached@example.com"


# --- sending and unsubscribing ------------------------------------------------------------


def marketing(**fields) -> MarketingEmail:
    values = {"subject": "Spring programs", "body": "New **programs** this spring."}
    return MarketingEmail.objects.create(**(values | fields))


def test_consent_audiences_only_reach_confirmed_consents_not_withdrawn(program, commit):
    other = ProgramFactory()
    confirmed_subscriber("page@example.com", program)
    confirmed_subscriber("elsewhere@example.com", other)
    services.consent_give(
        given=services.ConsentGiven(email="pending@example.com", source="program_page")
    )
    gone = confirmed_subscriber("gone@example.com", program)
    services.unsubscribe(token=gone.token)
    with transaction.atomic():
        registration = register(program, email="participant@example.com", future_programs=True)
        registration_confirm(registration=registration)
    mail.outbox.clear()

    def recipients(email):
        _count, sent = commit(services.marketing_send, email_id=email.pk)
        return sorted(message.to[0] for message in sent)

    assert recipients(marketing()) == [
        "elsewhere@example.com",
        "page@example.com",
        "participant@example.com",
    ]
    assert recipients(marketing(audience="program", program=program)) == [
        "page@example.com",
        "participant@example.com",
    ]
    assert recipients(marketing(audience="participants", program=program)) == [
        "participant@example.com"
    ]


def test_consent_marketing_email_carries_one_click_unsubscribe_headers_and_sender(commit):
    subscriber = confirmed_subscriber("reader@example.com")
    Centre.objects.update_or_create(
        pk=1, defaults={"mailing_address": "12 Quiet Lane\nGuelph, ON N1H 1A1", "phone": ""}
    )
    email = marketing()

    count, (message,) = commit(services.marketing_send, email_id=email.pk)

    assert count == 1
    parsed = message_from_bytes(message.message().as_bytes(), policy=email_policy.default)
    unsubscribe_url = f"http://127.0.0.1:8000/news/unsubscribe/?token={subscriber.token}"
    assert parsed["List-Unsubscribe"].strip() == f"<{unsubscribe_url}>"  # folded: long
    assert parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_url in message.body
    assert unsubscribe_url.replace("&", "&amp;") in message.alternatives[0][0]
    assert "New **programs** this spring." in message.body
    assert "<strong>programs</strong>" in message.alternatives[0][0]
    assert "12 Quiet Lane\nGuelph, ON N1H 1A1" in message.body
    row = OutboundEmail.objects.get(kind="marketing")
    assert row.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_consent_marketing_email_is_sent_once(commit):
    confirmed_subscriber("reader@example.com")
    email = marketing()
    commit(services.marketing_send, email_id=email.pk)

    with pytest.raises(services.AlreadySent):
        services.marketing_send(email_id=email.pk)
    assert OutboundEmail.objects.filter(kind="marketing").count() == 1
    email.refresh_from_db()
    assert email.sent_at is not None and email.recipient_count == 1


def test_consent_one_click_unsubscribe_is_a_post_without_csrf_and_acts_at_once(program):
    subscriber = confirmed_subscriber("leaving@example.com", program)
    queued = OutboundEmail.objects.create(
        kind="marketing", dedup_key="m:1", recipient="LEAVING@example.com", subject="s",
        body_text="b",
    )  # fmt: skip
    mail_client = Client(enforce_csrf_checks=True)  # no cookie, no token: a mail program
    address = reverse("mailing:unsubscribe") + f"?token={subscriber.token}"

    response = mail_client.post(
        address, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.withdrawn_at is not None
    assert not Subscriber.objects.reachable().exists()
    assert not Consent.objects.filter(withdrawn_at__isnull=True).exists()
    queued.refresh_from_db()
    assert queued.status == OutboundEmail.Status.FAILED
    assert queued.last_error == services.UNSUBSCRIBED_BEFORE_SENDING


def test_consent_unsubscribe_link_opened_shows_one_button_and_changes_nothing(client):
    subscriber = confirmed_subscriber("reader@example.com")
    address = reverse("mailing:unsubscribe") + f"?token={subscriber.token}"

    page = client.get(address)

    html = page.content.decode()
    main = html.split("<main", 1)[1]  # the header has its own button, the language switch
    assert page.status_code == 200 and main.count('type="submit"') == 1
    assert subscriber.token not in html
    assert page["Referrer-Policy"] == "same-origin"
    assert Subscriber.objects.reachable().exists()
    assert client.post(address).status_code == 200
    assert not Subscriber.objects.reachable().exists()
    assert client.get(reverse("mailing:unsubscribe") + "?token=nope").status_code == 404


def test_consent_withdrawn_never_stops_transactional_emails(program, commit):
    registration = RegistrationFactory(program=program, email="both@example.com")
    subscriber = confirmed_subscriber("both@example.com", program)
    services.unsubscribe(token=subscriber.token)

    _result, sent = commit(registration_emails.confirmation, registration=registration)

    assert [message.to for message in sent] == [["both@example.com"]]
    _result, sent = commit(registration_emails.registration_link, registration=registration)
    assert len(sent) == 1


def test_consent_confirm_link_after_unsubscribing_does_not_put_the_address_back(client):
    consent = services.consent_give(
        given=services.ConsentGiven(email="late@example.com", source="program_page")
    )
    services.unsubscribe(token=consent.subscriber.token)

    response = client.post(reverse("mailing:confirm") + f"?token={consent.confirm_token}")

    assert response.status_code == 404
    assert not Subscriber.objects.reachable().exists()


# --- the next term, and the admin ---------------------------------------------------------


def test_consent_next_term_is_announced_once_to_past_participants_who_consented(commit):
    past = ProgramFactory(title="Autumn term")
    nxt = ProgramFactory(title="Winter term", status=Program.Status.DRAFT)
    Program.objects.filter(pk=past.pk).update(next_term=nxt)
    past.refresh_from_db()
    for address, ticked in (("yes@example.com", True), ("no@example.com", False)):
        with transaction.atomic():
            registration_confirm(registration=register(past, email=address, future_programs=ticked))
    confirmed_subscriber("page-only@example.com", past)
    mail.outbox.clear()

    with pytest.raises(services.NothingToAnnounce):
        services.next_term_announce(program=past)
    Program.objects.filter(pk=nxt.pk).update(status=Program.Status.PUBLISHED)

    announcement, sent = commit(services.next_term_announce, program=past)

    assert [message.to for message in sent] == [["yes@example.com"]]
    assert "Winter term" in sent[0].body and nxt.get_absolute_url() in sent[0].body
    assert announcement.recipient_count == 1
    with pytest.raises(services.AlreadySent):
        services.next_term_announce(program=past)
    assert OutboundEmail.objects.filter(kind="marketing").count() == 1


def test_french_next_term_announcement_is_written_in_each_subscribers_language(commit):
    past = ProgramFactory(title="Autumn term", title_fr="Session d'automne")
    nxt = ProgramFactory(title="Winter term", title_fr="Session d'hiver")
    Program.objects.filter(pk=past.pk).update(next_term=nxt)
    past.refresh_from_db()
    for address, language in (("fr@example.com", "fr"), ("en@example.com", "en")):
        with transaction.atomic():
            registration_confirm(registration=register(past, email=address, future_programs=True))
        Subscriber.objects.filter(email=address).update(language=language)
    mail.outbox.clear()

    _announcement, sent = commit(services.next_term_announce, program=past)

    by_address = {message.to[0]: message for message in sent}
    french, english = by_address["fr@example.com"], by_address["en@example.com"]
    assert french.subject.endswith("La prochaine session\u00a0: Session d'hiver")
    assert "Vous avez suivi Session d'automne" in french.body
    assert "/fr/programs/" in french.body and "You took part" not in french.body
    assert english.subject.endswith("The next term: Winter term")
    assert "You took part in Autumn term" in english.body


def test_consent_admin_composes_and_sends_with_the_send_permission_only(client, commit):
    confirmed_subscriber("reader@example.com")
    writer = staff_with("mailing.add_marketingemail", "mailing.view_marketingemail")
    sender = staff_with(
        "mailing.add_marketingemail", "mailing.view_marketingemail",
        "mailing.send_marketingemail",
    )  # fmt: skip
    client.force_login(writer)
    add = client.post(
        reverse("admin:mailing_marketingemail_add"),
        {"subject": "Open house", "body": "Come by.", "audience": "everyone", "program": ""},
    )
    assert add.status_code == 302
    email = MarketingEmail.objects.get()
    changelist = reverse("admin:mailing_marketingemail_changelist")
    action = {"action": "send", "_selected_action": [email.pk]}

    assert client.post(changelist, action).status_code == 200  # no such action for them
    assert not OutboundEmail.objects.filter(kind="marketing").exists()

    client.force_login(sender)
    asked = client.post(changelist, action)
    assert "1 person" in asked.content.decode() and not mail.outbox  # asks first
    _response, sent = commit(client.post, path=changelist, data={**action, "apply": "Send now"})

    assert [message.subject for message in sent] == ["Open house"]
    email.refresh_from_db()
    assert email.sent_by == sender and email.recipient_count == 1


def test_consent_program_admin_action_announces_the_next_term(client, commit):
    past = ProgramFactory()
    nxt = ProgramFactory(title="Next run")
    Program.objects.filter(pk=past.pk).update(next_term=nxt)
    with transaction.atomic():
        registration_confirm(registration=register(past, future_programs=True))
    mail.outbox.clear()
    client.force_login(staff_with("programs.view_program", "mailing.send_marketingemail"))

    _response, sent = commit(
        client.post,
        path=reverse("admin:programs_program_changelist"),
        data={"action": "announce_next_term", "_selected_action": [past.pk]},
    )

    assert [message.to for message in sent] == [["ada@example.com"]]
    assert "Next run" in sent[0].subject


def test_consent_sender_identification_is_in_the_footer_of_every_email_template(settings):
    """Every email is rendered from templates/emails/ on the same base: each one, rendered
    with next to nothing, names the centre as staff set it in the admin."""
    Centre.objects.update_or_create(
        pk=1,
        defaults={
            "name": "omwellness",
            "mailing_address": "12 Quiet Lane\nGuelph, ON N1H 1A1",
            "email": "desk@omwellness.ca",
            "website": "https://omwellness.ca",
        },
    )
    folder = Path(settings.BASE_DIR) / "templates" / "emails"
    names = sorted(
        path.stem
        for path in folder.glob("*.txt")
        if not path.name.startswith("_") and path.stem != "base"
    )
    assert "confirmation" in names and "marketing" in names and "reminder" in names

    for name in names:
        # Only amounts need a value: the money filter refuses an empty one.
        amounts = {"amount_paid_cents": 45000, "refund_cents": 45000}
        text, html = rendering.render(template=name, context=amounts)
        for line in ("12 Quiet Lane", "Guelph, ON N1H 1A1", "desk@omwellness.ca"):
            assert line in text and line in html, (name, line)
        assert "https://omwellness.ca" in text and 'href="https://omwellness.ca"' in html


def test_consent_outbox_refuses_a_header_that_is_not_one_line():
    draft = outbox.EmailDraft(
        kind="marketing", dedup_key="x", recipient="a@example.com", subject="s", body_text="b",
        headers={"List-Unsubscribe": "<https://omwellness.ca/>\r\nBcc: victim@example.com"},
    )  # fmt: skip
    with pytest.raises(ValueError, match="one line"):
        outbox.write(draft)
    with pytest.raises(ValueError, match="sets Message-ID"):
        outbox.write(
            outbox.EmailDraft(
                kind="k",
                dedup_key="y",
                recipient="a@example.com",
                subject="s",
                body_text="b",
                headers={"Message-ID": "<chosen@example.com>"},
            )  # fmt: skip
        )
    assert not OutboundEmail.objects.exists()
