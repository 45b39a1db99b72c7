"""Webhooks out: admins subscribe URLs to the incident events (topics.py); each event a
subscription wants is queued as a delivery in the transaction of the change (outbox.py),
and the worker's `webhooks` job sends it, signed per the Standard Webhooks spec, with
retries and a delivery log (delivery.py). The subscriptions are managed by admins
(subscriptions.py), and where they may point is checked by destinations.py.

A reaction to the services' events, like notify, but one that only writes rows of its
own: it sits in the services layer and no service imports it.
"""

from helpdesk.webhooks.outbox import subscribe_to_events

__all__ = ["subscribe_to_events"]
