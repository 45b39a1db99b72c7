"""SQLAlchemy models, one module per aggregate; import from here."""

from helpdesk.models.alert import ALERT_SOURCES, AlertGroup, MonitoredAlert, ReceivedAlert
from helpdesk.models.api import TOKEN_SCOPES, ApiToken, IdempotencyKey
from helpdesk.models.audit import AuditEvent, AuditTrailIsAppendOnly
from helpdesk.models.automation import AssignmentRule
from helpdesk.models.base import utcnow
from helpdesk.models.catalog import CatalogueEntry, Category, Service
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
from helpdesk.models.message import EVENT, NOTE, REPLY, Attachment, Message
from helpdesk.models.notice import AgentNotice
from helpdesk.models.outbox import OutboundEmail
from helpdesk.models.search import incident_search
from helpdesk.models.sla import SlaCalendar, SlaPolicy
from helpdesk.models.user import ASSIGN_WITHIN, ROLES, Team, User, team_members
from helpdesk.models.webhook import WebhookDelivery, WebhookSubscription

__all__ = [
    "ALERT_SOURCES",
    "ASSIGN_WITHIN",
    "EVENT",
    "NOTE",
    "REPLY",
    "ROLES",
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
    "GatewayHeartbeat",
    "IdempotencyKey",
    "Incident",
    "IncidentLink",
    "IndexQueueEntry",
    "KnowledgeArticle",
    "Message",
    "MonitoredAlert",
    "OutboundEmail",
    "QuarantinedEmail",
    "ReceivedAlert",
    "ReceivedEmail",
    "SearchLog",
    "Service",
    "SlaCalendar",
    "SlaPolicy",
    "SuggestionOutcome",
    "Team",
    "User",
    "WebhookDelivery",
    "WebhookSubscription",
    "incident_participants",
    "incident_search",
    "team_members",
    "utcnow",
]
