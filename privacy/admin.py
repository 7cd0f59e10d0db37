"""Deletion requests in the admin: due dates, and the one action that completes them."""

from django.contrib import admin, messages
from django.utils import timezone

from .models import DeletionRequest
from .services import DeletionBlocked, deletion_complete


class StateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("open", "Open"), ("completed", "Completed")]

    def queryset(self, request, queryset):
        if self.value() == "open":
            return queryset.filter(completed_at__isnull=True)
        if self.value() == "completed":
            return queryset.filter(completed_at__isnull=False)
        return queryset


@admin.register(DeletionRequest)
class DeletionRequestAdmin(admin.ModelAdmin):
    list_display = ["email", "requested_at", "due", "completed_at", "completed_by"]
    list_filter = [StateFilter]
    search_fields = ["email", "emails"]
    actions = ["complete"]
    readonly_fields = [
        "email",
        "emails",
        "user",
        "requested_at",
        "due_at",
        "completed_at",
        "completed_by",
        "outcome",
    ]
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False  # the person asks from "My registrations"

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # the record that the request was heard and answered

    @admin.display(description="Answer due", ordering="due_at")
    def due(self, request_row: DeletionRequest) -> str:
        due = timezone.localtime(request_row.due_at).strftime("%Y-%m-%d")
        if request_row.is_open and request_row.due_at < timezone.now():
            return f"{due} (overdue)"
        return due

    @admin.action(description="Complete: erase their data and tell them", permissions=["change"])
    def complete(self, request, queryset):
        done = 0
        for row in queryset.filter(completed_at__isnull=True).order_by("due_at"):
            try:
                deletion_complete(request_id=row.pk, actor=request.user)
            except DeletionBlocked as blocked:
                self.message_user(request, f"{row.email}: {blocked}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request,
                f"Completed {done} request{'s' if done != 1 else ''}; each person is emailed.",
                messages.SUCCESS,
            )
