"""`qa region report`: a pseudonymised comparison of the councils sharing one PostgreSQL database."""

from __future__ import annotations

import json

import click

from .cli_group import Context, QaCommand, _workspace_after
from .errors import message
from .quarter import Quarter
from .store import Store


def _quarter(ctx: click.Context, param: click.Parameter, value: str) -> Quarter:
    try:
        return Quarter.from_label(value)
    except ValueError as err:
        raise click.BadParameter(message("bad_quarter_option", error=err), param_hint="--quarter") from None


@click.group("region")
@click.option("--workspace", "workspace_after", type=click.Path(file_okay=False), expose_value=False,
              callback=_workspace_after, help="Workspace folder (also accepted before the command name, or as QA_WORKSPACE).")
def region_group() -> None:
    """Compare the councils that share one PostgreSQL database and opted in (region_opt_in: yes in qa.yaml).

    \b
    Example:
        qa region report --quarter 2022-23-Q3
    """


@region_group.command("report", cls=QaCommand)
@click.option("--quarter", "period", required=True, callback=_quarter, help="Quarter, e.g. 2022-23-Q3.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for tools.")
@click.pass_obj
def report_command(obj: Context, period: Quarter, as_json: bool) -> None:
    """Share this council's activity for the quarter, then compare every opted-in council: activity against
    the minimums, CCR grades and moderation agreement, printed and written to
    outbox/<quarter>/Region-comparison-<quarter>.docx. Councils appear by code unless each allows its name;
    no child ID, name or file name is shown.

    \b
    Example:
        qa region report --quarter 2022-23-Q3
    """
    from . import region

    with Store(obj.workspace.store_path) as store:
        region.share_activity(store, obj.workspace, period, obj.catalogue)
        figures = region.region_figures(store, period, obj.catalogue)
    from .report.region_doc import write_region_document

    document = write_region_document(figures, period, obj.workspace.outbox / period.label)
    if as_json:
        click.echo(json.dumps(region.as_json(figures, period), indent=2))
        return
    for line in region.describe(figures, period):
        click.echo(line)
    click.echo(f"Written: {document.relative_to(obj.workspace.root).as_posix()}")
