"""Program content written in English and French, read in the reader's language.

A translated field keeps the English text in its own column and the French text in a
sibling column named `<field>_fr` (blank allowed). Reading `program.title` gives the
French text when French is the active language and the French column is filled, and
the English text otherwise. When French is active but missing, the English comes back
as a `FallbackText`, a `str` that says so (`.fallback`, `.language`), so a page can
mark it `lang="en"` and tell the reader once (programs_tags: `lang_attr`,
`english_only_note`).

Writing never mixes the languages: assigning `program.title = ...` sets the English
column, and everything Django saves, copies or puts in a form from (`pre_save`,
`value_from_object`, `clean_fields`, `refresh_from_db`) reads the English column
itself, whatever the active language. Code that stores a text meant to stay the same
in every language (an answer's question, a comparison) reads it with `english()`.
`QuerySet.bulk_update` reads attributes as a page does: call it inside
`english_values()`.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import models
from django.db.models.query_utils import DeferredAttribute
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from omwellness.languages import supported

FRENCH = "fr"
FRENCH_HELP = _("Leave empty to show the English text, marked as English, on the French site.")

_english_only: ContextVar[bool] = ContextVar("translated_english_only", default=False)


class FallbackText(str):
    """English text shown where the French is missing."""

    fallback = True
    language = "en"


@contextmanager
def english_values() -> Iterator[None]:
    """Inside, every translated field reads its English column."""
    token = _english_only.set(True)
    try:
        yield
    finally:
        _english_only.reset(token)


def french_active() -> bool:
    return not _english_only.get() and supported(translation.get_language()) == FRENCH


def english(instance: models.Model, name: str) -> Any:
    """The English value of a translated field (loading it if it was deferred)."""
    with english_values():
        return getattr(instance, name)


class TranslatedAttribute(DeferredAttribute):
    """Reads the reader's language; writes go to the English column (`__dict__`)."""

    field: "TranslatedCharField | TranslatedTextField"

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if not french_active():
            return value
        french = getattr(instance, self.field.french_attname, "")
        if french:
            return french
        return FallbackText(value) if value else value

    def __set__(self, instance, value) -> None:
        instance.__dict__[self.field.attname] = value


class TranslatedFieldMixin:
    """The English column of a translated field; its French twin is `<name>_fr`."""

    descriptor_class = TranslatedAttribute
    attname: str

    @property
    def french_attname(self) -> str:
        return f"{self.attname}_fr"

    def pre_save(self, model_instance, add):
        return english(model_instance, self.attname)

    def value_from_object(self, obj):
        return english(obj, self.attname)


# In migrations they are the plain fields they store as: the columns are the same.
class TranslatedCharField(TranslatedFieldMixin, models.CharField):
    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs


class TranslatedTextField(TranslatedFieldMixin, models.TextField):
    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.TextField", args, kwargs


class TranslatedModel(models.Model):
    """Validation and reloading work on the English columns, in any language."""

    class Meta:
        abstract = True

    def clean_fields(self, exclude=None) -> None:
        # Model.clean_fields sets each field back from what it reads.
        with english_values():
            super().clean_fields(exclude=exclude)

    def refresh_from_db(self, using=None, fields=None, from_queryset=None) -> None:
        # Model.refresh_from_db copies each field by reading it from a fresh instance.
        with english_values():
            super().refresh_from_db(using=using, fields=fields, from_queryset=from_queryset)


def translated_fields(instance: models.Model) -> list[str]:
    return [
        field.name
        for field in instance._meta.concrete_fields
        if isinstance(field, TranslatedFieldMixin)
    ]


def falls_back(objects: Iterable[Any], names: Iterable[str] | None = None) -> bool:
    """Whether any of these shows English in place of a missing French text.

    `objects` holds models, lists or querysets of them, or a selector's view of a
    program (its `.program`); `names` limits the check to the fields a page shows
    (e.g. a card's title and summary)."""
    wanted = None if names is None else set(names)
    for obj in objects:
        if not isinstance(obj, models.Model):
            inner = getattr(obj, "program", None)
            if isinstance(inner, models.Model):
                obj = inner
            elif isinstance(obj, Iterable) and not isinstance(obj, str):
                if falls_back(obj, wanted):
                    return True
                continue
            else:
                continue
        for name in translated_fields(obj):
            if wanted is not None and name not in wanted:
                continue
            if getattr(getattr(obj, name), "fallback", False):
                return True
    return False
