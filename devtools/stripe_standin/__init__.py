"""An offline stand-in for the parts of Stripe's API the app uses (development and tests only).

Start a `StripeStandin` and give the app's client its address:
`stripe.StripeClient(api_key, base_addresses={"api": standin.url})`. See README.md.
"""

from .errors import StripeError
from .server import DEFAULT_PORT, StripeStandin
from .webhooks import signature_header

__all__ = ["DEFAULT_PORT", "StripeError", "StripeStandin", "signature_header"]
