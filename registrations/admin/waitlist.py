"""Admin for the waitlist: offers hold seats, so they change through the waitlist service."""

from django.contrib import admin, messages

from registrations import services
from registrations.models import WaitlistEntry


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
