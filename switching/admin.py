"""Switches in the admin: read only. A switch changes seats and money, so only the
participant's own page (and the services behind it) makes or ends one."""

from django.contrib import admin

from registrations.models import Switch


@admin.register(Switch)
class SwitchAdmin(admin.ModelAdmin):
    list_display = ["registration", "from_program", "to_program", "difference_cents", "status"]
    list_filter = ["status"]
    list_select_related = ["registration", "from_program", "to_program"]
    search_fields = ["registration__reference", "registration__email"]
    date_hierarchy = "created_at"
    exclude = ["answers"]  # health answers waiting for the move: not for the admin's eyes

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
