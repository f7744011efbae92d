"""The hands-off parts of the `qa` command: `qa watch --once`, `--today` / QA_TODAY, and `qa config`."""

from __future__ import annotations

import click

from .cli_group import Context, QaCommand
from .config import Config, describe, load_config, parse_today
from .settle import DEFAULT_WINDOW, HoldUnsettled
from .spec import Catalogue
from .store import Store
from .workspace import Workspace


def config_with_today(workspace: Workspace, today: str | None) -> Config:
    """The workspace's qa.yaml, with --today over QA_TODAY (WorkspaceError saying the line and fix)."""
    config = load_config(workspace.root)
    return config.with_today(parse_today(today, "--today"), "--today") if today else config


def watch_once(workspace: Workspace, catalogue: Catalogue, schedule) -> None:
    """`qa watch --once`: ingest what is in the inbox, then one pass of the schedule with nothing delayed."""
    from .ingest import ingest_inbox
    from .receipts import Receipts

    unsettled = HoldUnsettled(DEFAULT_WINDOW)
    with Store(workspace.store_path) as store:
        outcomes = ingest_inbox(workspace, catalogue, store, select=unsettled)
        receipts = Receipts.for_workspace(workspace, catalogue)  # receipts.py: off unless qa.yaml says receipts: yes
        for outcome in outcomes if receipts else ():
            receipts(store, outcome)
        if outcomes:
            schedule.ingested()
        schedule.run(store, now_everything=True)
    click.echo(f"One pass done for {schedule.config.today():%d/%m/%Y}: {len(outcomes)} file(s) ingested, "
               f"{len(schedule.issued)} form(s) issued. What was done is in {workspace.log_path}")


@click.command("config", cls=QaCommand)
@click.option("--today", metavar="YYYY-MM-DD", help="Show the settings as `qa watch --today` would use them.")
@click.pass_obj
def config_command(obj: Context, today: str | None) -> None:
    """Print the settings in effect (from qa.yaml, QA_TODAY or the defaults) and where each came from.

    \b
    Example:
        qa config
    """
    for line in describe(config_with_today(obj.workspace, today)):
        click.echo(line)
