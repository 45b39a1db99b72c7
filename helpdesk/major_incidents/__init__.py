"""Major incidents: declaring one, its public updates, children and subscribers, and its
resolution, which resolves the children. The only writer of helpdesk.models.major_incident."""

from helpdesk.major_incidents.children import attach_child, detach_child
from helpdesk.major_incidents.declaring import declare
from helpdesk.major_incidents.resolving import resolve
from helpdesk.major_incidents.subscriptions import subscribe, unsubscribe
from helpdesk.major_incidents.updates import UPDATE_PHASES, post_update

__all__ = [
    "UPDATE_PHASES",
    "attach_child",
    "declare",
    "detach_child",
    "post_update",
    "resolve",
    "subscribe",
    "unsubscribe",
]
