"""The SLA clock as pure functions: working calendars (calendar), durations (durations), the
clock that runs a policy on an incident's timeline (clock), policies written as data (spec)
and the simulator (simulate). Stored policies are kept by helpdesk.sla_policies.
"""
