"""Admin pages for webhooks out: the subscriptions (URL, events, whether each is active,
failing or disabled, and why), a form to add one, and one subscription's page to change
it, see its secret, rotate the secret, enable it again, delete it, and read its delivery
log, newest first, with "send again" for a delivery that did not get through. The rules
(which URLs, which events) are helpdesk.webhooks.subscriptions', whose message the admin
sees."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import SelectChoice, SelectMultipleField, StringField, URLField
from wtforms.widgets import CheckboxInput, ListWidget

from helpdesk import bounds
from helpdesk.core.errors import DomainError
from helpdesk.models import WebhookDelivery, WebhookSubscription
from helpdesk.web.admin.blueprint import bp
from helpdesk.web.agent.forms import ButtonForm
from helpdesk.web.numbers import page_number
from helpdesk.web.roles import admin_required
from helpdesk.web.view_helpers import UNPROCESSABLE, me, refused, unreadable
from helpdesk.webhooks import subscriptions
from helpdesk.webhooks.topics import TOPICS

Outcome = Response | tuple[str, int]
LOG_PAGE_SIZE = 25


class SubscriptionForm(FlaskForm):
    """A subscription's URL, the events it wants and a description for the admins."""

    url = URLField("URL to post to")
    description = StringField("Description")
    events = SelectMultipleField(
        "Events to send",
        choices=[SelectChoice(name, label) for name, label in TOPICS.items()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,  # the service names an unknown event
    )


def _subscription_or_404(subscription_id: int) -> WebhookSubscription:
    """The subscription a URL names, or 404."""
    try:
        return subscriptions.subscription_by_id(subscription_id)
    except DomainError:
        abort(404)


def _render_list(form: SubscriptionForm | None = None, status: int = 200) -> tuple[str, int]:
    """The list of subscriptions and the form to add one."""
    page = render_template(
        "admin/webhooks.html",
        subscriptions=subscriptions.subscriptions(),
        form=form or SubscriptionForm(formdata=None),
        topics=TOPICS,
    )
    return page, status


@bp.route("/webhooks", methods=["GET", "POST"])
@admin_required
def webhooks() -> Outcome:
    """List the subscriptions; a POST adds one, active at once, and shows its secret."""
    form = SubscriptionForm()
    if not form.is_submitted():
        return _render_list()
    if form.validate_on_submit():
        try:
            created = subscriptions.create_subscription(
                me(), form.url.data or "", form.events.data or [], form.description.data
            )
        except DomainError as error:
            refused(error)
        else:
            flash("Webhook added. Configure the receiver with the secret below.", "success")
            return redirect(url_for("admin.webhook", subscription_id=created.id))
    else:
        unreadable(form)
    return _render_list(form, UNPROCESSABLE)


def _render_one(
    subscription: WebhookSubscription, form: SubscriptionForm, status: int = 200
) -> tuple[str, int]:
    """One subscription's page: its state, secret, form and delivery log."""
    log = bounds.paginate(
        select(WebhookDelivery)
        .where(WebhookDelivery.subscription_id == subscription.id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc()),
        page_number(),
        LOG_PAGE_SIZE,
    )
    page = render_template(
        "admin/webhook.html",
        subscription=subscription,
        form=form,
        log=log,
        button=ButtonForm(formdata=None),
        topics=TOPICS,
    )
    return page, status


@bp.route("/webhooks/<int:subscription_id>", methods=["GET", "POST"])
@admin_required
def webhook(subscription_id: int) -> Outcome:
    """Show a subscription and its delivery log; a POST changes its URL, events and
    description."""
    found = _subscription_or_404(subscription_id)
    form = SubscriptionForm()
    if not form.is_submitted():
        filled = {"url": found.url, "description": found.description, "events": found.events}
        return _render_one(found, SubscriptionForm(formdata=None, data=filled))
    if form.validate_on_submit():
        try:
            subscriptions.update_subscription(
                me(),
                subscription_id,
                form.url.data or "",
                form.events.data or [],
                form.description.data,
            )
        except DomainError as error:
            refused(error)
        else:
            flash("Webhook saved.", "success")
            return redirect(url_for("admin.webhook", subscription_id=subscription_id))
    else:
        unreadable(form)
    return _render_one(_subscription_or_404(subscription_id), form, UNPROCESSABLE)


def _button(subscription_id: int, act: str) -> Response:
    """Run a one-click action on a subscription and go back to its page."""
    _subscription_or_404(subscription_id)
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            if act == "enable":
                subscriptions.enable_subscription(me(), subscription_id)
                flash("Webhook enabled; new events are sent again.", "success")
            elif act == "rotate":
                subscriptions.rotate_secret(me(), subscription_id)
                flash("New secret made; update the receiver with it.", "success")
            else:
                subscriptions.delete_subscription(me(), subscription_id)
                flash("Webhook deleted.", "success")
                return redirect(url_for("admin.webhooks"))
        except DomainError as error:
            refused(error)
    else:
        unreadable(form)
    return redirect(url_for("admin.webhook", subscription_id=subscription_id))


@bp.post("/webhooks/<int:subscription_id>/enable")
@admin_required
def enable_webhook(subscription_id: int) -> Response:
    """Turn a disabled subscription on again."""
    return _button(subscription_id, "enable")


@bp.post("/webhooks/<int:subscription_id>/secret")
@admin_required
def rotate_webhook_secret(subscription_id: int) -> Response:
    """Give the subscription a new secret."""
    return _button(subscription_id, "rotate")


@bp.post("/webhooks/<int:subscription_id>/delete")
@admin_required
def delete_webhook(subscription_id: int) -> Response:
    """Delete the subscription and its delivery log."""
    return _button(subscription_id, "delete")


@bp.post("/webhooks/<int:subscription_id>/deliveries/<int:delivery_id>/again")
@admin_required
def send_webhook_again(subscription_id: int, delivery_id: int) -> Response:
    """Queue a delivery that did not get through for the worker's next pass."""
    _subscription_or_404(subscription_id)
    form = ButtonForm()
    if form.validate_on_submit():
        try:
            subscriptions.send_again(me(), subscription_id, delivery_id)
        except DomainError as error:
            refused(error)
        else:
            flash("The delivery is queued; the worker sends it on its next pass.", "success")
    else:
        unreadable(form)
    return redirect(url_for("admin.webhook", subscription_id=subscription_id))
