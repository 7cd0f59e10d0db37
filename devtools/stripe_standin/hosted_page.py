"""The hosted checkout page: what a customer sees at a Checkout Session's `url`.

Plain HTML with no scripts so it works in any browser and under test drivers; every
input has a label, errors are announced (role="alert"), colours pass WCAG AA contrast,
and the layout is a single column that fits a 390 px wide phone.
"""

import re
import time
from html import escape

from .checkout import pay_by_card
from .params import format_money

SUCCEEDING_CARD = "4242424242424242"
DECLINED_CARD = "4000000000000002"

CARD_DECLINED = "Your card was declined."
CARD_NUMBER_INVALID = "Your card number is invalid."
EXPIRY_INCOMPLETE = "Your card's expiration date is incomplete."
EXPIRY_IN_PAST = "Your card's expiration year is in the past."
CVC_INCOMPLETE = "Your card's security code is incomplete."
EMAIL_INCOMPLETE = "Your email address is incomplete."


def normalise_card_number(number):
    return re.sub(r"[\s-]", "", number or "")


def check_card_number(number):
    """Return "succeeded", "declined" or "invalid", as Stripe's test cards behave."""
    number = normalise_card_number(number)
    if number == SUCCEEDING_CARD:
        return "succeeded"
    if number == DECLINED_CARD:
        return "declined"
    return "invalid"


def parse_expiry(text, now=None) -> tuple[tuple[int, int], None] | tuple[None, str]:
    """Read `MM / YY` (spaces and slash optional); return ((month, year), None) or (None, error)."""
    digits = re.sub(r"[\s/]", "", text or "")
    if not re.fullmatch(r"\d{4}", digits):
        return None, EXPIRY_INCOMPLETE
    month, year = int(digits[:2]), 2000 + int(digits[2:])
    if not 1 <= month <= 12:
        return None, EXPIRY_INCOMPLETE
    today = time.gmtime(now)
    if (year, month) < (today.tm_year, today.tm_mon):
        return None, EXPIRY_IN_PAST
    return (month, year), None


def check_cvc(text):
    return None if re.fullmatch(r"\d{3,4}", (text or "").strip()) else CVC_INCOMPLETE


def pay_from_form(store, session, form):
    """Check the submitted form like Checkout does and pay when the card is approved.

    Returns (http_status, error_message); the message is None when the payment went through.
    """
    email = session.get("customer_email") or form.get("email", "").strip()
    if "@" not in email:
        return 400, EMAIL_INCOMPLETE
    outcome = check_card_number(form.get("card_number"))
    if outcome == "invalid":
        return 400, CARD_NUMBER_INVALID
    expiry, error = parse_expiry(form.get("card_expiry"))
    if expiry is None:
        return 400, error
    error = check_cvc(form.get("card_cvc"))
    if error:
        return 400, error
    if outcome == "declined":
        return 402, CARD_DECLINED
    card_number = normalise_card_number(form["card_number"])
    name = form.get("card_name", "").strip()
    exp_month, exp_year = expiry
    pay_by_card(store, session, card_number, exp_month, exp_year, name=name, email=email)
    return 200, None


_STYLE = """
*, *::before, *::after { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif;
       color: #1a1f36; background: #f6f9fc; }
main { max-width: 28rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
a { color: #3a3fc1; }
a:focus, input:focus, button:focus { outline: 3px solid #3a3fc1; outline-offset: 2px; }
h1 { font-size: 1.5rem; margin: 1rem 0 0.25rem; }
.summary { background: #fff; border: 1px solid #d5dbe1; border-radius: 8px; padding: 1rem;
           margin: 1rem 0; }
.summary ul { list-style: none; margin: 0; padding: 0; }
.summary li, .total { display: flex; justify-content: space-between; gap: 1rem; }
.total { border-top: 1px solid #d5dbe1; margin-top: 0.5rem; padding-top: 0.5rem;
         font-weight: 600; margin-bottom: 0; }
label { display: block; font-weight: 600; margin: 1rem 0 0.25rem; }
input { width: 100%; padding: 0.75rem; font-size: 1rem; color: #1a1f36; background: #fff;
        border: 1px solid #6b7385; border-radius: 6px; }
input::placeholder { color: #5c6478; }
.row { display: flex; gap: 0.75rem; }
.row > div { flex: 1; min-width: 0; }
button { width: 100%; margin-top: 1.5rem; padding: 0.875rem; font-size: 1.0625rem;
         font-weight: 600; color: #fff; background: #0a2540; border: 0; border-radius: 6px;
         cursor: pointer; }
.alert { color: #8a1c12; background: #fdecea; border: 1px solid #8a1c12; border-radius: 6px;
         padding: 0.75rem; margin: 1rem 0; }
.note { color: #4f566b; font-size: 0.875rem; margin-top: 1.5rem; }
"""


def _document(title, body):
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )


def _back_link(session):
    if not session.get("cancel_url"):
        return ""
    return f'<p><a href="{escape(session["cancel_url"])}">← Back</a></p>'


def render_checkout(session, line_items, error=None, values=None):
    """The payment form, refilled with `values` (never the card details) after an error."""
    values = values or {}
    currency = session["currency"]
    total = format_money(session["amount_total"], currency)
    items = "\n".join(
        "<li><span>{name}{quantity}</span><span>{amount}</span></li>".format(
            name=escape(item["description"]),
            quantity=f" × {item['quantity']}" if item["quantity"] > 1 else "",
            amount=escape(format_money(item["amount_total"], currency)),
        )
        for item in line_items
    )
    email = session.get("customer_email")
    if email:
        email_block = f"<p>Email: <strong>{escape(email)}</strong></p>"
    else:
        email_block = (
            '<label for="email">Email</label>\n'
            '<input id="email" name="email" type="email" autocomplete="email" required '
            f'value="{escape(values.get("email", ""))}">'
        )
    alert = f'<div class="alert" role="alert">{escape(error)}</div>' if error else ""
    body = f"""{_back_link(session)}
<h1>Pay {escape(total)}</h1>
<section class="summary" aria-label="Order summary">
<ul>
{items}
</ul>
<p class="total"><span>Total due</span><span>{escape(total)}</span></p>
</section>
{alert}
<form method="post" action="/pay/{escape(session["id"])}" novalidate>
{email_block}
<label for="card-number">Card number</label>
<input id="card-number" name="card_number" inputmode="numeric" autocomplete="cc-number"
 placeholder="1234 1234 1234 1234" required>
<div class="row">
<div>
<label for="card-expiry">Expiry (MM / YY)</label>
<input id="card-expiry" name="card_expiry" inputmode="numeric" autocomplete="cc-exp"
 placeholder="MM / YY" required>
</div>
<div>
<label for="card-cvc">CVC</label>
<input id="card-cvc" name="card_cvc" inputmode="numeric" autocomplete="cc-csc"
 placeholder="123" required>
</div>
</div>
<label for="card-name">Name on card</label>
<input id="card-name" name="card_name" autocomplete="cc-name" required
 value="{escape(values.get("card_name", ""))}">
<button type="submit">Pay</button>
</form>
<p class="note">Test mode. Card 4242 4242 4242 4242 succeeds; 4000 0000 0000 0002 is declined.</p>
"""
    return _document(f"Pay {total}", body)


def render_expired(session):
    body = f"""<h1>This checkout session has expired.</h1>
<p>The time to pay has run out. Go back to start again.</p>
{_back_link(session)}"""
    return _document("Checkout session expired", body)


def render_not_found():
    body = "<h1>This checkout session could not be found.</h1>"
    return _document("Checkout session not found", body)


def render_paid(session):
    """Shown after paying when the session has no success_url to send the customer to."""
    total = format_money(session["amount_total"], session["currency"])
    body = f"<h1>Thanks for your payment</h1>\n<p>You paid {escape(total)}.</p>"
    return _document("Payment complete", body)
