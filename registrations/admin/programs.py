"""The schedule-change notice on the program admin (DESIGN rule 7).

After staff move sessions of a program with confirmed participants, the program's
admin page offers to tell them, and a page of its own sends the notice. Who is
confirmed and what the email says are registrations' business, and the catalogue
knows nothing of registrations (it never imports this app). So this module extends
the catalogue's ProgramAdmin the way facilitate/admin.py extends the registration
admin: it replaces the registered ProgramAdmin with a subclass that adds the notice.
Without this app the program admin still works, only without the notice. Needs
"registrations" after "programs" in INSTALLED_APPS, so that the admin it extends is
registered first.

The changes travel signed in the link (programs/changes.py), so the notice lists
exactly what the save changed.
"""

from django.contrib import admin, messages
from django.core import signing
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from mailing import services as mailing
from programs.admin import ProgramAdmin
from programs.changes import changes_sign, changes_unsign, session_changes
from programs.models import Program, Session
from registrations import tasks
from registrations.models import Registration

from .program_cancel import ProgramCancelMixin


class ProgramWithScheduleNoticeAdmin(ProgramCancelMixin, ProgramAdmin):
    actions = [*ProgramAdmin.actions, "announce_next_term"]

    def has_send_marketing_permission(self, request) -> bool:
        return request.user.has_perm("mailing.send_marketingemail")

    @admin.action(
        description="Tell past participants who consented about the next term",
        permissions=["send_marketing"],
    )
    def announce_next_term(self, request, queryset):
        """One email per past participant who ticked the box, once (mailing.services)."""
        for program in queryset.order_by("pk"):
            try:
                sent = mailing.next_term_announce(program=program, by=request.user)
            except (mailing.NothingToAnnounce, mailing.AlreadySent) as refusal:
                self.message_user(request, str(refusal), messages.WARNING)
                continue
            count = sent.recipient_count
            self.message_user(
                request,
                f"Told {count} past participant{'s' if count != 1 else ''} of "
                f"“{program.title}” about “{sent.next_term}”.",
                messages.SUCCESS,
            )

    def save_related(self, request, form, formsets, change):
        program = form.instance
        before = _session_times(program) if change else {}
        super().save_related(request, form, formsets, change)
        if not change:
            return
        changes = session_changes(before=before, after=_session_times(program))
        if changes and _confirmed_count(program):
            url = (
                reverse("admin:programs_program_notify_schedule_change", args=[program.pk])
                + "?changes="
                + changes_sign(program_id=program.pk, changes=changes)
            )
            self.message_user(
                request,
                format_html(
                    "The schedule changed for confirmed participants. "
                    '<a href="{}">Notify participants</a> with an updated calendar file.',
                    url,
                ),
                messages.WARNING,
            )

    def get_urls(self):
        return [
            path(
                "<int:program_id>/notify-schedule-change/",
                self.admin_site.admin_view(self.notify_schedule_change),
                name="programs_program_notify_schedule_change",
            ),
            *super().get_urls(),
        ]

    def notify_schedule_change(self, request, program_id):
        program = Program.objects.filter(pk=program_id).first()
        if program is None or not self.has_change_permission(request, program):
            raise Http404
        token = request.POST.get("changes") or request.GET.get("changes", "")
        try:
            changes = changes_unsign(token=token, program_id=program.pk)
        except signing.BadSignature:
            self.message_user(request, "That notice link is not valid any more.", messages.ERROR)
            return HttpResponseRedirect(reverse("admin:programs_program_change", args=[program.pk]))
        if request.method == "POST":
            count = _confirmed_count(program)
            items, actor_id = [change.to_dict() for change in changes], request.user.pk
            # After commit, never failing the request: a broker that is down leaves the
            # notice unsent, and this page can be confirmed again (each person is told once).
            transaction.on_commit(
                lambda: tasks.notify_schedule_change.delay(program.pk, items, actor_id),
                robust=True,
            )
            self.message_user(
                request,
                f"Telling {count} participant{'s' if count != 1 else ''} about the schedule "
                "change in the background. Each registration's log records the notice once "
                "it is written; the emails leave right after.",
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:programs_program_change", args=[program.pk]))
        return TemplateResponse(
            request,
            "admin/programs/notify_schedule_change.html",
            {
                **self.admin_site.each_context(request),
                "title": f"Notify participants: {program.title}",
                "program": program,
                "changes": [change.describe() for change in changes],
                "token": token,
                "participant_count": _confirmed_count(program),
                "opts": self.model._meta,
            },
        )


def _session_times(program: Program) -> dict[int, tuple]:
    return {
        session.pk: (session.title, session.starts_at, session.ends_at)
        for session in Session.objects.filter(program=program)
    }


def _confirmed_count(program: Program) -> int:
    return Registration.objects.filter(
        program=program, status=Registration.Status.CONFIRMED
    ).count()


admin.site.unregister(Program)
admin.site.register(Program, ProgramWithScheduleNoticeAdmin)
