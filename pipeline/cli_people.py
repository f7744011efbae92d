"""The people side of the `qa` command: `qa sample` (choosing children), `qa issue` (also from a sample), `qa remind`."""

from __future__ import annotations

from pathlib import Path

import click

from .cli_group import Context, QaCommand
from .errors import message
from .quarter import Quarter


def _quarter(ctx: click.Context, param: click.Parameter, value: str | None) -> Quarter | None:
    """--quarter as a Quarter; a usage error (exit 2) saying how to write it."""
    if value is None:
        return None
    try:
        return Quarter.from_label(value)
    except ValueError as err:
        raise click.BadParameter(message("bad_quarter_option", error=err), param_hint="--quarter") from None


def _assignee(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--assignee with its spacing tidied; a usage error (exit 2) when it is empty."""
    if value is None:
        return None
    name = " ".join(value.split())
    if not name:
        raise click.BadParameter(message("empty_assignee"), param_hint="--assignee")
    return name


@click.command("issue", cls=QaCommand)
@click.argument("form", required=False)
@click.option("--quarter", "period", callback=_quarter, help="Quarter, e.g. 2022-23-Q3.")
@click.option("--assignee", callback=_assignee, help="Who must complete it, as named on the staff roster.")
@click.option("--theme", help="Theme (variant id or theme text) for dip samples and thematic audits.")
@click.option("--child-id", help="The child's ID, for forms about one child.")
@click.option("--from-sample", "sample", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Issue the forms a sample workbook from `qa sample` lists: a CCR per child to its lead reviewer, "
                   "a dip sample per auditor with their children listed. --assignee fills in rows with no one chosen.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Folder (default: outbox/issued/QUARTER).")
@click.pass_obj
def issue(obj: Context, form: str | None, period: Quarter | None, assignee: str | None, theme: str | None,
          child_id: str | None, sample: Path | None, out_dir: Path | None) -> None:
    """Write a pre-filled copy of a form with a unique issue id, and print its path.

    The assignee must be on the staff roster (admin/roster.xlsx). With --from-sample, one form is
    written for each child of the sample (or each auditor of a dip sample), into
    outbox/issued/QUARTER/<person>/.

    \b
    Example:
        qa issue ccr --quarter 2022-23-Q3 --assignee "Sarah Lowe" --child-id C1234
        qa issue --from-sample outbox/samples/2022-23-Q3/ccr-sample-2022-23-Q3.xlsx
    """
    from .issue import issue_form, issue_from_sample

    if sample is not None:
        if child_id:
            raise click.UsageError(message("from_sample_options"))
        from .cli_handsoff import config_with_today

        with obj.store() as store:
            paths = issue_from_sample(obj.catalogue, store, obj.workspace, sample, config_with_today(obj.workspace, None),
                                      form=form, quarter=period.label if period else None, assignee=assignee,
                                      theme=theme, out_dir=out_dir)
        for path in paths:
            click.echo(str(path))
        click.echo(f"Issued {len(paths)} form(s) from {sample.name}.")
        return
    missing = [what for what, value in (("FORM", form), ("--quarter", period), ("--assignee", assignee)) if not value]
    if missing:
        raise click.UsageError(message("issue_needs", what=", ".join(missing)))
    with obj.store() as store:
        path = issue_form(obj.catalogue, store, form, period.label, assignee,
                          out_dir or obj.workspace.outbox / "issued" / period.label, theme, child_id,
                          roster=obj.workspace.roster_path)
    click.echo(str(path))


@click.command("sample", cls=QaCommand)
@click.argument("form", type=click.Choice(["ccr", "dip_sample"]))
@click.option("--quarter", "period", required=True, callback=_quarter, help="Quarter, e.g. 2022-23-Q3.")
@click.option("--extract", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The caseload extract (.csv or .xlsx). Default: admin/caseload.xlsx or admin/caseload.csv.")
@click.option("--size", type=int, help="How many children (a CCR sample), or how many per auditing manager (a dip "
                                        "sample). Default: the minimum in admin/targets.yaml (20; 10 each).")
@click.option("--seed", type=click.IntRange(min=0), help="Draw with this seed to repeat an earlier sample (the sample's "
                                                         "Read me sheet says its seed). Default: a new one.")
@click.option("--reviewer", callback=_assignee, help="Fill in the Lead reviewer of every child of a CCR sample.")
@click.option("--today", metavar="YYYY-MM-DD", help="The date the sample is drawn on (default: QA_TODAY, else today).")
@click.pass_obj
def sample(obj: Context, form: str, period: Quarter, extract: Path | None, size: int | None, seed: int | None,
           reviewer: str | None, today: str | None) -> None:
    """Draw the children for a quarter's CCRs or dip samples from the caseload extract.

    A CCR sample spreads across levels of need and teams, leaves out children reviewed or
    dip-sampled in the last 12 months, and includes children last graded Requires improvement or
    Inadequate but bordering Good. A dip sample gives each auditing manager children from their own
    teams. Writes outbox/samples/QUARTER/<form>-sample-QUARTER.xlsx to check and edit, with the
    sampling frame beside it; then run qa issue --from-sample on it.

    \b
    Example:
        qa sample ccr --quarter 2022-23-Q3 --extract caseload.csv --seed 42
    """
    from .cli_handsoff import config_with_today
    from .sample_frame import take_sample

    config = config_with_today(obj.workspace, today)
    with obj.store() as store:
        files = take_sample(obj.workspace, obj.catalogue, store, config, form, period, extract=extract, size=size,
                            seed=seed, reviewer=reviewer)
    for problem in files.caseload.problems:
        click.echo(f"Note: {problem}", err=True)
    drawn = files.drawn
    frame_counts = f"{len(drawn.exclusions)} left out as reviewed or sampled in the last " \
                   f"{config.sample_exclude_months} months, {len(files.caseload.problems)} rows unusable"
    click.echo(f"Sample of {len(drawn.picks)} children for {period.label} (seed {files.seed}) from "
               f"{len(files.caseload.children)} in {files.caseload.path.name}: {frame_counts}.")
    for note in drawn.notes:
        click.echo(f"Note: {note}")
    click.echo(f"Sample to check and edit: {files.workbook}")
    click.echo(f"How it was drawn: {files.frame}")
    click.echo(f"Then: qa issue --from-sample \"{files.workbook}\"")


@click.command("remind", cls=QaCommand)
@click.option("--quarter", "period", required=True, callback=_quarter, help="Quarter, e.g. 2022-23-Q3.")
@click.option("--no-send", is_flag=True, help="Write the .eml files only, even when qa.yaml names a mail server.")
@click.option("--today", metavar="YYYY-MM-DD", help="The date the reminders are as of (default: QA_TODAY, else today).")
@click.pass_obj
def remind(obj: Context, period: Quarter, no_send: bool, today: str | None) -> None:
    """Write a reminder email for each person who owes returns for the quarter, and send them if set up.

    Each reminder lists what the person owes and by when, with the forms issued to them attached;
    people overdue by more than remind_escalate_days are also listed to their line manager. Written
    as .eml files (Outlook opens them ready to send) in outbox/mail/reminders/QUARTER/DATE/; with
    smtp_host in qa.yaml they are also sent, each at most once a day.

    \b
    Example:
        qa remind --quarter 2022-23-Q3
    """
    from .cli_handsoff import config_with_today
    from .remind import remind as write_reminders

    config = config_with_today(obj.workspace, today)
    with obj.store() as store:
        result = write_reminders(obj.workspace, obj.catalogue, store, period, config, send=not no_send)
    day = f"{config.today():%d/%m/%Y}"
    if not result.reminders:
        click.echo(message("remind_no_one", quarter=period.label, day=day))
        return
    click.echo(f"Reminders for {period.label} as of {day}: {len(result.paths)} written to {result.folder}")
    for item in result.reminders:
        parts = []
        if item.owed:
            late = sum(1 for line in item.owed if line.due < config.today())
            parts.append(f"{sum(line.outstanding for line in item.owed)} to do" + (f" ({late} late)" if late else ""))
        if item.forms:
            parts.append(f"{len(item.forms)} form(s) attached")
        if item.team:
            parts.append(f"{len({who for who, _, _ in item.team})} overdue in their team")
        click.echo(f"  {item.person} <{item.address or 'no address'}>: {', '.join(parts)}")
    for note in result.notes:
        click.echo(f"Note: {note}", err=True)
    if result.sent is not None:
        counts = {status: sum(1 for s in result.sent if s.status == status) for status in ("sent", "already", "no address")}
        click.echo(f"Sent {counts['sent']} through {result.server}; {counts['already']} already sent today (not sent "
                   f"again); {counts['no address']} without an address.")
