"""Admin for discount codes."""

from typing import cast

from django.contrib import admin

from registrations.models import DiscountCode, DiscountCodeQuerySet

from .display import cad


@admin.register(DiscountCode)
class DiscountCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "program", "kind", "amount", "active", "valid_until", "uses_of_limit"]
    list_filter = ["active", "kind", "program"]
    search_fields = ["code"]
    list_select_related = ["program"]

    def get_queryset(self, request):
        # The same count as the use limit: registrations holding a seat with the code.
        # The admin's queryset comes from DiscountCode.objects, whose class this is.
        return cast(DiscountCodeQuerySet, super().get_queryset(request)).with_uses()

    @admin.display(description="Off")
    def amount(self, code):
        if code.kind == DiscountCode.Kind.PERCENT:
            return f"{code.percent_off}%"
        return cad(code.amount_off_cents)

    @admin.display(description="Uses", ordering="uses")
    def uses_of_limit(self, code):
        limit = f" of {code.max_uses}" if code.max_uses is not None else ""
        return f"{code.uses}{limit}"
