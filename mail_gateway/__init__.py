"""The mail gateway: IMAP intake and SMTP delivery around the helpdesk service layer.

Fetch, parse, route, apply and acknowledge are kept apart (see DESIGN.md); this package
is built out by the mail gateway work and talks to incidents only via helpdesk.incidents.
"""
