"""The consent request as the pages show it: the unticked box's form for program pages,
and who asks (CASL s. 10: the requester's name and how to reach them), from the centre's
details in the admin."""

from django import template

from omwellness.models import Centre

from ..forms import SubscribeForm

register = template.Library()


def _requester(centre: Centre | None = None) -> dict:
    centre = centre or Centre.current()
    lines = [line.strip() for line in centre.mailing_address.splitlines() if line.strip()]
    return {"centre": centre, "address": ", ".join(lines)}


@register.inclusion_tag("mailing/_subscribe_form.html", takes_context=True)
def subscribe_form(context, program=None) -> dict:
    return {
        "form": SubscribeForm(
            initial={"program": program.slug if program else ""}, auto_id="news_%s"
        ),
        "csrf_token": context.get("csrf_token"),
        # The page's own read of the centre when it has one: one query per page.
        **_requester(context.get("centre")),
    }


@register.inclusion_tag("mailing/_requester.html")
def consent_requester() -> dict:
    return _requester()
