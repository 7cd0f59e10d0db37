"""Pieces of HTML an email's sentence carries, so the sentence is translated once for
both bodies: the text body gives `{{ program.title }}`, the HTML body the same words as a
link or in bold, and the translation holds no markup.

    {% email_link program_url program.title as program %}
    {% blocktranslate trimmed %}Your place in {{ program }} is confirmed.{% endblocktranslate %}
"""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()

LINK_STYLE = "color:#2f5d50;"


@register.simple_tag
def email_link(url: str, text: object) -> SafeString:
    """`text` as a link to `url`, in the emails' link colour."""
    return format_html('<a href="{}" style="{}">{}</a>', url, LINK_STYLE, text)


@register.simple_tag
def email_strong(text: object) -> SafeString:
    """`text` in bold."""
    return format_html("<strong>{}</strong>", text)
