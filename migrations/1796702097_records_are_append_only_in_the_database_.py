"""records are append-only in the database; completions keep who the person was

Completions and submitted quiz attempts are records of training: the database itself now refuses to
change or delete them (triggers on SQLite and PostgreSQL), apart from giving a completion recorded
before certificates existed its certificate code, once.

Each completion also keeps the person's org unit and audiences at the time it was recorded, for the
audit evidence pack and the completions-per-month chart. Completions recorded before this revision
are filled in with the person's unit and audiences at upgrade time, the best that is known.

Revision ID: 1796702097
Revises: 1796701678
Create Date: 2026-12-08 04:15:00

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '1796702097'
down_revision: Union[str, Sequence[str], None] = '1796701678'
branch_labels: Union[str, Sequence[str], None] = ()
depends_on: Union[str, Sequence[str], None] = None

COMPLETION_COLUMNS = (
    "id", "person_id", "module_id", "revision_id", "assignment_id", "attempt_id", "completed_at", "percent",
    "pass_mark", "version", "major", "sha256", "org_unit_id", "audiences",
)
ATTEMPT_COLUMNS = (
    "id", "person_id", "module_id", "revision_id", "assignment_id", "started_at", "submitted_at", "questions",
    "answers", "points", "max_points", "percent", "pass_mark", "passed", "void_reason",
)


def upgrade() -> None:
    with op.batch_alter_table("completions") as batch:
        batch.add_column(sa.Column("org_unit_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("audiences", sa.String(length=1000), nullable=False, server_default=""))
        batch.create_foreign_key(op.f("fk_completions_org_unit_id_org_units"), "org_units", ["org_unit_id"], ["id"])
    with op.batch_alter_table("completions") as batch:
        batch.alter_column("audiences", server_default=None)
    op.execute("UPDATE completions SET org_unit_id = (SELECT org_unit_id FROM people WHERE people.id = completions.person_id)")
    aggregate = "string_agg(a.slug, ' ' ORDER BY a.slug)" if op.get_bind().dialect.name == "postgresql" else "group_concat(a.slug, ' ')"
    op.execute(
        "UPDATE completions SET audiences = COALESCE((SELECT " + aggregate + " FROM person_audiences pa "
        "JOIN audiences a ON a.id = pa.audience_id WHERE pa.person_id = completions.person_id), '')"
    )
    if op.get_bind().dialect.name == "postgresql":
        _postgresql_triggers()
    else:
        _sqlite_triggers()


def _sqlite_triggers() -> None:
    refuse = "SELECT RAISE(ABORT, '{what}');"
    op.execute(
        "CREATE TRIGGER completions_append_only_delete BEFORE DELETE ON completions BEGIN "
        + refuse.format(what="completions are records of training and are never deleted") + " END"
    )
    # Any column but the certificate code; the code only from none to one.
    op.execute(
        "CREATE TRIGGER completions_append_only_update BEFORE UPDATE OF " + ", ".join(COMPLETION_COLUMNS) + " ON completions BEGIN "
        + refuse.format(what="completions are records of training and are never changed") + " END"
    )
    op.execute(
        "CREATE TRIGGER completions_certificate_code_once BEFORE UPDATE OF certificate_code ON completions "
        "WHEN OLD.certificate_code IS NOT NULL BEGIN "
        + refuse.format(what="a certificate code, once given, never changes") + " END"
    )
    op.execute(
        "CREATE TRIGGER quiz_attempts_append_only_delete BEFORE DELETE ON quiz_attempts BEGIN "
        + refuse.format(what="quiz attempts are records of training and are never deleted") + " END"
    )
    op.execute(
        "CREATE TRIGGER quiz_attempts_submitted_are_final BEFORE UPDATE ON quiz_attempts WHEN OLD.submitted_at IS NOT NULL BEGIN "
        + refuse.format(what="a submitted quiz attempt never changes") + " END"
    )


def _postgresql_triggers() -> None:
    op.execute(
        """
        CREATE FUNCTION conduit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'conduit: % rows are records of training: %', TG_TABLE_NAME, TG_ARGV[0]
                USING ERRCODE = 'integrity_constraint_violation';
        END $$
        """
    )
    op.execute(
        "CREATE TRIGGER completions_append_only_delete BEFORE DELETE ON completions FOR EACH ROW "
        "EXECUTE FUNCTION conduit_refuse_change('never deleted')"
    )
    op.execute(
        "CREATE TRIGGER completions_append_only_update BEFORE UPDATE ON completions FOR EACH ROW "
        "WHEN (OLD.certificate_code IS NOT NULL OR (to_jsonb(OLD) - 'certificate_code') IS DISTINCT FROM (to_jsonb(NEW) - 'certificate_code')) "
        "EXECUTE FUNCTION conduit_refuse_change('never changed, but for a certificate code given once')"
    )
    op.execute(
        "CREATE TRIGGER quiz_attempts_append_only_delete BEFORE DELETE ON quiz_attempts FOR EACH ROW "
        "EXECUTE FUNCTION conduit_refuse_change('never deleted')"
    )
    op.execute(
        "CREATE TRIGGER quiz_attempts_submitted_are_final BEFORE UPDATE ON quiz_attempts FOR EACH ROW "
        "WHEN (OLD.submitted_at IS NOT NULL) EXECUTE FUNCTION conduit_refuse_change('a submitted attempt never changes')"
    )


def downgrade() -> None:
    for table, name in (
        ("completions", "completions_append_only_delete"),
        ("completions", "completions_append_only_update"),
        ("completions", "completions_certificate_code_once"),
        ("quiz_attempts", "quiz_attempts_append_only_delete"),
        ("quiz_attempts", "quiz_attempts_submitted_are_final"),
    ):
        if op.get_bind().dialect.name == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS conduit_refuse_change()")
    with op.batch_alter_table("completions") as batch:
        batch.drop_constraint(op.f("fk_completions_org_unit_id_org_units"), type_="foreignkey")
        batch.drop_column("audiences")
        batch.drop_column("org_unit_id")
