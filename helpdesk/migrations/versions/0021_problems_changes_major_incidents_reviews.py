"""problems, changes, major incidents and post-incident reviews; incidents link to their
problem, the change that caused them and their major incident (replacing the free-text
problem and change references nothing ever wrote)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-13 10:00:00

"""

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


@contextmanager
def incidents_altered() -> Iterator[BatchOperations]:
    """Alter incidents (SQLite rebuilds the table; see 0014 for the warning)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        with op.batch_alter_table("incidents", schema=None) as batch_op:
            yield batch_op


def upgrade():
    op.create_table(
        "changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=True),
        sa.Column("external_id", sa.String(length=100), nullable=True),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("planned_start", sa.DateTime(), nullable=True),
        sa.Column("planned_end", sa.DateTime(), nullable=True),
        sa.Column("actual_start", sa.DateTime(), nullable=True),
        sa.Column("actual_end", sa.DateTime(), nullable=True),
        sa.Column("implementer_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_changes_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["implementer_id"], ["users.id"], name=op.f("fk_changes_implementer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_changes")),
        sa.UniqueConstraint("external_id", name=op.f("uq_changes_external_id")),
        sa.UniqueConstraint("reference", name=op.f("uq_changes_reference")),
    )
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.create_index("ix_changes_created", ["created_at", "id"], unique=False)

    op.create_table(
        "change_services",
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["change_id"],
            ["changes.id"],
            name=op.f("fk_change_services_change_id_changes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_change_services_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("change_id", "service_id", name=op.f("pk_change_services")),
    )
    with op.batch_alter_table("change_services", schema=None) as batch_op:
        batch_op.create_index(
            "ix_change_services_service_change", ["service_id", "change_id"], unique=False
        )

    op.create_table(
        "problems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=True),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("owner_team_id", sa.Integer(), nullable=True),
        sa.Column("owner_agent_id", sa.Integer(), nullable=True),
        sa.Column("root_cause", sa.Text(), nullable=True),
        sa.Column("workaround", sa.Text(), nullable=True),
        sa.Column("fix", sa.Text(), nullable=True),
        sa.Column("change_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["change_id"],
            ["changes.id"],
            name=op.f("fk_problems_change_id_changes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_problems_created_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["owner_agent_id"], ["users.id"], name=op.f("fk_problems_owner_agent_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["owner_team_id"], ["teams.id"], name=op.f("fk_problems_owner_team_id_teams")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_problems")),
        sa.UniqueConstraint("reference", name=op.f("uq_problems_reference")),
    )
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.create_index(
            "ix_problems_status_updated", ["status", "updated_at", "id"], unique=False
        )

    op.create_table(
        "problem_services",
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["problem_id"],
            ["problems.id"],
            name=op.f("fk_problem_services_problem_id_problems"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_problem_services_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("problem_id", "service_id", name=op.f("pk_problem_services")),
    )
    with op.batch_alter_table("problem_services", schema=None) as batch_op:
        batch_op.create_index(
            "ix_problem_services_service_problem", ["service_id", "problem_id"], unique=False
        )

    op.create_table(
        "major_incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("public_title", sa.String(length=255), nullable=False),
        sa.Column("public_summary", sa.Text(), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("declared_by_id", sa.Integer(), nullable=True),
        sa.Column("declared_at", sa.DateTime(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["declared_by_id"], ["users.id"], name=op.f("fk_major_incidents_declared_by_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_major_incidents_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_major_incidents")),
        sa.UniqueConstraint("incident_id", name=op.f("uq_major_incidents_incident_id")),
    )
    with op.batch_alter_table("major_incidents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_major_incidents_resolved_declared", ["resolved_at", "declared_at"], unique=False
        )

    op.create_table(
        "post_incident_reviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("facilitator_id", sa.Integer(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("root_cause", sa.Text(), nullable=False),
        sa.Column("went_well", sa.Text(), nullable=False),
        sa.Column("to_improve", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["facilitator_id"],
            ["users.id"],
            name=op.f("fk_post_incident_reviews_facilitator_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_post_incident_reviews_incident_id_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_post_incident_reviews")),
        sa.UniqueConstraint("incident_id", name=op.f("uq_post_incident_reviews_incident_id")),
    )
    with op.batch_alter_table("post_incident_reviews", schema=None) as batch_op:
        batch_op.create_index(
            "ix_post_incident_reviews_status", ["status", "created_at", "id"], unique=False
        )

    op.create_table(
        "major_incident_services",
        sa.Column("major_incident_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["major_incident_id"],
            ["major_incidents.id"],
            name=op.f("fk_major_incident_services_major_incident_id_major_incidents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["service_id"],
            ["services.id"],
            name=op.f("fk_major_incident_services_service_id_services"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "major_incident_id", "service_id", name=op.f("pk_major_incident_services")
        ),
    )
    with op.batch_alter_table("major_incident_services", schema=None) as batch_op:
        batch_op.create_index(
            "ix_major_incident_services_service", ["service_id", "major_incident_id"], unique=False
        )

    op.create_table(
        "major_incident_subscriptions",
        sa.Column("major_incident_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("via", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["major_incident_id"],
            ["major_incidents.id"],
            name=op.f("fk_major_incident_subscriptions_major_incident_id_major_incidents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_major_incident_subscriptions_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "major_incident_id", "user_id", name=op.f("pk_major_incident_subscriptions")
        ),
    )
    with op.batch_alter_table("major_incident_subscriptions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_major_incident_subscriptions_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "public_updates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("major_incident_id", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_public_updates_author_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["major_incident_id"],
            ["major_incidents.id"],
            name=op.f("fk_public_updates_major_incident_id_major_incidents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_public_updates")),
    )
    with op.batch_alter_table("public_updates", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_public_updates_major_incident_id"), ["major_incident_id"], unique=False
        )

    op.create_table(
        "review_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reminded_on", sa.Date(), nullable=True),
        sa.Column("problem_id", sa.Integer(), nullable=True),
        sa.Column("change_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("done_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["change_id"],
            ["changes.id"],
            name=op.f("fk_review_actions_change_id_changes"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_review_actions_owner_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["problem_id"],
            ["problems.id"],
            name=op.f("fk_review_actions_problem_id_problems"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["review_id"],
            ["post_incident_reviews.id"],
            name=op.f("fk_review_actions_review_id_post_incident_reviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_actions")),
    )
    with op.batch_alter_table("review_actions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_review_actions_review_id"), ["review_id"], unique=False
        )
        batch_op.create_index("ix_review_actions_status_due", ["status", "due_on"], unique=False)

    with incidents_altered() as batch_op:
        batch_op.add_column(sa.Column("problem_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("caused_by_change_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("parent_id", sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_incidents_caused_by_change_id"), ["caused_by_change_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_incidents_parent_id"), ["parent_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_incidents_problem_id"), ["problem_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_incidents_problem_id_problems"),
            "problems",
            ["problem_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_incidents_parent_id_incidents"), "incidents", ["parent_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_incidents_caused_by_change_id_changes"),
            "changes",
            ["caused_by_change_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.drop_column("change_reference")
        batch_op.drop_column("problem_reference")


def downgrade():
    with incidents_altered() as batch_op:
        batch_op.add_column(sa.Column("problem_reference", sa.VARCHAR(length=64), nullable=True))
        batch_op.add_column(sa.Column("change_reference", sa.VARCHAR(length=64), nullable=True))
        batch_op.drop_constraint(
            batch_op.f("fk_incidents_caused_by_change_id_changes"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_incidents_parent_id_incidents"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_incidents_problem_id_problems"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_incidents_problem_id"))
        batch_op.drop_index(batch_op.f("ix_incidents_parent_id"))
        batch_op.drop_index(batch_op.f("ix_incidents_caused_by_change_id"))
        batch_op.drop_column("parent_id")
        batch_op.drop_column("caused_by_change_id")
        batch_op.drop_column("problem_id")

    with op.batch_alter_table("review_actions", schema=None) as batch_op:
        batch_op.drop_index("ix_review_actions_status_due")
        batch_op.drop_index(batch_op.f("ix_review_actions_review_id"))

    op.drop_table("review_actions")
    with op.batch_alter_table("public_updates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_public_updates_major_incident_id"))

    op.drop_table("public_updates")
    with op.batch_alter_table("major_incident_subscriptions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_major_incident_subscriptions_user_id"))

    op.drop_table("major_incident_subscriptions")
    with op.batch_alter_table("major_incident_services", schema=None) as batch_op:
        batch_op.drop_index("ix_major_incident_services_service")

    op.drop_table("major_incident_services")
    with op.batch_alter_table("post_incident_reviews", schema=None) as batch_op:
        batch_op.drop_index("ix_post_incident_reviews_status")

    op.drop_table("post_incident_reviews")
    with op.batch_alter_table("major_incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_major_incidents_resolved_declared")

    op.drop_table("major_incidents")
    with op.batch_alter_table("problem_services", schema=None) as batch_op:
        batch_op.drop_index("ix_problem_services_service_problem")

    op.drop_table("problem_services")
    with op.batch_alter_table("problems", schema=None) as batch_op:
        batch_op.drop_index("ix_problems_status_updated")

    op.drop_table("problems")
    with op.batch_alter_table("change_services", schema=None) as batch_op:
        batch_op.drop_index("ix_change_services_service_change")

    op.drop_table("change_services")
    with op.batch_alter_table("changes", schema=None) as batch_op:
        batch_op.drop_index("ix_changes_created")

    op.drop_table("changes")
