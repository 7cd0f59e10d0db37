from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import Centre, User


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
    )

    def has_add_permission(self, request) -> bool:
        return not Centre.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
