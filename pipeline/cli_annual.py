"""`qa report --year 2022-23`: the Principal Social Worker's annual report, an option added to `qa report`.

The option is added to the existing command here (cli.py is full), so `qa report --quarter Q` is unchanged.
"""

from __future__ import annotations

import functools
import json

import click

from .cli_group import Context


def add_year_option(command: click.Command) -> None:
    """Give `qa report` a --year option: with it, the annual report is rendered instead of a quarter's."""
    quarter = next(param for param in command.params if param.name == "period")
    quarter.required = False
    parse = quarter.callback
    quarter.callback = lambda ctx, param, value: None if value is None else parse(ctx, param, value)  # type: ignore[misc]
    quarter.help = "Quarter, e.g. 2022-23-Q3 (or --year for the annual report)."
    command.params.insert(command.params.index(quarter) + 1, click.Option(
        ["--year"], metavar="YYYY-YY", help="Financial year, e.g. 2022-23: the Principal Social Worker's annual report."))
    original = command.callback

    @functools.wraps(original)  # type: ignore[arg-type]
    def callback(year: str | None = None, **options):
        ctx = click.get_current_context()
        if year is not None:
            if options.get("period") is not None:
                raise click.UsageError("Give --quarter for a quarter's DLT report or --year for the annual report, not both.")
            return annual(ctx.obj, year, options.get("out_dir"), options.get("as_json", False))
        if options.get("period") is None:
            raise click.UsageError("Missing option '--quarter' (or '--year' for the annual report).")
        return original(**options)  # type: ignore[misc]

    command.callback = callback
    command.help = (command.help or "") + "\n\n\b\nThe annual report:\n    qa report --year 2022-23"


def annual(obj: Context, year: str, out_dir, as_json: bool) -> None:
    from .config import load_config
    from .report.annual_publish import build_annual_report

    today = load_config(obj.workspace.root).today()  # QA_TODAY rehearses a year as it does a quarter
    with obj.store() as store:
        result = build_annual_report(obj.workspace.ensure(), obj.catalogue, store, year, out_dir, today=today)
    if as_json:
        files = {"report": str(result.report), "previous": str(result.previous) if result.previous else None}
        click.echo(json.dumps({**result.data, "files": files}, indent=2, ensure_ascii=False))
        return
    click.echo(f"PSW annual report for {result.data['year']}: {result.report}")
    click.echo(f"Quarters included: {', '.join(result.data['quarters'])}")
    click.echo(f"Template: {result.template}")
    if result.previous:
        click.echo(f"Previous version kept in: {result.previous}")
    for note in result.notes:
        click.echo(f"Note: {note}")
