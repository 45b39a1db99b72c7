"""Demo incidents worked by the Network team: VPN, Wi-Fi, internet links, DNS, firewall."""

from __future__ import annotations

from functools import partial

from helpdesk.demo.story import Story

story = partial(Story, team="Network")

STORIES = [
    story(
        key="wifi-atlas",
        subject="Wi-Fi keeps dropping in meeting room Atlas",
        description="In meeting room Atlas the Wi-Fi disconnects every few minutes, which kills "
        "our video calls. Other rooms are fine.",
        category="Network",
        service="Wi-Fi",
        impact="low",
        urgency="medium",
        status="new",
        related="wifi-b2",
    ),
    story(
        key="berlin-intranet",
        subject="Intranet unreachable from the Berlin office",
        description="Nobody in the Berlin office can open the intranet since this morning; the "
        "browser times out. Email and Teams work.",
        category="Network",
        service="Intranet",
        impact="medium",
        urgency="medium",
        status="new",
        channel="email",
        colleague="Same here on the 3rd floor in Berlin. Could you add me to this one?",
    ),
    story(
        key="home-downloads",
        subject="Slow downloads from the file shares when working from home",
        description="Copying files from the Projects share over the VPN takes forever at home "
        "(about 1 MB/s). My home internet is fast.",
        category="Network",
        service="VPN",
        impact="low",
        urgency="low",
        status="new",
    ),
    story(
        key="vpn-20min",
        subject="VPN disconnects every 20 minutes",
        description="The VPN connection drops about every 20 minutes and I have to sign in "
        "again. The client log is attached.",
        category="Network",
        service="VPN",
        impact="low",
        urgency="medium",
        status="assigned",
        channel="email",
        attachment="vpn-client.log",
        colleague="My VPN does the same since Monday. Is there a fix yet?",
    ),
    story(
        key="dead-port",
        subject="Network port on desk 4.22 is dead",
        description="The network socket at desk 4.22 gives no connection, with two different "
        "cables and laptops.",
        category="Network",
        service=None,
        impact="low",
        urgency="low",
        status="assigned",
        note="Patch panel label 4-22 goes to switch sw-f4-02 port 17, which shows err-disabled.",
    ),
    story(
        key="guest-wifi",
        subject="Guest Wi-Fi password rejected",
        description="Reception says today's guest Wi-Fi password doesn't work. We have a client "
        "workshop with twelve visitors starting at 10:00.",
        category="Network",
        service="Wi-Fi",
        impact="medium",
        urgency="high",
        status="assigned",
    ),
    story(
        key="vpn-outage",
        subject="VPN down for everyone working from home",
        description="Since about 08:40 nobody on our team can connect to the VPN. The client "
        "says 'Gateway not responding'.",
        category="Network",
        service="VPN",
        impact="high",
        urgency="high",
        status="in_progress",
        channel="email",
        question="We're aware: the VPN gateway stopped accepting connections at 08:40. Engineers "
        "are on it, and we'll post an update within 30 minutes.",
        answer="Thanks. Sales can't reach the CRM at all, please keep us posted.",
        note="The gateway certificate expired overnight and the failover node has the same "
        "certificate. Renewing both.",
    ),
    story(
        key="wifi-b2",
        subject="Wi-Fi very slow on floor 2 of building B",
        description="Since Monday the Wi-Fi on floor 2 of building B is painfully slow: web "
        "pages take ten seconds to load.",
        category="Network",
        service="Wi-Fi",
        impact="medium",
        urgency="medium",
        status="in_progress",
        question="Could you run the speed test on the intranet's IT page and tell me the result "
        "and which room you were in?",
        answer="12 Mbit/s down in room 2.07. It's usually over 200.",
        note="Access point AP-B2-03 has 140 clients, and its channel overlaps with the new "
        "access point in Atlas.",
    ),
    story(
        key="printer-unreachable",
        subject="Printer on floor 4 not reachable",
        description="Our floor 4 printer shows as offline on every laptop. Its display says "
        "'Ready'.",
        category="Network",
        service="Printing",
        impact="low",
        urgency="medium",
        status="in_progress",
        question="Could you press the printer's menu button and read me the IP address on the "
        "network page?",
        answer="It says 169.254.12.40.",
        note="Self-assigned address: the printer gets no DHCP lease. Checking the VLAN on its "
        "switch port.",
    ),
    story(
        key="crm-packet-loss",
        subject="CRM connection keeps freezing in the office",
        description="The CRM freezes for a few seconds several times an hour, only in the "
        "office. Colleagues in sales see the same.",
        category="Network",
        service="CRM",
        impact="medium",
        urgency="high",
        status="in_progress",
        question="We see packet loss on the internet link and have involved the provider. Does "
        "it happen when you work from home too?",
        answer="From home it's fine.",
        note="Traceroute shows 8% loss at the provider's edge router. Ticket opened with them.",
        related="crm-slow",
    ),
    story(
        key="warehouse-line",
        subject="Leased line to the warehouse is down",
        description="The warehouse has no connection to head office; scanners can't book goods in.",
        category="Network",
        service="Internet access",
        impact="high",
        urgency="medium",
        status="on_hold",
        hold="awaiting_vendor",
        question="The provider confirmed a fibre cut near the warehouse; their repair crew is on "
        "site this afternoon. The 4G backup is active meanwhile.",
        answer="The 4G backup works but it's slow. We can live with it for today.",
        note="4G backup router at 60% of its monthly data allowance; keep an eye on it.",
    ),
    story(
        key="supplier-portal",
        subject="Firewall blocks the new supplier portal",
        description="The new supplier portal doesn't load from the office but works on my "
        "phone's mobile data.",
        category="Network",
        service="Internet access",
        impact="low",
        urgency="medium",
        status="on_hold",
        hold="awaiting_change",
        question="The portal uses port 8443, which our firewall blocks. A change to allow it is "
        "approved for Thursday's change window.",
        answer="OK, thanks for the heads-up.",
        note="Change approved by the CAB; implementation Thursday 18:00.",
    ),
    story(
        key="floor3-offline",
        subject="No internet on the 3rd floor",
        description="Nobody on the 3rd floor has network or internet since about 14:00, wired "
        "or Wi-Fi.",
        category="Network",
        service="Internet access",
        impact="medium",
        urgency="high",
        status="resolved",
        note="One member of the switch stack rebooted after a power dip and came back without "
        "its config.",
        fix="Restored the switch configuration and added the stack to the UPS monitoring.",
    ),
    story(
        key="new-laptop-wifi",
        subject="New laptop can't join the Wi-Fi",
        description="I got my new laptop today. It sees the company Wi-Fi but says 'Can't "
        "connect to this network'.",
        category="Network",
        service="Wi-Fi",
        impact="low",
        urgency="medium",
        status="resolved",
        question="The new laptop needs its certificate first. Please plug in a network cable "
        "once and restart; the certificate installs by itself.",
        answer="Done, the Wi-Fi works now.",
        fix="The device certificate was missing; enrolled it over the wired network.",
        rating=(4, None),
    ),
    story(
        key="dns-test",
        subject="Test server name doesn't resolve",
        description="test-crm01.corp.example no longer resolves; the IP address works.",
        category="Network",
        service="Intranet",
        impact="low",
        urgency="low",
        status="resolved",
        fix="Added the missing DNS record for test-crm01.",
    ),
    story(
        key="vpn-certificate",
        subject="VPN client asks for a certificate",
        description="The VPN client suddenly asks me to choose a certificate, and the list is "
        "empty.",
        category="Network",
        service="VPN",
        impact="low",
        urgency="medium",
        status="closed",
        question="Your VPN certificate expired yesterday. Please open the Company Portal app and "
        "click 'Renew certificate', then reconnect.",
        answer="Renewed it and I'm connected again.",
        fix="Reissued the user's VPN certificate; the old one had expired.",
        rating=(4, "Fine, but the error message could be clearer."),
    ),
    story(
        key="canteen-wifi",
        subject="No Wi-Fi in the canteen",
        description="There has been no Wi-Fi in the canteen for two days.",
        category="Network",
        service="Wi-Fi",
        impact="low",
        urgency="low",
        status="closed",
        fix="The canteen access point had lost power over Ethernet; replaced the injector.",
    ),
    story(
        key="office-offline",
        subject="Whole office offline",
        description="Nothing works: no internet, no email, no Teams, for everyone in the office.",
        category="Network",
        service="Internet access",
        impact="high",
        urgency="high",
        status="closed",
        channel="email",
        question="The primary internet link is down; we're switching to the backup line now.",
        answer="It's back for us, thank you!",
        note="The provider's router crashed. Failover took 7 minutes because of a stale static "
        "route.",
        fix="The provider replaced their router; the stale route is removed so the backup line "
        "takes over automatically.",
        code="third_party",
        rating=(4, "Good updates during the outage."),
    ),
    story(
        key="vpn-home",
        subject="Can't connect to the VPN from home",
        description="Since this morning the VPN says 'Gateway not responding'. I have restarted "
        "twice.",
        category="Network",
        service="VPN",
        impact="low",
        urgency="high",
        status="closed",
        channel="email",
        duplicate_of="vpn-outage",
    ),
    story(
        key="home-router",
        subject="Please check my home router",
        description="My home internet is slow in the evenings. Could IT have a look at my router?",
        category="Network",
        service=None,
        impact="low",
        urgency="low",
        status="cancelled",
        fix="Home equipment is not supported by IT; sent the self-help guide instead.",
    ),
]
