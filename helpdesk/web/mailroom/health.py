"""Gateway health page: last poll, messages waiting, outbox backlog (being built)."""
