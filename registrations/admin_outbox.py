"""Admin for the email outbox."""
