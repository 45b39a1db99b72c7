"""Demo incidents worked by the Service Desk: accounts, devices, printing, everyday how-tos."""

from __future__ import annotations

from functools import partial

from helpdesk.demo.story import Story

story = partial(Story, team="Service Desk")

STORIES = [
    story(
        key="locked-out",
        subject="Locked out after changing my password",
        description=(
            "I changed my password this morning when Windows asked me to, and now the laptop "
            "says my account is locked. I can still read email on my phone."
        ),
        category="Access & accounts",
        service="Single sign-on",
        impact="low",
        urgency="high",
        status="new",
        channel="email",
        answer="Still locked out and I have a client call at 14:00. Could someone call me on "
        "extension 4417?",
    ),
    story(
        key="second-monitor",
        subject="Second monitor for a new starter",
        description=(
            "Aisha joins the Finance team next week and sits at desk 3.08. Could she get a "
            "second monitor like the rest of the team?"
        ),
        category="Hardware",
        service="Laptop fleet",
        impact="low",
        urgency="low",
        status="new",
    ),
    story(
        key="battery",
        subject="Laptop battery empty within an hour",
        description=(
            "My laptop goes from full to 10% in about an hour, even with only Outlook and Teams "
            "open. It used to last most of the day. Battery report attached."
        ),
        category="Hardware",
        service="Laptop fleet",
        impact="low",
        urgency="medium",
        status="new",
        attachment="battery-report.txt",
    ),
    story(
        key="dock-camera",
        subject="Camera not detected when the laptop is docked",
        description=(
            "When my laptop is on the docking station, Teams says no camera is available. "
            "Undocked, the built-in camera works."
        ),
        category="Hardware",
        service="Laptop fleet",
        impact="low",
        urgency="medium",
        status="assigned",
        note="Known problem with older dock firmware: check the firmware version before "
        "swapping any hardware.",
    ),
    story(
        key="mfa-phone",
        subject="MFA prompts not arriving on my new phone",
        description=(
            "I moved to a new phone at the weekend. The authenticator app is installed but the "
            "sign-in prompts still go to my old phone, which I have returned."
        ),
        category="Access & accounts",
        service="Single sign-on",
        impact="low",
        urgency="high",
        status="assigned",
        channel="email",
    ),
    story(
        key="outlook-password",
        subject="Outlook keeps asking for my password",
        description=(
            "Since yesterday Outlook pops up a password window every few minutes. I type the "
            "password and it comes back again."
        ),
        category="Email",
        service="Email",
        impact="low",
        urgency="medium",
        status="in_progress",
        question="Does this happen in the office, at home, or both? And does it start right "
        "after you sign in to Windows?",
        answer="Both. It starts about ten minutes after I log in, and I have to cancel the "
        "prompt several times.",
        note="Credential Manager still has entries from the old tenant. I'll clear them "
        "remotely over lunch.",
    ),
    story(
        key="slow-laptop",
        subject="Laptop very slow since the last update",
        description=(
            "Since Tuesday's update everything takes ages: Outlook needs two minutes to open and "
            "the fan is always on."
        ),
        category="Software",
        service="Laptop fleet",
        impact="low",
        urgency="medium",
        status="in_progress",
        question="I can see the update failed twice on your laptop. May I connect remotely at "
        "11:00 to repair it?",
        answer="Yes, 11:00 is fine. I'll leave the laptop on.",
        note="System disk is 97% full; the component store needs a cleanup before the update "
        "can be retried.",
    ),
    story(
        key="new-starter",
        subject="Accounts for a new starter on Monday",
        description=(
            "Aisha Khan starts in Finance on Monday. She needs a Windows account, email, the CRM "
            "and the Finance file share."
        ),
        category="Access & accounts",
        service="Single sign-on",
        impact="medium",
        urgency="medium",
        status="in_progress",
        override=(2, "Starts on Monday: the accounts must be ready by Friday."),
        question="Could you confirm her start date and line manager? HR has not sent the "
        "starter form yet.",
        answer="Monday at 9:00, and I am her line manager. She needs the CRM and the Finance "
        "share, nothing else.",
        note="Windows account and mailbox created. CRM licence requested from Applications.",
    ),
    story(
        key="zoom-plugin",
        subject="Cannot install the Zoom plug-in for Outlook",
        description=(
            "A customer only uses Zoom. When I try to install the Outlook plug-in it says I "
            "need administrator rights."
        ),
        category="Software",
        service="Email",
        impact="low",
        urgency="low",
        status="on_hold",
        hold="awaiting_user",
        question="The plug-in must be a company-approved version. Could you send a screenshot "
        "of the error you get when you click Install?",
    ),
    story(
        key="dock-flicker",
        subject="External screens flicker on the docking station",
        description=(
            "Both external monitors go black for a second every few minutes when the laptop is "
            "docked. It makes working on spreadsheets really hard."
        ),
        category="Hardware",
        service="Laptop fleet",
        impact="low",
        urgency="medium",
        status="on_hold",
        hold="awaiting_vendor",
        question="We tried a new cable and updated the dock firmware. I've asked the vendor for "
        "a replacement dock under warranty.",
        answer="Thanks, I'll use the laptop screen for now.",
        note="Warranty case opened with the vendor; replacement expected in 3-5 working days.",
    ),
    story(
        key="sticky-keys",
        subject="Keyboard with sticky keys",
        description="Several keys on my keyboard stick since someone spilled coffee on it.",
        category="Hardware",
        service="Laptop fleet",
        impact="low",
        urgency="low",
        status="on_hold",
        hold="scheduled",
        question="New keyboards arrive on Thursday. I've booked your swap for Thursday at 10:00 "
        "at the IT bar on floor 3.",
        answer="Perfect, see you then.",
        note="Keyboard reserved from Thursday's stock delivery.",
    ),
    story(
        key="expenses-password",
        subject="Forgot my password for the expenses app",
        description="I haven't used the expenses app since spring and can't remember the "
        "password. The reset page says my address is unknown.",
        category="Access & accounts",
        service="Single sign-on",
        impact="low",
        urgency="medium",
        status="resolved",
        question="The expenses app now signs in with your normal company account. I've linked "
        "your old profile to it; please try the 'Sign in with company account' button.",
        answer="That worked, thanks!",
        fix="Linked the old local expenses profile to the user's single sign-on account.",
    ),
    story(
        key="blank-pages",
        subject="Printer in room 2.14 prints blank pages",
        description="Everything we send to the printer in room 2.14 comes out blank. The "
        "display shows no error.",
        category="Printing",
        service="Printing",
        impact="low",
        urgency="medium",
        status="resolved",
        note="The toner was a counterfeit cartridge from the old supplier; replaced with "
        "genuine stock.",
        fix="Replaced the toner cartridge and ran a cleaning cycle; the test page is fine.",
        rating=(4, "Quick fix, thank you."),
    ),
    story(
        key="share-calendar",
        subject="How do I share my calendar with my assistant?",
        description="My new assistant needs to accept meetings for me. How do I give her "
        "access to my calendar?",
        category="Email",
        service="Email",
        impact="low",
        urgency="low",
        status="resolved",
        question="In Outlook, right-click your calendar, choose Sharing Permissions, add your "
        "assistant and pick 'Delegate'. She will get an invitation by email.",
        fix="Explained delegate access; the user set it up.",
        code="user_error",
    ),
    story(
        key="monitor-sleep",
        subject="Monitor doesn't wake up from sleep",
        description="After lunch my monitor stays black, even though the laptop is on. "
        "Unplugging the cable sometimes helps.",
        category="Hardware",
        service="Laptop fleet",
        impact="low",
        urgency="medium",
        status="closed",
        question="Please unplug the monitor's power for 30 seconds, then check the input source "
        "(button under the right edge) is set to DisplayPort.",
        answer="That did it - it was set to HDMI somehow.",
        fix="The monitor's input source was set to HDMI; switched to DisplayPort.",
        code="user_error",
        rating=(5, "Sorted in five minutes."),
    ),
    story(
        key="locked-holiday",
        subject="Account locked after my holiday",
        description="I'm back from three weeks off and my account is locked. I'm writing this "
        "from a colleague's computer.",
        category="Access & accounts",
        service="Single sign-on",
        impact="low",
        urgency="high",
        status="closed",
        fix="Unlocked the account and issued a temporary password; the old one expired during "
        "the holiday.",
        rating=(5, None),
    ),
    story(
        key="headset",
        subject="Headset microphone not working in Teams",
        description="People can't hear me in Teams calls. The headset works on my phone, and "
        "Teams shows the microphone as selected.",
        category="Telephony",
        service="Telephony",
        impact="low",
        urgency="medium",
        status="closed",
        question="Please unplug the headset, plug it into a USB port directly on the laptop "
        "(not the dock) and try a test call.",
        answer="That works, thanks.",
        fix="Headset moved from the dock to the laptop's own USB port.",
        reopened="It worked for one call, but now nobody can hear me again.",
        rating=(3, "It took two attempts, but it's fine now."),
    ),
    story(
        key="phishing",
        subject="Phishing email - did I do something wrong?",
        description=(
            "I got an email 'Your mailbox is full' with a link to log in. I clicked it before I "
            "realised it looked odd. The sender was 'it-support@rnail-secure.com'."
        ),
        category="Security",
        service="Email",
        impact="medium",
        urgency="high",
        status="closed",
        channel="email",
        question="Thanks for reporting it. Did you type your password or any other details on "
        "that page?",
        answer="No, I closed the page straight away without typing anything.",
        note="Sign-in logs show nothing suspicious. Sender domain blocked in the mail filter.",
        fix="No credentials were entered. The sender is blocked and the message was removed "
        "from every mailbox.",
        rating=(5, "Reassuring and quick."),
    ),
    story(
        key="no-power",
        subject="Laptop won't turn on",
        description="My laptop doesn't start at all this morning, not even the power light.",
        category="Hardware",
        service="Laptop fleet",
        impact="low",
        urgency="high",
        status="cancelled",
        answer="Please ignore this - the power strip under my desk was switched off. Sorry!",
        fix="The requester found the cause themselves (power strip switched off).",
    ),
    story(
        key="old-payroll",
        subject="Access to last year's payroll reports",
        description="For the audit I need to see last year's payroll summary reports.",
        category="Access & accounts",
        service="Payroll",
        impact="low",
        urgency="low",
        status="cancelled",
        answer="My manager says Finance will send me the PDFs, so I don't need access any more.",
        fix="Not needed: Finance shares the reports directly.",
    ),
]
