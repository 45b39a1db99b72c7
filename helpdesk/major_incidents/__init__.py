"""Major incidents: declaring one, its public updates, children and subscribers, and its
resolution, which resolves the children. The only writer of helpdesk.models.major_incident."""
