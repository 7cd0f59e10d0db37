"""The list in the admin: who is on it and why (their consents, kept as given), and the
marketing emails staff compose and send. Sending needs its own permission
(`mailing.send_marketingemail`): writing a draft is not mailing everyone."""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse

from . import selectors, services
from .models import Consent, MarketingEmail, Subscriber

SEND_MARKETING = "mailing.send_marketingemail"


class ConsentInline(admin.TabularInline):
    model = Consent
    extra = 0
    fields = readonly_fields = [
        "given_at",
        "source",
        "program",
        "reference",
        "wording",
        "confirmed_at",
        "withdrawn_at",
    ]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "name", "created_at", "confirmed_at", "withdrawn_at"]
    list_filter = [("confirmed_at", admin.EmptyFieldListFilter), "withdrawn_at"]
    search_fields = ["email", "name"]
    fields = readonly_fields = ["email", "name", "created_at", "confirmed_at", "withdrawn_at"]
    inlines = [ConsentInline]
    actions = ["unsubscribe"]

    def has_add_permission(self, request):
        # Consent is given by the person, on a form, never entered for them.
        return False

    def has_delete_permission(self, request, obj=None):
        # The consents are the record that a message was allowed: unsubscribe instead.
        return False

    @admin.action(description="Unsubscribe the selected people", permissions=["change"])
    def unsubscribe(self, request: HttpRequest, queryset: QuerySet[Subscriber]) -> None:
        count = sum(1 for s in queryset if services.unsubscribe(token=s.token) is not None)
        self.message_user(request, f"Unsubscribed {count}.", messages.SUCCESS)


@admin.register(MarketingEmail)
class MarketingEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "audience", "program", "created_at", "sent_at", "recipient_count"]
    list_filter = ["audience", ("sent_at", admin.EmptyFieldListFilter)]
    list_select_related = ["program"]
    search_fields = ["subject"]
    actions = ["send"]

    def get_fields(self, request, obj=None):
        fields = ["subject", "body", "audience", "program"]
        if obj is not None:
            fields += ["audience_now", "created_by", "sent_at", "sent_by", "recipient_count"]
        return fields

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.sent_at is not None:
            # What was sent stays as it was sent.
            return ["subject", "body", "audience", "program", *self._facts]
        return self._facts

    _facts = ["audience_now", "created_by", "sent_at", "sent_by", "recipient_count"]

    @admin.display(description="On the list for it now")
    def audience_now(self, email: MarketingEmail) -> int:
        return selectors.audience(email=email).count()

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def has_send_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(SEND_MARKETING)

    @admin.action(description="Send the selected emails…", permissions=["send"])
    def send(self, request: HttpRequest, queryset: QuerySet[MarketingEmail]):
        """Asks first, saying how many people each email would reach, then sends."""
        emails = list(queryset.select_related("program").order_by("pk"))
        if "apply" not in request.POST:
            return TemplateResponse(
                request,
                "admin/mailing/send.html",
                {
                    **self.admin_site.each_context(request),
                    "title": "Send marketing emails",
                    "rows": [
                        {"email": email, "count": selectors.audience(email=email).count()}
                        for email in emails
                    ],
                    "opts": self.model._meta,
                    "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
                },
            )
        for email in emails:
            try:
                count = services.marketing_send(email_id=email.pk, by=request.user)
            except services.AlreadySent as refusal:
                self.message_user(request, str(refusal), messages.WARNING)
                continue
            self.message_user(
                request,
                f"“{email.subject}” is on its way to {count} "
                f"{'person' if count == 1 else 'people'}.",
                messages.SUCCESS,
            )
