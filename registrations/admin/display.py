"""How the admin shows money and the record of what happened."""

from django.contrib import admin

from omwellness.money import format_money
from registrations.models import Payment


def cad(cents: int | None) -> str:
    return "—" if cents is None else format_money(cents)


def payment_money(payment: Payment, cents: int) -> str:
    # A refused payment may have been taken in another currency: format_money says which.
    return format_money(cents, payment.currency)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


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
