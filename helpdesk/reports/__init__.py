"""The reports' facts: each incident's measures, derived from its audit trail and kept
current by the session on every commit (keeper), for the reads that aggregate them."""
