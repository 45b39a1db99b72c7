"""The service layer of SLA calendars and policies kept in the database: changing them
(store), choosing the one an incident is held to (choice), and their TOML files (toml_files).

The clock itself is pure and lives in helpdesk.sla; this package gives it its policies.
"""
