"""Test support for the mail gateway: a private Dovecot, an SMTP sink, generated mail."""
