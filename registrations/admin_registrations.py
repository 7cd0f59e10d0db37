"""Admin for registrations, payments, Stripe events, waitlist and discount codes."""
