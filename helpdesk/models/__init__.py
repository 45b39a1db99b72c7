"""SQLAlchemy models, one module per aggregate; import from here."""

from helpdesk.models.alert import ALERT_SOURCES, AlertGroup, MonitoredAlert, ReceivedAlert
from helpdesk.models.api import TOKEN_SCOPES, ApiToken, IdempotencyKey
from helpdesk.models.audit import AuditEvent, AuditTrailIsAppendOnly
from helpdesk.models.automation import AssignmentRule
from helpdesk.models.base import utcnow
from helpdesk.models.catalog import CatalogueEntry, Category, Service
from helpdesk.models.change import CHANGE_STATUSES, Change, change_services
from helpdesk.models.incident import Incident, IncidentLink, incident_participants
from helpdesk.models.kb import (
    ArticleIncidentLink,
    ArticleRevision,
    ArticleVote,
    IndexQueueEntry,
    KnowledgeArticle,
    SearchLog,
    SuggestionOutcome,
)
from helpdesk.models.mail import GatewayHeartbeat, QuarantinedEmail, ReceivedEmail
from helpdesk.models.major_incident import (
    MAJOR_PHASES,
    SUBSCRIBED_VIA,
    MajorIncident,
    MajorIncidentSubscription,
    PublicUpdate,
    major_incident_services,
)
from helpdesk.models.message import EVENT, NOTE, REPLY, Attachment, Message
from helpdesk.models.notice import AgentNotice
from helpdesk.models.outbox import OutboundEmail
from helpdesk.models.problem import KNOWN_ERROR, PROBLEM_STATUSES, Problem, problem_services
from helpdesk.models.report import (
    KPI_COUNTS,
    IncidentFacts,
    IncidentOpenSpan,
    KpiDay,
    ReportState,
)
from helpdesk.models.review import (
    ACTION_STATUSES,
    REVIEW_STATUSES,
    PostIncidentReview,
    ReviewAction,
)
from helpdesk.models.search import incident_search
from helpdesk.models.sla import SlaCalendar, SlaPolicy
from helpdesk.models.user import ASSIGN_WITHIN, ROLES, Team, User, team_members
from helpdesk.models.webhook import WebhookDelivery, WebhookSubscription

__all__ = [
    "ACTION_STATUSES",
    "ALERT_SOURCES",
    "ASSIGN_WITHIN",
    "CHANGE_STATUSES",
    "EVENT",
    "KNOWN_ERROR",
    "KPI_COUNTS",
    "MAJOR_PHASES",
    "NOTE",
    "PROBLEM_STATUSES",
    "REPLY",
    "REVIEW_STATUSES",
    "ROLES",
    "SUBSCRIBED_VIA",
    "TOKEN_SCOPES",
    "AgentNotice",
    "AlertGroup",
    "ApiToken",
    "ArticleIncidentLink",
    "ArticleRevision",
    "ArticleVote",
    "AssignmentRule",
    "Attachment",
    "AuditEvent",
    "AuditTrailIsAppendOnly",
    "CatalogueEntry",
    "Category",
    "Change",
    "GatewayHeartbeat",
    "IdempotencyKey",
    "Incident",
    "IncidentFacts",
    "IncidentLink",
    "IncidentOpenSpan",
    "IndexQueueEntry",
    "KnowledgeArticle",
    "KpiDay",
    "MajorIncident",
    "MajorIncidentSubscription",
    "Message",
    "MonitoredAlert",
    "OutboundEmail",
    "PostIncidentReview",
    "Problem",
    "PublicUpdate",
    "QuarantinedEmail",
    "ReceivedAlert",
    "ReceivedEmail",
    "ReportState",
    "ReviewAction",
    "SearchLog",
    "Service",
    "SlaCalendar",
    "SlaPolicy",
    "SuggestionOutcome",
    "Team",
    "User",
    "WebhookDelivery",
    "WebhookSubscription",
    "change_services",
    "incident_participants",
    "incident_search",
    "major_incident_services",
    "problem_services",
    "team_members",
    "utcnow",
]
