from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import Centre, SensitiveAccess, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "is_staff", "is_active", "date_joined"]
    search_fields = ["email", "name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("name",)}),
        (
            "Permissions",
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Centre)
class CentreAdmin(admin.ModelAdmin):
    """One row of business details; there is nothing to add or delete."""

    fieldsets = (
        (None, {"fields": ("name", "legal_name", "mailing_address", "email", "phone", "website")}),
        (
            "Sales tax",
            {
                "fields": (
                    "hst_registered",
                    "business_number",
                    "tax_name",
                    "tax_rate_percent",
                    "prices_include_tax",
                )
            },
        ),
        (
            "Privacy: how long personal data is kept",
            {
                "fields": (
                    "erase_sensitive_answers_days",
                    "erase_ended_registrations_days",
                    "financial_records_years",
                )
            },
        ),
    )

    def has_add_permission(self, request) -> bool:
        return not Centre.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SensitiveAccess)
class SensitiveAccessAdmin(admin.ModelAdmin):
    """Who read health answers: a record to look at, never to edit or delete."""

    list_display = ["at", "user_email", "program_title", "people", "what"]
    list_filter = ["what"]
    search_fields = ["user_email", "program_title"]
    date_hierarchy = "at"
    readonly_fields = ("at", "user", "user_email", "program", "program_title", "people", "what")
    fields = readonly_fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
