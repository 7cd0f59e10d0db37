"""Admin for registrations: the list, one registration's page, and the actions that
change seats and money.

Staff change seats and money only through the services, never by editing a field:
cancelling, refunding and transferring are actions that call them, and each records
who did what and when (RegistrationLog, and the admin's own history). Attendance is
added to this page by the facilitate app (facilitate/admin.py).
"""

from typing import cast

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from omwellness.access_log import record_access
from outbox import services as outbox
from registrations import emails, payments, permissions, services, tasks
from registrations.models import (
    Answer,
    Payment,
    Registration,
    RegistrationLog,
    RegistrationQuerySet,
    WaitlistEntry,
)
from registrations.services.log import registration_log

from .action_forms import CancelForm, TransferForm
from .display import ReadOnlyInline, cad, payment_money


class AnswerInline(ReadOnlyInline):
    model = Answer
    readonly_fields = ("question_text", "value", "sensitive")
    fields = readonly_fields


class PaymentInline(ReadOnlyInline):
    model = Payment
    readonly_fields = ("checkout_session_id", "status", "amount", "refunded", "paid_at")
    fields = readonly_fields
    verbose_name_plural = "Payments (a refused one was not asked for and is refunded in full)"

    @admin.display(description="Amount")
    def amount(self, payment):
        return payment_money(payment, payment.amount_cents)

    @admin.display(description="Refunded")
    def refunded(self, payment):
        return payment_money(payment, payment.amount_refunded_cents)


class RegistrationLogInline(ReadOnlyInline):
    model = RegistrationLog
    readonly_fields = ("created_at", "action", "message", "actor")
    fields = readonly_fields
    verbose_name_plural = "History (every change to seats and money, and who made it)"


class PaidFilter(admin.SimpleListFilter):
    title = "paid"
    parameter_name = "paid"

    def lookups(self, request, model_admin):
        return [("yes", "Paid"), ("no", "Nothing paid"), ("refunded", "Refunded, in part or all")]

    def queryset(self, request, queryset):
        # The admin's queryset carries the amount paid (RegistrationQuerySet.with_amount_paid).
        if self.value() == "yes":
            return queryset.filter(paid_gross_cents__gt=0)
        if self.value() == "no":
            return queryset.filter(paid_gross_cents=0)
        if self.value() == "refunded":
            return queryset.filter(paid_refunded_cents__gt=0)
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


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["reference", "name", "email", "program", "status", "paid", "created_at"]
    list_filter = ["status", PaidFilter, WaitlistFilter, "program"]
    search_fields = ["reference", "name", "email"]
    list_select_related = ["program"]
    date_hierarchy = "created_at"
    actions = ["resend_confirmation", "cancel_with_refund", "transfer"]
    inlines = [AnswerInline, PaymentInline, RegistrationLogInline]
    fields = [
        ("reference", "status"),
        "program",
        ("name", "email", "phone"),
        "user",
        ("price_label", "amount_due", "discount_code"),
        ("created_at", "confirmed_at", "cancelled_at", "hold_expires_at"),
        ("agreement", "erased_at"),
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
        "agreement",
        "erased_at",
        "intake_answers",
        "email_history",
    ]
    raw_id_fields = ["user"]

    def get_queryset(self, request):
        queryset = cast(RegistrationQuerySet, super().get_queryset(request))
        return queryset.with_amount_paid()

    def has_add_permission(self, request):
        return False  # people register on the site; the service holds the seat

    def has_delete_permission(self, request, obj=None):
        return False  # cancel instead: it frees the seat, refunds and keeps the record

    @admin.display(description="Paid", ordering="paid_net_cents")
    def paid(self, registration):
        return cad(registration.paid_net_cents)

    @admin.display(description="Amount due")
    def amount_due(self, registration):
        return cad(registration.amount_due_cents)

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

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        registration = self.get_object(request, object_id)
        shown = AnswerInline(self.model, self.admin_site).has_view_permission(request, registration)
        if request.method == "GET" and registration is not None and shown:
            # The answers inline shows health answers: one access record per look.
            sensitive = registration.answers.filter(sensitive=True).exclude(value="").exists()
            record_access(
                user=request.user,
                program=registration.program,
                people=1 if sensitive else 0,
                what=f"registration admin page of {registration.reference}",
            )
        return response

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
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
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
        if form.is_bound and form.is_valid() and len(registrations) > 1:
            return self._cancel_in_background(request, form, registrations)
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
                "paid": cad(services.paid_cents(registration=registration)),
                "policy": cad(services.refund_quote(registration=registration))
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

    def _cancel_in_background(self, request, form, registrations) -> None:
        """Many at once: a Celery task cancels them one by one (services/cancel_many.py),
        each result in its registration's log."""
        refunds = {str(r.pk): form.refund_cents(r) for r in registrations if r.is_active}
        if not refunds:
            self.message_user(request, "These are all cancelled already.", messages.WARNING)
            return
        reason, actor_id = form.cleaned_data["reason"], request.user.pk
        transaction.on_commit(
            lambda: tasks.cancel_registrations.delay(refunds, reason, actor_id), robust=True
        )
        skipped = len(registrations) - len(refunds)
        self.message_user(
            request,
            f"Cancelling {len(refunds)} registration{'s' if len(refunds) != 1 else ''} in the "
            "background, each with its refund and email. Each registration's log shows the "
            "result: “cancelled”, or “cancellation not done” and why."
            + (f" {skipped} already cancelled, left as they are." if skipped else ""),
            messages.SUCCESS,
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
