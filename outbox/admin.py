"""Admin for the email outbox: what was sent to whom, what failed, and a resend."""

from django.contrib import admin, messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.clickjacking import xframe_options_sameorigin

from . import services
from .models import OutboundEmail

# Reading what was sent is not the same as sending it again to someone.
RESEND_EMAIL = "outbox.resend_outboundemail"


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "recipient", "subject", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["recipient", "subject", "reference", "=message_id"]
    date_hierarchy = "created_at"
    actions = ["resend"]
    fields = [
        ("kind", "status", "attempts"),
        "recipient",
        "subject",
        "reference",
        ("created_at", "claimed_at", "sent_at"),
        "last_error",
        "dedup_key",
        "message_id",
        "headers",
        "text_body",
        "html_body",
        "attachment_names",
    ]
    readonly_fields = [
        "kind",
        "status",
        "attempts",
        "recipient",
        "subject",
        "reference",
        "created_at",
        "claimed_at",
        "sent_at",
        "last_error",
        "dedup_key",
        "message_id",
        "headers",
        "text_body",
        "html_body",
        "attachment_names",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # What was sent stays as it was; a resend writes a new row.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Plain text")
    def text_body(self, email):
        return format_html(
            '<pre style="white-space:pre-wrap;max-width:60rem">{}</pre>', email.body_text
        )

    @admin.display(description="HTML")
    def html_body(self, email):
        if not email.body_html:
            return "—"
        url = reverse("admin:outbox_outboundemail_html", args=[email.pk])
        return format_html(
            # Same origin so the admin's session cookie reaches the preview; scripts stay off
            # (no allow-scripts here, and the preview's own CSP is a sandbox that runs nothing).
            '<iframe sandbox="allow-same-origin" src="{}" title="HTML body of the email" '
            'style="width:100%;max-width:40rem;height:36rem;border:1px solid #ccc"></iframe>',
            url,
        )

    def get_urls(self):
        return [
            path(
                "<int:email_id>/html/",
                self.admin_site.admin_view(self.html_preview),
                name="outbox_outboundemail_html",
            ),
            *super().get_urls(),
        ]

    @xframe_options_sameorigin
    def html_preview(self, request, email_id):
        """The email's HTML as sent, framed in its own page that can run nothing."""
        email = OutboundEmail.objects.filter(pk=email_id).first()
        if email is None or not self.has_view_permission(request, email):
            raise Http404
        response = HttpResponse(email.body_html)
        response["Content-Security-Policy"] = (
            "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; "
            "frame-ancestors 'self'"
        )
        return response

    @admin.display(description="Attachments")
    def attachment_names(self, email):
        return ", ".join(item["filename"] for item in email.attachments) or "—"

    def has_resend_permission(self, request):
        return request.user.has_perm(RESEND_EMAIL)

    @admin.action(description="Resend the selected emails", permissions=["resend"])
    def resend(self, request, queryset):
        with transaction.atomic():
            copies = [services.resend(email=email) for email in queryset]
        self.message_user(
            request,
            f"Queued {len(copies)} email{'s' if len(copies) != 1 else ''} to send again.",
            messages.SUCCESS,
        )
