"""Six journeys through the site in Chromium, as the people who use it take them.

Every page on the way is checked with axe-core and photographed at 390 and 1280 px
(`look`, conftest.py). Steps that wait for the clock (a hold lapsing, a reminder
coming due) call the periodic services with the moment they would run at.
"""

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from programs.models import Program
from programs.schedule import session_when
from registrations import reminders, services
from registrations.models import Answer, Payment, Registration, WaitlistEntry

from ..factories import (
    FacilitatorFactory,
    QuestionFactory,
    RegistrationFactory,
    UserFactory,
    WaitlistEntryFactory,
)
from .helpers import (
    DECLINED_CARD,
    PASSWORD,
    SUCCEEDING_CARD,
    agree_and_continue,
    calendar_of,
    days_from_today,
    evening_program,
    expect_registered,
    found_in,
    paid_registration,
    pay_by_card,
    register,
    tab_to,
)

pytestmark = pytest.mark.django_db(transaction=True)

# The journeys -----------------------------------------------------------------------------


def test_journey_1_newcomer_registers_pays_and_signs_in(site, visitor, look):
    call_command("load_demo", stdout=io.StringIO())
    term = (
        Program.objects.filter(title__startswith="Mindful Self-Compassion")
        .with_dates()
        .filter(first_starts_at__gt=timezone.now())
        .get()
    )
    # Registration for the next term is open, whatever the day this runs.
    Program.objects.filter(pk=term.pk).update(
        registration_opens_at=timezone.now() - timedelta(days=1)
    )
    page = visitor()

    page.goto(site.url + "/")
    look(page, "home")
    card = page.get_by_role("article").filter(has_text=term.title)
    expect(card).to_contain_text("Registration open")
    card.get_by_role("link", name=term.title).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(term.title)
    look(page, "program")
    schedule = page.get_by_role("table", name=f"Sessions of {term.title}")
    expect(schedule.get_by_role("row")).to_have_count(1 + 9)  # 8 evenings and a retreat
    week_one = schedule.get_by_role("row").filter(has_text="Week 1: Discovering self-compassion")
    expect(week_one).to_contain_text("7:00–9:30 pm")
    expect(page.get_by_text("All times are Eastern Time (Toronto).")).to_be_visible()
    page.get_by_role("link", name="Register").click()

    look(page, "register")
    page.get_by_label("Your name").fill("The Newcomer")
    page.get_by_label("Email").fill("newcomer@example.com")
    page.get_by_label("Standard: $450").check()
    page.get_by_label("What brings you to this program?").fill("A friend recommended it.")
    page.get_by_role("group", name="Have you practised meditation before?").get_by_label(
        "A little"
    ).check()
    page.get_by_role(
        "group", name="Are you currently working with a therapist or counsellor?"
    ).get_by_label("No").check()
    agree_and_continue(page)

    expect(page.get_by_text("CA$450.00").first).to_be_visible()
    look(page, "stripe-checkout")
    pay_by_card(page, SUCCEEDING_CARD, name="The Newcomer")
    reference = expect_registered(page)
    look(page, "confirmation")
    site.wait_for_webhooks()
    registration = Registration.objects.get(reference=reference)
    assert registration.status == Registration.Status.CONFIRMED
    assert {answer.value for answer in registration.answers.all()} == {
        "A friend recommended it.",
        "A little",
        "No",
    }

    letter = site.inbox.wait_for(
        to="newcomer@example.com", subject=f"You're registered: {term.title}"
    )
    assert reference in letter.subject
    assert letter.sent_by == site.sends_mail_by
    assert "Week 1: Discovering self-compassion" in letter.text
    (attachment,) = letter.attachments.items()
    assert attachment[0] == f"{term.slug}.ics"
    assert len(calendar_of(attachment[1])) == 9

    page.get_by_role("link", name="Sign in").click()
    look(page, "sign-in")
    page.get_by_role("region", name="Email me a sign-in code").get_by_label("Email").fill(
        "newcomer@example.com"
    )
    page.get_by_role("button", name="Email me a code").click()
    look(page, "enter-code")
    code_letter = site.inbox.wait_for(to="newcomer@example.com", subject="Your sign-in code")
    page.get_by_label("Code").fill(found_in(code_letter.text, r"^\s*([A-Z0-9-]{6,})\s*$"))
    page.get_by_role("button", name="Confirm").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("My registrations")
    look(page, "my-registrations")
    registration.refresh_from_db()
    assert registration.user.email == "newcomer@example.com"
    upcoming = page.get_by_role("region", name="Upcoming")
    upcoming.get_by_role("link", name=term.title, exact=True).click()
    expect(page.get_by_text(reference)).to_be_visible()
    look(page, "registration")
    with page.expect_download() as download:
        page.get_by_role("link", name="Add every session to your calendar (.ics)").click()
    events = calendar_of(download.value.path().read_bytes())
    assert len(events) == 9
    assert all(str(event["LOCATION"]) == term.meeting_link for event in events.values())


def test_journey_2_declined_card_then_paid_in_time_or_released(site, visitor, look):
    program = evening_program(
        first_day=days_from_today(30), title="Mindful Self-Compassion: Spring", capacity=2
    )
    first, second = visitor(), visitor()

    first.goto(site.url + program.get_absolute_url())
    look(first, "program")
    first.get_by_role("link", name="Register").click()
    register(first, name="Declined First", email="declined-first@example.com")
    pay_by_card(first, DECLINED_CARD, name="Declined First")
    expect(first.get_by_role("alert")).to_have_text("Your card was declined.")
    look(first, "card-declined")

    # They come back through the program page while the seat is still held for them.
    first.goto(site.url + program.get_absolute_url())
    first.get_by_role("link", name="Register").click()
    register(first, name="Declined First", email="declined-first@example.com")
    problem = first.get_by_role("alert")
    expect(problem).to_contain_text("is awaiting payment")
    look(first, "already-registered")
    problem.get_by_role("button", name="Continue to payment").click()
    pay_by_card(first, SUCCEEDING_CARD, name="Declined First")
    expect_registered(first)
    assert Registration.objects.filter(email="declined-first@example.com").count() == 1

    # The second person takes the last seat, is declined and walks away.
    second.goto(site.url + program.get_absolute_url())
    second.get_by_role("link", name="Register").click()
    register(second, name="Walks Away", email="walks-away@example.com")
    checkout_url = second.url
    pay_by_card(second, DECLINED_CARD, name="Walks Away")
    expect(second.get_by_role("alert")).to_have_text("Your card was declined.")
    second.goto(site.url + program.get_absolute_url())
    expect(second.get_by_role("heading", name="Full: join the waitlist")).to_be_visible()
    look(second, "program-full-while-held")

    # The periodic job runs once the 30 minutes are up.
    held = Registration.objects.get(email="walks-away@example.com")
    assert services.holds_expire_stale(now=held.hold_expires_at + timedelta(minutes=1)) == 1
    site.wait_for_webhooks()
    held.refresh_from_db()
    assert held.status == Registration.Status.EXPIRED

    second.goto(checkout_url)
    expect(second.get_by_role("heading", level=1)).to_have_text(
        "This checkout session has expired."
    )
    look(second, "checkout-expired")
    second.goto(site.url + program.get_absolute_url())
    expect(second.get_by_role("heading", name="Registration open")).to_be_visible()
    expect(second.get_by_text("1 seat left.")).to_be_visible()
    look(second, "program-seat-free-again")


def test_journey_3_full_program_waitlist_offer_registers(site, visitor, look):
    program = evening_program(
        first_day=days_from_today(30), title="Mindful Self-Compassion: Autumn", capacity=1
    )
    last_seat, waiting = visitor(), visitor()

    last_seat.goto(site.url + program.get_absolute_url())
    expect(last_seat.get_by_text("1 seat left.")).to_be_visible()
    last_seat.get_by_role("link", name="Register").click()
    register(last_seat, name="Last Seat", email="last-seat@example.com")
    pay_by_card(last_seat, SUCCEEDING_CARD, name="Last Seat")
    expect_registered(last_seat)

    waiting.goto(site.url + "/programs/")
    expect(waiting.get_by_role("article").filter(has_text=program.title)).to_contain_text(
        "Full: join the waitlist"
    )
    look(waiting, "programs")
    waiting.get_by_role("link", name=program.title).click()
    expect(waiting.get_by_role("heading", name="Full: join the waitlist")).to_be_visible()
    look(waiting, "program-full")
    waiting.get_by_role("link", name="Join the waitlist").click()
    look(waiting, "waitlist-form")
    # By keyboard alone: skip to the content, tab to each field, Enter to send.
    waiting.keyboard.press("Tab")
    expect(waiting.get_by_role("link", name="Skip to content")).to_be_focused()
    waiting.keyboard.press("Enter")
    tab_to(waiting, waiting.get_by_label("Your name"))
    waiting.keyboard.type("On The Waitlist")
    tab_to(waiting, waiting.get_by_label("Email"))
    waiting.keyboard.type("waiting@example.com")
    waiting.keyboard.press("Enter")
    expect(waiting.get_by_role("status")).to_contain_text("open the link in it to confirm")
    look(waiting, "waitlist-check-email")
    # Nobody is in line, nor offered a seat, until the address is confirmed.
    confirm = site.inbox.wait_for(to="waiting@example.com", subject="Please confirm your place")
    waiting.goto(found_in(confirm.text, r"^(http\S+/waitlist/\S+/)$"))
    expect(waiting.get_by_role("status")).to_contain_text("awaits confirmation")
    waiting.get_by_role("button", name="Confirm my place").click()
    expect(waiting.get_by_text("1st in line")).to_be_visible()
    look(waiting, "waitlist-place")
    site.inbox.wait_for(to="waiting@example.com", subject="You're on the waitlist")

    # The last seat's holder cancels (journey 4 walks through that); the seat is offered.
    site.wait_for_webhooks()
    services.registration_cancel(
        registration=Registration.objects.get(email="last-seat@example.com"),
        reason="cancelled by the participant",
    )
    offer = site.inbox.wait_for(to="waiting@example.com", subject="A seat is yours if you want it")

    waiting.goto(found_in(offer.text, r"^(http\S+/accept/)$"))
    expect(waiting.get_by_text("A seat is held for you until")).to_be_visible()
    expect(waiting.get_by_label("Email")).to_have_value("waiting@example.com")
    look(waiting, "register-with-offer")
    agree_and_continue(waiting)
    pay_by_card(waiting, SUCCEEDING_CARD, name="On The Waitlist")
    expect_registered(waiting)
    look(waiting, "confirmation")
    site.inbox.wait_for(to="waiting@example.com", subject=f"You're registered: {program.title}")
    assert WaitlistEntry.objects.get(email="waiting@example.com").status == "accepted"


def test_journey_4_participant_cancels_in_the_refund_window(site, visitor, look):
    program = evening_program(
        first_day=days_from_today(30), title="Mindful Self-Compassion: Summer", capacity=1
    )
    registration = paid_registration(
        site, program, name="Cancels In Time", email="cancels@example.com"
    )
    WaitlistEntryFactory(program=program, name="Next In Line", email="next@example.com")
    confirmation = site.inbox.wait_for(to="cancels@example.com", subject="You're registered")
    participant, next_in_line = visitor(), visitor()

    participant.goto(found_in(confirmation.text, r"^Your registration: (\S+)$"))
    expect(participant.get_by_role("heading", level=1)).to_have_text(program.title)
    look(participant, "registration")
    participant.get_by_role("link", name="Cancel this registration").click()
    expect(participant.get_by_role("heading", name="You will get $450 back")).to_be_visible()
    look(participant, "cancel")
    participant.get_by_role("button", name="Yes, cancel my registration").click()

    expect(participant.get_by_role("status")).to_contain_text(
        "Your registration is cancelled. A refund of $450 is on its way to your card"
    )
    expect(participant.get_by_text("Paid $450 on")).to_contain_text("refunded $450")
    look(participant, "cancelled")
    site.wait_for_webhooks()
    (refund,) = site.stripe.refunds.values()
    assert (refund["amount"], refund["status"]) == (45000, "succeeded")
    registration.refresh_from_db()
    assert registration.status == Registration.Status.REFUNDED
    cancelled = site.inbox.wait_for(
        to="cancels@example.com", subject="Your registration is cancelled"
    )
    assert "We are refunding $450 CAD" in cancelled.text

    offer = site.inbox.wait_for(to="next@example.com", subject="A seat is yours if you want it")
    next_in_line.goto(found_in(offer.text, r"^(http\S+/accept/)$"))
    expect(next_in_line.get_by_text("A seat is held for you until")).to_be_visible()
    look(next_in_line, "register-with-offer")


def test_journey_5_facilitator_marks_attendance_on_a_phone(site, visitor, look):
    teacher = UserFactory(email="teacher@example.com", name="Lead teacher")
    program = evening_program(first_day=days_from_today(-2), title="Mindful Self-Compassion")
    program.facilitators.add(FacilitatorFactory(name="Lead teacher", user=teacher))
    question = QuestionFactory(program=program, text="What brings you here?")
    # Registered and paid before the program began (registration has closed since).
    people = RegistrationFactory.create_batch(3, program=program, price_label="Standard")
    for person in people:
        Payment.objects.create(
            registration=person,
            checkout_session_id=f"cs_test_{person.reference}",
            amount_cents=person.amount_due_cents,
            status=Payment.Status.PAID,
            paid_at=person.confirmed_at,
        )
        Answer.objects.create(
            registration=person, question=question, question_text=question.text, value="Rest"
        )
    others = evening_program(first_day=days_from_today(-2), title="Another facilitator's")
    others.facilitators.add(FacilitatorFactory(user=UserFactory()))
    page = visitor(phone=True)

    page.goto(site.url + "/accounts/login/")
    with_password = page.get_by_role("region", name="Or use your password")
    with_password.get_by_label("Email").fill("teacher@example.com")
    with_password.get_by_label("Password").fill(PASSWORD)
    with_password.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Facilitate").click()
    look(page, "your-programs")
    page.get_by_role("link", name=program.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(program.title)
    look(page, "roster")

    page.get_by_role("link", name="Attendance").click()
    look(page, "attendance")
    page.get_by_role("link", name=re.compile("^Week 1")).click()
    look(page, "attendance-week-1")
    *present, absent = people
    for person in present:
        page.get_by_role("group", name=person.name).get_by_text("Present").click()
    page.get_by_role("group", name=absent.name).get_by_text("Absent").click()
    page.get_by_role("button", name="Save attendance").click()
    expect(page.get_by_role("status")).to_have_text("Attendance saved for Week 1: 3 marked.")
    look(page, "attendance-saved")
    week_one = program.sessions.get(title="Week 1")
    assert {(mark.registration_id, mark.present) for mark in week_one.attendance.all()} == {
        (present[0].pk, True),
        (present[1].pk, True),
        (absent.pk, False),
    }

    page.get_by_role("link", name="Roster").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download CSV").click()
    rows = download.value.path().read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 1 + 3
    assert all(any(person.email in row for row in rows) for person in people)

    response = page.goto(site.url + f"/facilitate/{others.slug}/")
    assert response.status == 404
    look(page, "another-program-not-found")


def test_journey_6_staff_move_week_3_and_participants_follow(site, visitor, look):
    UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    program = evening_program(first_day=days_from_today(10), title="Mindful Self-Compassion")
    RegistrationFactory(program=program, name="A Participant", email="participant@example.com")
    week_three = program.sessions.get(title="Week 3")
    old_start = week_three.starts_at
    page = visitor()

    page.goto(site.url + "/admin/")
    look(page, "admin-sign-in")
    page.get_by_label("Email address").fill("staff@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    look(page, "admin-home")
    page.locator("#programs-program").get_by_role("link", name="Programs").click()
    page.get_by_role("link", name=program.title).click()
    look(page, "admin-program")
    new_day = timezone.localtime(old_start).date() + timedelta(days=1)
    for field in ("starts_at", "ends_at"):
        page.locator(f'input[name="sessions-2-{field}_0"]').fill(new_day.isoformat())
    page.get_by_role("button", name="Save and continue editing").first.click()
    notice = page.locator(".messagelist")
    expect(notice).to_contain_text("The schedule changed for confirmed participants.")
    look(page, "admin-schedule-changed")
    notice.get_by_role("link", name="Notify participants").click()
    expect(page.locator("#content")).to_contain_text("Week 3")
    look(page, "admin-notify")
    page.get_by_role("button", name="Notify 1 participant").click()
    expect(page.locator(".messagelist")).to_contain_text(
        "Telling 1 participant about the schedule change in the background."
    )
    look(page, "admin-notice-queued")

    week_three.refresh_from_db()
    assert timezone.localtime(week_three.starts_at).date() == new_day
    notice_letter = site.inbox.wait_for(to="participant@example.com", subject="Schedule change")
    assert "Week 3" in notice_letter.text
    (calendar,) = notice_letter.attachments.values()
    moved = calendar_of(calendar)[f"{program.title}: Week 3"]
    assert moved.decoded("DTSTART") == timezone.localtime(week_three.starts_at)
    assert int(moved["SEQUENCE"]) == 1

    # The reminder scan at the hours it would run: nothing before the old date, then the
    # session-day reminder before the new one.
    assert reminders.reminders_queue_due(now=old_start - timedelta(hours=2)) == 0
    assert reminders.reminders_queue_due(now=week_three.starts_at - timedelta(hours=2)) == 1
    reminder = site.inbox.wait_for(
        to="participant@example.com", subject=f"Today: Week 3 ({program.title})"
    )
    assert session_when(week_three) in reminder.text
