"""The `thidua` command: run the bot, migrate, import the roster, make invites, grant roles."""

from pathlib import Path

import click

from bot import (
    cli_admin,
    cli_campaign,
    cli_org,
    cli_privacy,
    cli_report,
    cli_scoring,
    cli_titles,
    db_backup,
)
from bot.cli_support import Env, one_line_errors, run_async
from storage import migrate
from storage.database import Database


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def main(ctx: click.Context) -> None:
    """Thi đua bot: emulation campaigns on Telegram (configuration: see README)."""
    ctx.ensure_object(Env)


@main.command()
@click.option("--webhook-url", help="Public HTTPS URL Telegram posts updates to (webhook mode).")
@click.option("--listen", default="127.0.0.1", show_default=True, help="Webhook listen address.")
@click.option("--port", default=8443, show_default=True, type=int, help="Webhook listen port.")
@click.option(
    "--secret-token",
    envvar="TELEGRAM_WEBHOOK_SECRET",
    help="Secret Telegram must send in X-Telegram-Bot-Api-Secret-Token (webhook mode).",
)
@click.pass_obj
@one_line_errors
def run(
    env: Env, webhook_url: str | None, listen: str, port: int, secret_token: str | None
) -> None:
    """Migrate the database, then receive updates (long polling, or a webhook)."""
    from bot.runner import run_bot

    run_bot(env, webhook_url=webhook_url, listen=listen, port=port, secret_token=secret_token)


@main.group()
def db() -> None:
    """Database schema migrations, backup and restore."""


@db.command()
@click.argument("revision", default="head")
@click.pass_obj
@one_line_errors
def upgrade(env: Env, revision: str) -> None:
    """Upgrade the schema (to the latest revision by default)."""
    run_async(_migrate(env, "upgrade", revision))
    click.echo(env.t("Database is at revision {revision}.", revision=_revision_now(env)))


@db.command()
@click.argument("revision", default="-1")
@click.pass_obj
@one_line_errors
def downgrade(env: Env, revision: str) -> None:
    """Downgrade the schema (one revision by default; `base` removes every table)."""
    run_async(_migrate(env, "downgrade", revision))
    click.echo(env.t("Database is at revision {revision}.", revision=_revision_now(env)))


@db.command()
@click.pass_obj
@one_line_errors
def current(env: Env) -> None:
    """Show the schema revision of the database."""
    click.echo(env.t("Database is at revision {revision}.", revision=_revision_now(env)))


@db.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.pass_obj
@one_line_errors
def backup(env: Env, file: Path) -> None:
    """Copy the database to FILE, safe while the bot runs (PostgreSQL: with pg_dump)."""
    result = db_backup.backup(env.settings.database_url, file)
    size = env.t.number(round(result.size / 1024, 1))
    click.echo(
        env.t(
            "Backed up the database to {path} ({size} KB, revision {revision}).",
            path=str(result.path),
            size=size,
            revision=result.revision,
        )
    )


@db.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Restore even though a running bot uses the database.")
@click.pass_obj
@one_line_errors
def restore(env: Env, file: Path, force: bool) -> None:
    """Replace the database with the backup FILE, then upgrade it to the latest revision."""
    result = db_backup.restore(env.settings.database_url, file, force=force)
    run_async(_migrate(env, "upgrade", "head"))
    click.echo(
        env.t(
            "Restored {path} (revision {revision}). Database is at revision {now}.",
            path=str(result.path),
            revision=result.revision,
            now=_revision_now(env),
        )
    )


async def _migrate(env: Env, action: str, revision: str) -> None:
    database = Database(env.settings.database_url)
    try:
        if action == "upgrade":
            await migrate.upgrade(database, revision)
        else:
            await migrate.downgrade(database, revision)
    finally:
        await database.dispose()


def _revision_now(env: Env) -> str:
    async def read() -> str | None:
        database = Database(env.settings.database_url)
        try:
            return await migrate.current_revision(database)
        finally:
            await database.dispose()

    return run_async(read()) or env.t("(empty)")


main.add_command(cli_org.org)
main.add_command(cli_org.invite)
main.add_command(cli_admin.admin)
main.add_command(cli_campaign.campaign)
main.add_command(cli_campaign.announce_command)
main.add_command(cli_titles.titles)
main.add_command(cli_scoring.scoring)
main.add_command(cli_report.report)
main.add_command(cli_privacy.member)
