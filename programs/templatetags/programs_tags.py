import json

import markdown as markdown_lib
import nh3
from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from omwellness.money import format_money
from omwellness.tax import TaxSettings, price_text

from .. import schedule
from ..translated import falls_back

register = template.Library()

# What Django's json_script escapes, so that the JSON cannot close its <script> element.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "a", "blockquote",
    "h2", "h3", "h4", "hr", "code", "pre",
}  # fmt: skip


@register.filter
def markdown(text: str) -> str:
    """Markdown to HTML with only harmless tags: no script, style or event handler."""
    html = markdown_lib.markdown(text or "", extensions=["sane_lists"])
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308 - sanitised by nh3 just above


@register.filter
def ld_json(data) -> str:
    """JSON for a <script type="application/ld+json"> block, safe against </script>."""
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(JSON_SCRIPT_ESCAPES))  # noqa: S308


@register.filter
def cad(cents: int | None) -> str:
    """An amount in cents as the site writes it (omwellness.money), blank when unknown."""
    return "" if cents is None else format_money(cents)


@register.simple_tag
def price(cents: int, program, tax: TaxSettings) -> str:
    """A program's price worded with its tax as the centre states prices (omwellness.tax):
    '$450 + HST', '$508.50 (HST included)' or '$450'."""
    return price_text(cents, taxable=program.taxable, settings=tax)


@register.filter
def lang_attr(text) -> str:
    """' lang="en"' for English shown in place of a missing French text, else nothing:
    `<h1{{ program.title|lang_attr }}>{{ program.title }}</h1>`."""
    if getattr(text, "fallback", False):
        return format_html(' lang="{}"', text.language)
    return ""


@register.simple_tag
def english_only_note(*objects, fields: str = "") -> str:
    """Says once that some of what the page shows is in English only (French pages).

    `objects` are programs, sessions, price options, facilitators or lists of them (or
    of selector views with a `.program`); `fields` limits the check to what the page
    shows, e.g. fields="title summary" for program cards."""
    if not falls_back(objects, fields.split() or None):
        return ""
    if fields:
        message = _("Some program details are only available in English for now.")
    else:
        message = _("Some details of this program are only available in English for now.")
    return format_html('<p class="note note--language">{}</p>', message)


register.filter(
    "time_range", lambda session: schedule.time_range(session.starts_at, session.ends_at)
)
register.filter("day", schedule.day)
register.filter("long_day", schedule.long_day)
register.filter("session_when", schedule.session_when)
register.filter("schedule_summary", schedule.schedule_summary)
