"""Labels for the Django admin inputs that come without one.

The admin's split date/time inputs and every input of a tabular inline are named
only by a column header or a shared label, which a screen reader cannot tie to the
input (axe: "Form elements must have labels"). These mixins give each an aria-label.
"""

from django import forms
from django.contrib.admin.options import BaseModelAdmin, InlineModelAdmin
from django.contrib.admin.widgets import AdminSplitDateTime, RelatedFieldWidgetWrapper
from django.forms.models import BaseInlineFormSet
from django.utils.text import capfirst


def _label(widget: forms.Widget, label: str) -> None:
    if isinstance(widget, RelatedFieldWidgetWrapper):
        widget = widget.widget
    if isinstance(widget, AdminSplitDateTime):
        widget.widgets[0].attrs["aria-label"] = f"{label}: date"
        widget.widgets[1].attrs["aria-label"] = f"{label}: time"
    elif not isinstance(widget, forms.HiddenInput):
        widget.attrs.setdefault("aria-label", label)


class LabelledSplitDateTimeMixin(BaseModelAdmin):
    """For a form whose other fields have visible labels: name the date and time halves."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and isinstance(field.widget, AdminSplitDateTime):
            _label(field.widget, capfirst(db_field.verbose_name))
        return field


class LabelledInlineFormSet(BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].widget.attrs["aria-label"] = "Delete this row"


class LabelledTabularInlineMixin(InlineModelAdmin):
    """Every input of a tabular inline is named after its column."""

    formset = LabelledInlineFormSet

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            _label(field.widget, capfirst(db_field.verbose_name))
        return field
