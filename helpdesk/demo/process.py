"""The demo's ITIL process beyond single incidents, played after the stories at the moment
the history leads up to: the VPN outage is an ongoing major incident with a public update
(the banner and status page show it), the Wi-Fi drops on two floors are a known error with
a workaround, and a Wi-Fi controller update yesterday shows among those incidents' recent
changes."""

from __future__ import annotations

from datetime import datetime, timedelta

from helpdesk import changes, major_incidents, problems
from helpdesk.demo.cast import Cast
from helpdesk.models import KNOWN_ERROR, Incident


def play_process(cast: Cast, played: dict[str, Incident], now: datetime) -> None:
    """Declare the major incident, open the known error and record the change."""
    network = cast.agents["Network"]
    outage = played["vpn-outage"]
    major = major_incidents.declare(
        outage,
        network,
        "VPN unavailable for remote workers",
        "Remote workers cannot connect to the VPN. On-site access is not affected.",
        [cast.services["VPN"].id],
    )
    major_incidents.post_update(
        major,
        network,
        "identified",
        "The gateway certificate expired overnight; we are renewing it on both nodes.",
    )
    for key in ("home-downloads", "vpn-20min"):
        major_incidents.subscribe(major, played[key].requester, "portal")
    wifi = cast.services["Wi-Fi"].id
    problem = problems.open_problem(
        network,
        problems.ProblemFields(
            title="Access points drop clients under load",
            description="Clients lose the Wi-Fi when many join one access point.",
            service_ids=[wifi],
            root_cause="Firmware 8.10 on the access points mishandles band steering.",
            workaround="Connect to the 5 GHz network 'Corp-5G' instead of 'Corp'.",
        ),
        [played["wifi-atlas"], played["wifi-b2"]],
    )
    for status in ("investigating", KNOWN_ERROR):
        problems.move(problem, network, status)
    update = changes.create_change(
        network,
        changes.ChangePlan(
            title="Firmware update on the Wi-Fi controllers",
            planned_start=now - timedelta(days=1, hours=2),
            planned_end=now - timedelta(days=1),
            service_ids=[wifi],
            implementer_id=network.id,
        ),
    )
    changes.move(update, network, "in_progress", at=now - timedelta(days=1, hours=2))
    changes.move(update, network, "completed", at=now - timedelta(days=1, hours=1))
