"""Admin for registrations, payments, Stripe events, waitlist and discount codes.

Staff change seats and money only through the services, never by editing a field:
cancelling, refunding and transferring are actions that call them, and each records
who did what and when (RegistrationLog, and the admin's own history). Payments,
refunds and Stripe events are the record of what happened and are read-only.
"""

import json
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Exists, F, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from outbox import services as outbox
from programs.models import PriceOption, Program, Session

from . import emails, payments, permissions, services
from .models import (
    Answer,
    Attendance,
    DiscountCode,
    Payment,
    Refund,
    Registration,
    RegistrationLog,
    StripeEvent,
    WaitlistEntry,
)
from .services.attendance import attendance_mark
from .services.log import registration_log


def _cad(cents: int | None) -> str:
    return "—" if cents is None else f"${cents / 100:,.2f}"


def _payment_money(payment: Payment, cents: int) -> str:
    # A refused payment may have been taken in another currency: say which.
    if payment.currency and payment.currency != "cad":
        return f"{cents / 100:,.2f} {payment.currency.upper()}"
    return _cad(cents)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AnswerInline(ReadOnlyInline):
    model = Answer
    fields = ["question_text", "value", "sensitive"]
    readonly_fields = fields


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["checkout_session_id", "status", "amount", "refunded", "paid_at"]
    readonly_fields = fields
    verbose_name_plural = "Payments (a refused one was not asked for and is refunded in full)"

    @admin.display(description="Amount")
    def amount(self, payment):
        return _payment_money(payment, payment.amount_cents)

    @admin.display(description="Refunded")
    def refunded(self, payment):
        return _payment_money(payment, payment.amount_refunded_cents)


class AttendanceInline(ReadOnlyInline):
    model = Attendance
    fields = ["session", "present", "marked_by", "marked_at"]
    readonly_fields = fields


class RegistrationLogInline(ReadOnlyInline):
    model = RegistrationLog
    fields = ["created_at", "action", "message", "actor"]
    readonly_fields = fields
    verbose_name_plural = "History (every change to seats and money, and who made it)"


class PaidFilter(admin.SimpleListFilter):
    title = "paid"
    parameter_name = "paid"

    def lookups(self, request, model_admin):
        return [("yes", "Paid"), ("no", "Nothing paid"), ("refunded", "Refunded, in part or all")]

    def queryset(self, request, queryset):
        paid = Payment.objects.filter(registration=OuterRef("pk"), status=Payment.Status.PAID)
        if self.value() == "yes":
            return queryset.filter(Exists(paid))
        if self.value() == "no":
            return queryset.filter(~Exists(paid))
        if self.value() == "refunded":
            return queryset.filter(Exists(paid.filter(amount_refunded_cents__gt=0)))
        return queryset


class WaitlistFilter(admin.SimpleListFilter):
    title = "waitlist"
    parameter_name = "waitlist"

    def lookups(self, request, model_admin):
        return [
            ("accepted", "Came from a waitlist offer"),
            ("waiting", "Also on this program's waitlist"),
        ]

    def queryset(self, request, queryset):
        entries = WaitlistEntry.objects.filter(
            program=OuterRef("program"), email__iexact=OuterRef("email")
        )
        if self.value() == "accepted":
            return queryset.filter(Exists(entries.filter(status=WaitlistEntry.Status.ACCEPTED)))
        if self.value() == "waiting":
            return queryset.filter(Exists(entries.filter(status__in=WaitlistEntry.ACTIVE_STATUSES)))
        return queryset


class CancelForm(forms.Form):
    REFUND_CHOICES = [
        ("policy", "What the cancellation policy gives today"),
        ("full", "Everything paid"),
        ("none", "No refund"),
        ("amount", "This amount, for each selected registration"),
    ]
    refund = forms.ChoiceField(choices=REFUND_CHOICES, widget=forms.RadioSelect, initial="policy")
    amount = forms.DecimalField(
        label="Amount (CAD)", min_value=Decimal("0.01"), decimal_places=2, required=False
    )
    reason = forms.CharField(
        max_length=250, help_text="Recorded with the cancellation and shown on the refund."
    )

    def __init__(self, *args, may_refund: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_refund:
            # Without the refund permission the only choice is none: any other is refused.
            self.fields["refund"].choices = [("none", "No refund")]
            self.fields["refund"].initial = "none"
            self.fields["refund"].help_text = "Your account is not set up to give refunds."
            del self.fields["amount"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("refund") == "amount" and cleaned.get("amount") is None:
            self.add_error("amount", "Enter the amount to refund.")
        return cleaned

    def refund_cents(self, registration) -> int | None:
        choice = self.cleaned_data["refund"]
        if choice == "policy":
            return None
        if choice == "full":
            return services.paid_cents(registration=registration)
        if choice == "none":
            return 0
        return int(self.cleaned_data["amount"] * 100)


class TransferPriceField(forms.ModelChoiceField):
    def label_from_instance(self, option):
        return f"{option.program.title}: {option.label} ({_cad(option.amount_cents)})"


class TransferForm(forms.Form):
    program = forms.ModelChoiceField(
        queryset=Program.objects.filter(status=Program.Status.PUBLISHED),
        label="New program",
        help_text=(
            "Only confirmed registrations move, each with its payment, to a free seat there. "
            "Nothing is charged or refunded. The intake answers given for the old program are "
            "deleted, not passed on: the log records how many. If the new program asks "
            "questions, the person is emailed a link to answer them, and you can fill them in "
            "from the registration's page here. The person also gets a confirmation for the "
            "new program. If any selected registration cannot move, none is moved."
        ),
    )
    price_option = TransferPriceField(
        queryset=PriceOption.objects.filter(program__status=Program.Status.PUBLISHED)
        .select_related("program")
        .order_by("program__title", "position", "amount_cents"),
        label="Price option in the new program",
        help_text="Becomes the registration's price option; the amount already due stays.",
    )

    def clean(self):
        cleaned = super().clean()
        program, option = cleaned.get("program"), cleaned.get("price_option")
        if program and option and option.program_id != program.pk:
            self.add_error("price_option", f"Choose a price of {program.title}.")
        return cleaned


class AttendanceActionForm(forms.Form):
    session = forms.ModelChoiceField(queryset=Session.objects.none())
    present = forms.TypedChoiceField(
        choices=[("1", "Present"), ("0", "Absent")],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        initial="1",
    )

    def __init__(self, *args, program_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = (
            Session.objects.filter(program_id__in=program_ids)
            .select_related("program")
            .order_by("program__title", "starts_at")
        )
        self.fields["session"].label_from_instance = lambda s: f"{s.program.title}: {s.title}"


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["reference", "name", "email", "program", "status", "paid", "created_at"]
    list_filter = ["status", PaidFilter, WaitlistFilter, "program"]
    search_fields = ["reference", "name", "email"]
    list_select_related = ["program"]
    date_hierarchy = "created_at"
    actions = ["resend_confirmation", "cancel_with_refund", "transfer", "mark_attendance"]
    inlines = [AnswerInline, PaymentInline, AttendanceInline, RegistrationLogInline]
    fields = [
        ("reference", "status"),
        "program",
        ("name", "email", "phone"),
        "user",
        ("price_label", "amount_due", "discount_code"),
        ("created_at", "confirmed_at", "cancelled_at", "hold_expires_at"),
        "intake_answers",
        "email_history",
    ]
    # Seats and money change through the actions above, which keep the rules and the log.
    readonly_fields = [
        "reference",
        "status",
        "program",
        "price_label",
        "amount_due",
        "discount_code",
        "created_at",
        "confirmed_at",
        "cancelled_at",
        "hold_expires_at",
        "intake_answers",
        "email_history",
    ]
    raw_id_fields = ["user"]

    def get_queryset(self, request):
        paid = (
            Payment.objects.filter(registration=OuterRef("pk"), status=Payment.Status.PAID)
            .order_by()
            .values("registration")
            .annotate(net=Sum(F("amount_cents") - F("amount_refunded_cents")))
            .values("net")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(paid_cents=Coalesce(Subquery(paid, output_field=IntegerField()), 0))
        )

    def has_add_permission(self, request):
        return False  # people register on the site; the service holds the seat

    def has_delete_permission(self, request, obj=None):
        return False  # cancel instead: it frees the seat, refunds and keeps the record

    @admin.display(description="Paid", ordering="paid_cents")
    def paid(self, registration):
        return _cad(registration.paid_cents)

    @admin.display(description="Amount due")
    def amount_due(self, registration):
        return _cad(registration.amount_due_cents)

    @admin.display(description="Intake answers")
    def intake_answers(self, registration):
        # The participant's own form, which staff may fill in too (after a transfer, say).
        return format_html(
            '<a href="{}">Answer or change the intake questions of {}</a>',
            reverse("registrations:answers", args=[registration.reference]),
            registration.program.title,
        )

    @admin.display(description="Emails")
    def email_history(self, registration):
        # The outbox files each email by the registration's reference.
        return format_html(
            '<a href="{}?reference={}">Every email about {}</a>',
            reverse("admin:outbox_outboundemail_changelist"),
            registration.reference,
            registration.reference,
        )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and form.changed_data:
            registration_log(
                registration=obj,
                actor=request.user,
                action="edited",
                message="changed " + ", ".join(form.changed_data),
            )

    def _action_page(self, request, queryset, *, action, title, form, rows=None, note=""):
        return TemplateResponse(
            request,
            "admin/registrations/registration_action.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "action": action,
                "registrations": rows if rows is not None else queryset,
                "form": form,
                "note": note,
                "opts": self.model._meta,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            },
        )

    def _done(self, request, done: int, verb: str, problems: list[str]):
        if done:
            self.message_user(
                request, f"{verb} {done} registration{'s' if done != 1 else ''}.", messages.SUCCESS
            )
        for problem in problems:
            self.message_user(request, problem, messages.ERROR)

    def has_cancel_permission(self, request):
        return permissions.may_cancel_for_someone_else(user=request.user, refund_cents=0)

    def has_mark_attendance_permission(self, request):
        return request.user.has_perms(permissions.MARK_ATTENDANCE)

    @admin.action(description="Resend the confirmation email", permissions=["change"])
    def resend_confirmation(self, request, queryset):
        done, problems = 0, []
        for registration in queryset.select_related("program"):
            if registration.status != Registration.Status.CONFIRMED:
                problems.append(f"{registration.reference} is not confirmed: nothing to resend.")
                continue
            with transaction.atomic():
                sent_before = (
                    registration.emails.filter(kind=emails.Kind.CONFIRMATION)
                    .order_by("-created_at")
                    .first()
                )
                if sent_before is None:
                    emails.confirmation(registration=registration)
                else:
                    outbox.resend(email=sent_before)
                registration_log(
                    registration=registration, actor=request.user, action="confirmation resent"
                )
            self.log_change(request, registration, "Resent the confirmation email.")
            done += 1
        self._done(request, done, "Resent the confirmation of", problems)

    @admin.action(description="Cancel, with a refund…", permissions=["cancel"])
    def cancel_with_refund(self, request, queryset):
        registrations = list(queryset.select_related("program").prefetch_related("payments"))
        form = CancelForm(
            request.POST if "apply" in request.POST else None,
            may_refund=permissions.may_refund(user=request.user),
        )
        if form.is_bound and form.is_valid():
            done, problems = 0, []
            for registration in registrations:
                try:
                    services.registration_cancel(
                        registration=registration,
                        actor=request.user,
                        refund_cents=form.refund_cents(registration),
                        reason=form.cleaned_data["reason"],
                    )
                except services.CancellationRefused as error:
                    problems.append(f"{registration.reference}: {error}")
                    continue
                except (payments.PaymentsUnavailable, payments.PaymentsError) as error:
                    problems.append(
                        f"{registration.reference}: Stripe did not refund ({error}); "
                        "nothing was changed. Try again later."
                    )
                    continue
                self.log_change(request, registration, f"Cancelled: {form.cleaned_data['reason']}")
                done += 1
            self._done(request, done, "Cancelled", problems)
            return None
        rows = [
            {
                "registration": registration,
                "paid": _cad(services.paid_cents(registration=registration)),
                "policy": _cad(services.refund_quote(registration=registration))
                if registration.is_active
                else "already cancelled",
            }
            for registration in registrations
        ]
        return self._action_page(
            request,
            queryset,
            action="cancel_with_refund",
            title="Cancel registrations",
            form=form,
            rows=rows,
            note="Each seat is freed and offered to the waitlist; the person is emailed.",
        )

    @admin.action(description="Transfer to another program…", permissions=["change"])
    def transfer(self, request, queryset):
        form = TransferForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            target = form.cleaned_data["program"]
            try:
                moved = services.registrations_transfer(
                    registrations=list(queryset),
                    program=target,
                    price_option=form.cleaned_data["price_option"],
                    actor=request.user,
                )
            except services.TransferRefused as refusal:
                self._done(request, 0, "", refusal.problems)
                self.message_user(
                    request, "Nothing was transferred: all or none move.", messages.WARNING
                )
                return None
            for registration in moved:
                self.log_change(request, registration, f"Transferred to {target.title}.")
            self._done(request, len(moved), f"Transferred to {target.title}", [])
            return None
        return self._action_page(
            request,
            queryset,
            action="transfer",
            title="Transfer registrations",
            form=form,
            note=(
                "Intake answers stay with the program they were given for: they are deleted "
                "on the move, and the person is asked for the new program's answers."
            ),
        )

    @admin.action(description="Mark attendance…", permissions=["mark_attendance"])
    def mark_attendance(self, request, queryset):
        program_ids = set(queryset.values_list("program_id", flat=True))
        form = AttendanceActionForm(
            request.POST if "apply" in request.POST else None, program_ids=program_ids
        )
        if form.is_bound and form.is_valid():
            session = form.cleaned_data["session"]
            done, problems = 0, []
            for registration in queryset:
                if registration.program_id != session.program_id:
                    problems.append(f"{registration.reference} is not in {session.program}.")
                    continue
                attendance_mark(
                    registration=registration,
                    session=session,
                    present=form.cleaned_data["present"],
                    actor=request.user,
                )
                done += 1
            self._done(request, done, f"Marked attendance at {session.title} for", problems)
            return None
        return self._action_page(
            request, queryset, action="mark_attendance", title="Mark attendance", form=form
        )


class ReadOnlyAdmin(admin.ModelAdmin):
    """What Stripe and the site recorded: to look at, never to edit."""

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, *(f.name for f in self.model._meta.fields)]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RefundInline(ReadOnlyInline):
    model = Refund
    fields = ["created_at", "amount_cents", "reason", "status", "stripe_refund_id", "created_by"]
    readonly_fields = fields


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = [
        "checkout_session_id",
        "registration",
        "status",
        "amount",
        "refunded",
        "paid_at",
    ]
    list_filter = ["status"]
    search_fields = [
        "checkout_session_id",
        "payment_intent_id",
        "registration__reference",
        "registration__email",
    ]
    list_select_related = ["registration"]
    inlines = [RefundInline]

    @admin.display(description="Amount", ordering="amount_cents")
    def amount(self, payment):
        return _payment_money(payment, payment.amount_cents)

    @admin.display(description="Refunded", ordering="amount_refunded_cents")
    def refunded(self, payment):
        return _payment_money(payment, payment.amount_refunded_cents)


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "payment", "amount", "reason", "status", "created_by"]
    list_filter = ["status"]
    search_fields = ["stripe_refund_id", "payment__registration__reference", "reason"]
    list_select_related = ["payment__registration", "created_by"]

    @admin.display(description="Amount", ordering="amount_cents")
    def amount(self, refund):
        return _cad(refund.amount_cents)


@admin.register(StripeEvent)
class StripeEventAdmin(ReadOnlyAdmin):
    list_display = ["received_at", "type", "event_id", "object_id", "processed_at", "outcome"]
    list_filter = ["type"]
    search_fields = ["event_id", "object_id", "outcome"]
    date_hierarchy = "received_at"
    fields = [
        ("event_id", "type"),
        "object_id",
        ("received_at", "processed_at"),
        "outcome",
        "payload_pretty",
    ]
    readonly_fields = ["payload_pretty"]

    @admin.display(description="Payload")
    def payload_pretty(self, event):
        return format_html(
            '<pre style="white-space:pre-wrap;max-width:60rem">{}</pre>',
            json.dumps(event.payload, indent=2, sort_keys=True),
        )


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(admin.ModelAdmin):
    list_display = ["name", "email", "program", "status", "created_at", "offer_expires_at"]
    list_filter = ["status", "program"]
    search_fields = ["name", "email"]
    list_select_related = ["program"]
    fields = [
        "program",
        ("name", "email"),
        "user",
        "status",
        ("created_at", "offered_at", "offer_expires_at"),
    ]
    # Offers hold seats: they are made and withdrawn by the waitlist service only.
    readonly_fields = ["program", "status", "created_at", "offered_at", "offer_expires_at"]
    raw_id_fields = ["user"]
    actions = ["remove_from_waitlist"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(
        description="Remove from the waitlist (passes an offer on)", permissions=["change"]
    )
    def remove_from_waitlist(self, request, queryset):
        active = queryset.filter(status__in=WaitlistEntry.ACTIVE_STATUSES)
        removed = 0
        for entry in active:
            services.waitlist_leave(entry=entry)
            self.log_change(request, entry, "Removed from the waitlist.")
            removed += 1
        self.message_user(request, f"Removed {removed} from the waitlist.", messages.SUCCESS)


@admin.register(DiscountCode)
class DiscountCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "program", "kind", "amount", "active", "valid_until", "uses_of_limit"]
    list_filter = ["active", "kind", "program"]
    search_fields = ["code"]
    list_select_related = ["program"]

    def get_queryset(self, request):
        # The same count as the use limit: registrations holding a seat with the code.
        return super().get_queryset(request).with_uses()

    @admin.display(description="Off")
    def amount(self, code):
        if code.kind == DiscountCode.Kind.PERCENT:
            return f"{code.percent_off}%"
        return _cad(code.amount_off_cents)

    @admin.display(description="Uses", ordering="uses")
    def uses_of_limit(self, code):
        limit = f" of {code.max_uses}" if code.max_uses is not None else ""
        return f"{code.uses}{limit}"
