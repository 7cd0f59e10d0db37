"""The catalogue in the admin: programs with their sessions, prices and questions on
one screen, and facilitators.

registrations extends ProgramAdmin with the schedule-change notice to confirmed
participants (registrations/admin/programs.py): who registered is its business.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import BaseModelAdmin
from django.db import models
from django.db.models import Max, Min
from django.template.response import TemplateResponse
from django.utils import timezone

from omwellness.admin_labels import (
    LabelledInlineFormSet,
    LabelledSplitDateTimeMixin,
    LabelledTabularInlineMixin,
)

from .models import Agreement, Facilitator, PriceOption, Program, Question, Session
from .services import program_duplicate
from .translated import FRENCH_HELP, english

FRENCH_SECTION = (
    "Leave a French field empty and the French site shows the English text there, "
    "marked as English, with a note that some details are in English only."
)


class FrenchHelpMixin(BaseModelAdmin):
    """Every French field says what happens when it is left empty."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name.endswith("_fr") and not field.help_text:
            field.help_text = FRENCH_HELP
        return field


class SessionInline(FrenchHelpMixin, LabelledTabularInlineMixin, admin.TabularInline):
    model = Session
    extra = 0
    fields = [
        "title",
        "title_fr",
        "starts_at",
        "ends_at",
        "location_note",
        "location_note_fr",
        "required_for_completion",
        "sequence",
    ]
    readonly_fields = ["sequence"]


class PriceOptionInline(FrenchHelpMixin, LabelledTabularInlineMixin, admin.TabularInline):
    model = PriceOption
    extra = 0
    fields = [
        "position",
        "label",
        "label_fr",
        "amount_cents",
        "description",
        "description_fr",
        "available_until",
    ]


class QuestionInline(FrenchHelpMixin, LabelledSplitDateTimeMixin, admin.StackedInline):
    formset = LabelledInlineFormSet
    model = Question
    extra = 0
    fields = [
        ("position", "kind", "required", "sensitive"),
        ("text", "text_fr"),
        ("help_text", "help_text_fr"),
        ("choices", "choices_fr"),
    ]


class StartFilter(admin.SimpleListFilter):
    title = "start"
    parameter_name = "start"

    def lookups(self, request, model_admin):
        return [("upcoming", "Upcoming or running"), ("past", "Past")]

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "upcoming":
            return queryset.filter(last_ends_at__gt=now)
        if self.value() == "past":
            return queryset.filter(last_ends_at__lte=now)
        return queryset


class DuplicateForm(forms.Form):
    weeks = forms.IntegerField(
        min_value=1,
        max_value=260,
        initial=52,
        help_text="Every session, price deadline and registration date moves by this "
        "many weeks. 52 weeks keeps the weekday: next year's term.",
    )


@admin.register(Program)
class ProgramAdmin(FrenchHelpMixin, LabelledSplitDateTimeMixin, admin.ModelAdmin):
    list_display = ["title", "status", "starts", "format", "capacity"]
    list_filter = ["status", StartFilter, "format"]
    search_fields = ["title", "title_fr", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    # Checkboxes rather than the two-box filter: a handful of facilitators, and the
    # filter widget's markup breaks ARIA rules the rest of the admin keeps.
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        models.ManyToManyField: {"widget": forms.CheckboxSelectMultiple},
    }
    inlines = [SessionInline, PriceOptionInline, QuestionInline]
    actions = ["duplicate_for_new_term"]
    save_on_top = True
    fieldsets = [
        ("English", {"fields": ["title", "slug", "status", "summary", "description"]}),
        (
            "Français",
            {"fields": ["title_fr", "summary_fr", "description_fr"], "description": FRENCH_SECTION},
        ),
        ("Where", {"fields": ["format", "venue", "meeting_link"]}),
        (
            "Registration",
            {
                "fields": [
                    "capacity",
                    ("registration_opens_at", "registration_closes_at"),
                    "refund_days_before_start",
                    "taxable",
                    ("requires_approval", "approval_hold_days"),
                ]
            },
        ),
        (
            "Minimum enrolment",
            {
                "fields": [
                    ("minimum_participants", "minimum_decision_date"),
                    "show_places_missing",
                ]
            },
        ),
        ("Reminders", {"fields": ["reminder_days_before", "remind_on_session_day"]}),
        ("Facilitators", {"fields": ["facilitators"]}),
        ("Certificate of completion", {"fields": ["completion_min_sessions"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                first_starts_at=Min("sessions__starts_at"), last_ends_at=Max("sessions__ends_at")
            )
        )

    @admin.display(description="Starts", ordering="first_starts_at")
    def starts(self, program):
        if program.first_starts_at is None:
            return "—"
        return timezone.localtime(program.first_starts_at).strftime("%a %b %-d, %Y %-I:%M %p")

    @admin.action(description="Duplicate for a new term", permissions=["add"])
    def duplicate_for_new_term(self, request, queryset):
        if "apply" in request.POST:
            form = DuplicateForm(request.POST)
            if form.is_valid():
                for program in queryset:
                    copy = program_duplicate(program=program, weeks=form.cleaned_data["weeks"])
                    self.message_user(
                        request,
                        f"Created “{copy.title}” as a draft; check it, then publish.",
                        messages.SUCCESS,
                    )
                return None
        else:
            form = DuplicateForm()
        return TemplateResponse(
            request,
            "admin/programs/duplicate.html",
            {
                **self.admin_site.each_context(request),
                "title": "Duplicate for a new term",
                "programs": queryset,
                "form": form,
                "opts": self.model._meta,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )


@admin.register(Facilitator)
class FacilitatorAdmin(FrenchHelpMixin, admin.ModelAdmin):
    list_display = ["name", "position", "credentials", "user"]
    fieldsets = [
        (None, {"fields": ["name", "user", "position", "photo"]}),
        ("English", {"fields": ["credentials", "bio"]}),
        ("Français", {"fields": ["credentials_fr", "bio_fr"], "description": FRENCH_SECTION}),
    ]
    list_editable = ["position"]
    search_fields = ["name", "user__email"]
    autocomplete_fields = ["user"]


@admin.register(Agreement)
class AgreementAdmin(FrenchHelpMixin, admin.ModelAdmin):
    """Saving the participant agreement publishes a new version; an accepted one stays."""

    list_display = ["version", "title", "created_at"]
    readonly_fields = ["version", "created_at"]
    fieldsets = [
        (None, {"fields": ["version", "created_at"]}),
        ("English", {"fields": ["title", "text"]}),
        ("Français", {"fields": ["title_fr", "text_fr"], "description": FRENCH_SECTION}),
    ]

    def save_model(self, request, obj, form, change):
        if change and not form.changed_data:
            return
        # Never an UPDATE: registrations point at the version their person accepted.
        published = Agreement.publish(
            title=english(obj, "title"),
            text=english(obj, "text"),
            title_fr=obj.title_fr,
            text_fr=obj.text_fr,
        )
        obj.pk, obj.version, obj.created_at = published.pk, published.version, published.created_at

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
