"""Reading Stripe-style request parameters.

The stripe library form-encodes nested values with bracketed keys:
`line_items[0][price_data][currency]=cad`, `metadata[registration]=42`, `expand[0]=x`
(browsers and curl users also write `expand[]=x`). Every value arrives as a string.
"""

import re
from urllib.parse import parse_qsl

from .errors import StripeError, invalid_integer

_KEY_PATTERN = re.compile(r"^([^\[\]]+)((?:\[[^\[\]]*\])*)$")
_SEGMENT_PATTERN = re.compile(r"\[([^\[\]]*)\]")

# Maps whose keys are chosen by the caller: "0", "1" there are names, not list positions.
_FREE_FORM_MAPS = {"metadata"}


def parse_form(text):
    """Turn a form-encoded string into nested dicts and lists."""
    root: dict = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        match = _KEY_PATTERN.match(key)
        if not match:
            raise StripeError(f"Invalid parameter name: {key}", param=key)
        path = [match.group(1), *_SEGMENT_PATTERN.findall(match.group(2))]
        _assign(root, path, value, key)
    return _lists_from_numbered_maps(root)


def _assign(root, path, value, full_key):
    node = root
    for depth, segment in enumerate(path):
        if segment == "":
            # `name[]` appends: number it after the entries already present.
            segment = str(len(node))
        is_last = depth == len(path) - 1
        if is_last:
            if isinstance(node.get(segment), dict):
                raise StripeError(f"Invalid value for {full_key}: expected a hash", param=full_key)
            node[segment] = value
        else:
            child = node.setdefault(segment, {})
            if not isinstance(child, dict):
                raise StripeError(f"Invalid value for {full_key}: mixes a value and a hash")
            node = child


def _lists_from_numbered_maps(value, key=None):
    if not isinstance(value, dict):
        return value
    converted = {k: _lists_from_numbered_maps(v, k) for k, v in value.items()}
    if key not in _FREE_FORM_MAPS and converted and all(k.isdigit() for k in converted):
        return [converted[k] for k in sorted(converted, key=int)]
    return converted


def as_int(value, param, minimum=None):
    """Read an integer parameter the way Stripe validates one."""
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not re.fullmatch(r"-?\d+", text):
            raise invalid_integer(value, param)
        number = int(text)
    if minimum is not None and number < minimum:
        raise StripeError(
            f"This value must be greater than or equal to {minimum}.",
            code="parameter_invalid_integer",
            param=param,
        )
    return number


def as_dict(value, param):
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise StripeError(f"Invalid object: {param} must be a hash", param=param)
    return value


def as_list(value, param):
    if value is None or value == "":
        return []
    if isinstance(value, dict):
        # Non-numeric keys under a list parameter.
        raise StripeError(f"Invalid array: {param} must be an array", param=param)
    if not isinstance(value, list):
        return [value]
    return value


def metadata_from(value, param="metadata"):
    """Metadata keeps string values; an empty value means "unset" in Stripe."""
    metadata = as_dict(value, param)
    return {str(k): str(v) for k, v in metadata.items() if v != ""}


_CURRENCY_SYMBOLS = {"cad": "CA$", "usd": "US$", "eur": "€", "gbp": "£", "aud": "A$"}


def format_money(amount, currency):
    """Format minor units like Stripe's hosted page does for an en locale: CA$1,234.50."""
    currency = (currency or "").lower()
    symbol = _CURRENCY_SYMBOLS.get(currency, currency.upper() + " ")
    sign = "-" if amount < 0 else ""
    dollars, cents = divmod(abs(amount), 100)
    return f"{sign}{symbol}{dollars:,}.{cents:02d}"
