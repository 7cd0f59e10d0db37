"""Cancelling a program from its admin screen, and where its minimum and cancellation stand.

The program's change page gets a "Minimum and cancelling" section: how many have
registered against the minimum, and either a link to cancel the program (for staff
holding `programs.cancel_program`) or, once cancelled, how far the refunds and emails
have gone and which registrations still await their refund. The list of programs has
the same action. Both lead to a confirmation page that says what will happen; its
POST marks the program cancelled at once and runs the rest in the background
(tasks.cancel_program; services/program_cancel.py says how and why).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from omwellness.money import format_money
from programs.models import Program
from registrations import permissions, tasks
from registrations.models import Registration, WaitlistEntry
from registrations.services.program_cancel import (
    awaiting_refund,
    cancel_progress,
    program_cancel_start,
)


class ProgramCancelMixin(admin.ModelAdmin):
    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is not None:
            # The cancel link only to those who may follow it; how far a cancellation has
            # gone, to everyone who sees the program.
            shown: tuple[str, ...] = ("minimum_status",)
            if obj.cancelled_at is not None or permissions.may_cancel_program(user=request.user):
                shown = (*shown, "cancellation")
            fieldsets.append(("Minimum and cancelling", {"fields": shown}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "minimum_status", "cancellation"]

    def get_actions(self, request):
        actions = super().get_actions(request)
        found = self.get_action("cancel_program")
        if found is not None and permissions.may_cancel_program(user=request.user):
            actions["cancel_program"] = found
        return actions

    @admin.display(description="Registered against the minimum")
    def minimum_status(self, program: Program) -> str:
        confirmed = _confirmed(program).count()
        if program.minimum_participants is None:
            return f"{confirmed} registered; no minimum set."
        text = f"{confirmed} of the minimum {program.minimum_participants} registered"
        if program.minimum_decision_date is not None:
            text += f"; decision date {program.minimum_decision_date:%A, %B %-d, %Y}"
            if program.minimum_announced_for == program.minimum_decision_date:
                text += " (staff and facilitators were told)"
        return text + "."

    @admin.display(description="Cancellation")
    def cancellation(self, program: Program) -> str:
        if program.cancelled_at is None:
            url = reverse("admin:programs_program_cancel", args=[program.pk])
            return format_html(
                '<a href="{}">Cancel this program</a>: refunds every participant in full, '
                "ends holds and the waitlist, and emails everyone once.",
                url,
            )
        progress = cancel_progress(program=program)
        owed = (
            awaiting_refund()
            .filter(program=program)
            .order_by("reference")
            .values_list("pk", "reference", "paid_net_cents")
        )
        text = format_html(
            "Cancelled {}: {}.",
            timezone.localtime(program.cancelled_at).strftime("%b %-d, %Y %-I:%M %p"),
            progress.describe(),
        )
        if not owed:
            return text
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a> ({})',
            (
                (
                    reverse("admin:registrations_registration_change", args=[pk]),
                    reference,
                    format_money(net),
                )
                for pk, reference, net in owed
            ),
        )
        return format_html("{} Awaiting their refund: {}.", text, links)

    def get_urls(self):
        return [
            path(
                "<int:program_id>/cancel-program/",
                self.admin_site.admin_view(self.cancel_program_view),
                name="programs_program_cancel",
            ),
            *super().get_urls(),
        ]

    @admin.action(description="Cancel the program, refunding everyone")
    def cancel_program(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Cancel programs one at a time.", messages.WARNING)
            return None
        program = queryset.get()
        return HttpResponseRedirect(reverse("admin:programs_program_cancel", args=[program.pk]))

    def cancel_program_view(self, request, program_id):
        program = Program.objects.filter(pk=program_id).first()
        if program is None or not self.has_view_permission(request, program):
            raise Http404
        if not permissions.may_cancel_program(user=request.user):
            raise PermissionDenied
        change_url = reverse("admin:programs_program_change", args=[program.pk])
        if program.cancelled_at is not None:
            self.message_user(request, "This program is already cancelled.", messages.INFO)
            return HttpResponseRedirect(change_url)
        if request.method == "POST":
            if program_cancel_start(program_id=program.pk):
                # After commit, and never failing the request: with the broker down, the
                # periodic job finishes the cancellation (program_cancellations_resume).
                actor_id = request.user.pk
                transaction.on_commit(
                    lambda: tasks.cancel_program.delay(program.pk, actor_id), robust=True
                )
            self.message_user(
                request,
                f"“{program.title}” is cancelled: its page says so and registration is "
                "closed. Refunds and emails are on their way; this page shows how far they "
                "have gone.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(change_url)
        paid = _confirmed(program).with_amount_paid().values_list("paid_net_cents", flat=True)
        return TemplateResponse(
            request,
            "admin/programs/cancel_program.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Cancel {program.title}",
                "program": program,
                "confirmed_count": len(paid),
                "refund_total": format_money(sum(paid)),
                "hold_count": Registration.objects.filter(
                    program=program, status=Registration.Status.PENDING
                ).count(),
                "waitlist_count": WaitlistEntry.objects.filter(
                    program=program, status__in=WaitlistEntry.ACTIVE_STATUSES
                ).count(),
                "next_term": program.next_term,
                "opts": self.model._meta,
            },
        )


def _confirmed(program: Program):
    return Registration.objects.filter(program=program, status=Registration.Status.CONFIRMED)
