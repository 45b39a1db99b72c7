"""What the helpdesk does by itself: assignment rules on intake, and the worker's jobs that
remind requesters who were asked a question, resolve what they never answered, and close
what they never confirmed. A service-layer package: it changes incidents only through the
incident service's own steps (hand_to, move_to, the unattended resolve and close), so the
audit trail, the SLA clocks and the mail follow as for a person's change."""
