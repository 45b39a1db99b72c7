"""Incident history brought from elsewhere: `helpdesk import` reads what `helpdesk export`
writes (format 1, documented in the README) and stores it as history, times as written."""
