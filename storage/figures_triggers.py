"""The triggers that invalidate `unit_figures` rows: any change that counts bumps `version`.

Triggers, not calls in the code, so that no write path (the chat, the CLI, an import, a
migration, a manual fix in psql) can leave a stale figure behind. Used by migration 0011 and,
for databases made from the models (the tests), by the metadata's after_create event.
"""

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

_PLEDGE_OF = "(SELECT {column} FROM pledges WHERE id = {{row}}.pledge_id)"
_REPORT_OF = (
    "(SELECT p.{column} FROM pledges p JOIN progress_reports r ON r.pledge_id = p.id"
    " WHERE r.id = {{row}}.report_id)"
)


def _by(source: str) -> str:
    return (
        f"campaign_id = {source.format(column='campaign_id')}"
        f" AND unit_id = {source.format(column='unit_id')}"
    )


# table -> (the unit_figures rows a changed row touches, the updated columns that count or None)
WATCHED: dict[str, tuple[str, str | None]] = {
    "members": ("unit_id = {row}.unit_id", "unit_id, status"),
    "pledges": (
        "campaign_id = {row}.campaign_id AND unit_id = {row}.unit_id",
        "campaign_id, unit_id, kind, status, title_item_id",
    ),
    "pledge_targets": (_by(_PLEDGE_OF), None),
    "progress_reports": (_by(_PLEDGE_OF), None),
    "progress_values": (_by(_REPORT_OF), None),
}


def _bump(table: str, row: str) -> str:
    where = WATCHED[table][0].format(row=row)
    return f"UPDATE unit_figures SET version = version + 1 WHERE {where};"


def create_statements(dialect: str) -> list[str]:
    statements: list[str] = []
    for table, (_, columns) in WATCHED.items():
        update = f"UPDATE OF {columns}" if columns else "UPDATE"
        if dialect == "postgresql":
            statements.append(
                f"CREATE FUNCTION unit_figures_bump_{table}() RETURNS trigger AS $$ BEGIN "
                f"IF TG_OP <> 'INSERT' THEN {_bump(table, 'OLD')} END IF; "
                f"IF TG_OP <> 'DELETE' THEN {_bump(table, 'NEW')} END IF; "
                "RETURN NULL; END $$ LANGUAGE plpgsql"
            )
            statements.append(
                f"CREATE TRIGGER unit_figures_bump AFTER INSERT OR DELETE OR {update} ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION unit_figures_bump_{table}()"
            )
            continue
        for event_name, body in (
            ("INSERT", _bump(table, "NEW")),
            ("DELETE", _bump(table, "OLD")),
            (update, _bump(table, "OLD") + " " + _bump(table, "NEW")),
        ):
            name = f"unit_figures_bump_{table}_{event_name.split()[0].lower()}"
            statements.append(
                f"CREATE TRIGGER {name} AFTER {event_name} ON {table} BEGIN {body} END"
            )
    return statements


def drop_statements(dialect: str) -> list[str]:
    statements: list[str] = []
    for table in WATCHED:
        if dialect == "postgresql":
            statements.append(f"DROP TRIGGER IF EXISTS unit_figures_bump ON {table}")
            statements.append(f"DROP FUNCTION IF EXISTS unit_figures_bump_{table}()")
        else:
            for kind in ("insert", "delete", "update"):
                statements.append(f"DROP TRIGGER IF EXISTS unit_figures_bump_{table}_{kind}")
    return statements


def _after_create(target: object, connection: Connection, **_: object) -> None:
    """`create_all` (the tests) gets the same triggers as a migrated database."""
    if "unit_figures" not in SQLModel.metadata.tables:
        return
    for statement in create_statements(connection.dialect.name):
        connection.exec_driver_sql(statement)


event.listen(SQLModel.metadata, "after_create", _after_create)
