"""Certificates in the admin: to find and read, and to revoke with a reason.

Certificates are issued from the facilitator portal (certificates.views), never added
or edited here: what one states was fixed when it was issued. Revoking needs the
`certificates.revoke_certificate` permission; a revoked certificate's public page says
only that it was revoked.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.utils.html import format_html

from registrations.admin.display import ReadOnlyAdmin

from . import permissions, services
from .models import Certificate


class RevokeActionForm(ActionForm):
    reason = forms.CharField(
        label="Reason (for revoking)",
        max_length=300,
        required=False,
        help_text="Kept with the certificate; its public page says only that it was revoked.",
    )


class RevokedFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("valid", "Valid"), ("revoked", "Revoked")]

    def queryset(self, request, queryset):
        if self.value() == "valid":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "program_title", "issued_at", "state"]
    list_filter = [RevokedFilter, "issued_at"]
    search_fields = ["code", "name", "program_title", "registration__reference"]
    list_select_related = ["registration"]
    action_form = RevokeActionForm
    actions = ["revoke"]
    fields = [
        "code",
        "verification_page",
        "registration",
        "name",
        "program_title",
        ("first_day", "last_day"),
        ("sessions_attended", "sessions_total", "live_minutes"),
        "facilitators",
        ("issued_at", "issued_by"),
        ("revoked_at", "revoked_by"),
        "revoked_reason",
    ]
    readonly_fields = ["verification_page"]

    @admin.display(description="State")
    def state(self, certificate: Certificate) -> str:
        return "Revoked" if certificate.is_revoked else "Valid"

    @admin.display(description="Public page")
    def verification_page(self, certificate: Certificate) -> str:
        return format_html('<a href="{0}">{0}</a>', certificate.get_absolute_url())

    def has_revoke_permission(self, request) -> bool:
        return request.user.has_perm(permissions.REVOKE)

    @admin.action(
        description="Revoke the selected certificates (give a reason)", permissions=["revoke"]
    )
    def revoke(self, request, queryset):
        reason = request.POST.get("reason", "").strip()
        if not reason:
            self.message_user(
                request, "Nothing was revoked: write the reason first.", messages.ERROR
            )
            return
        revoked = sum(
            services.certificate_revoke(certificate=certificate, actor=request.user, reason=reason)
            for certificate in queryset
        )
        self.message_user(
            request,
            f"Revoked {revoked} certificate{'s' if revoked != 1 else ''}.",
            messages.SUCCESS,
        )
