"""Attendance in the admin: on each registration's page and as a list action.

The registration admin belongs to registrations, which knows nothing of this app
(facilitate reads the booking core, never the other way round). So this module
extends it the way Django extends any other app's admin (as with UserAdmin): it
replaces the registered RegistrationAdmin with a subclass that adds the attendance
inline and the "Mark attendance" action. Without this app the registration admin
still works, only without attendance. Needs "facilitate" after "registrations" in
INSTALLED_APPS, so that the admin it extends is registered first.
"""

from typing import cast

from django import forms
from django.contrib import admin

from programs.models import Session
from registrations.admin.display import ReadOnlyInline
from registrations.admin.registrations import (
    AnswerInline,
    PaymentInline,
    RegistrationAdmin,
    RegistrationLogInline,
)
from registrations.models import Registration

from . import permissions
from .models import Attendance
from .services import attendance_mark


class AttendanceInline(ReadOnlyInline):
    model = Attendance
    readonly_fields = ("session", "present", "marked_by", "marked_at")
    fields = readonly_fields


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.program.title}: {obj.title}"


class AttendanceActionForm(forms.Form):
    session = SessionChoiceField(queryset=Session.objects.none())
    present = forms.TypedChoiceField(
        choices=[("1", "Present"), ("0", "Absent")],
        coerce=lambda value: value == "1",
        widget=forms.RadioSelect,
        initial="1",
    )

    def __init__(self, *args, program_ids, **kwargs):
        super().__init__(*args, **kwargs)
        cast(SessionChoiceField, self.fields["session"]).queryset = (
            Session.objects.filter(program_id__in=program_ids)
            .select_related("program")
            .order_by("program__title", "starts_at")
        )


class RegistrationWithAttendanceAdmin(RegistrationAdmin):
    actions = [*RegistrationAdmin.actions, "mark_attendance"]
    # Attendance before the history, as a facilitator reads a registration.
    inlines = [AnswerInline, PaymentInline, AttendanceInline, RegistrationLogInline]

    def has_mark_attendance_permission(self, request):
        return request.user.has_perms(permissions.MARK_ATTENDANCE)

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


admin.site.unregister(Registration)
admin.site.register(Registration, RegistrationWithAttendanceAdmin)
