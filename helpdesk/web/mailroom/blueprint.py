"""The mail room: agents' pages about the mail gateway (health, quarantine, outbox)."""

from flask import Blueprint

bp = Blueprint("mailroom", __name__, url_prefix="/agent/mail")
