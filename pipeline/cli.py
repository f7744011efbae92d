"""The `qa` command: parses options, calls one library function, prints the result."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from . import __version__
from .cli_group import Context, QaGroup
from .cli_annual import add_year_option
from .cli_db import db_group
from .cli_region import region_group
from .cli_handsoff import config_command, config_with_today, watch_once
from .cli_moderation import moderation_lines, moderation_status
from .cli_people import issue, remind, sample
from .cli_output import report_outcomes, status_lines
from .errors import message
from .quarter import Quarter
from .settle import DEFAULT_WINDOW, STILL_WRITING, HoldUnsettled
from .workspace import Workspace

_OUR_HANDLERS: list[logging.Handler] = []


def _parse_quarter(ctx: click.Context, param: click.Parameter, value: str) -> Quarter:
    """--quarter as a Quarter; a usage error (exit 2) saying how to write it."""
    try:
        return Quarter.from_label(value)
    except ValueError as err:
        raise click.BadParameter(message("bad_quarter_option", error=err), param_hint="--quarter") from None


def configure_logging(workspace: Workspace, verbose: bool = False, console: bool = True) -> None:
    """One line per file to the workspace's log file, and to stderr unless *console* is off."""
    logger = logging.getLogger("pipeline")
    for handler in _OUR_HANDLERS:
        logger.removeHandler(handler)
        handler.close()
    _OUR_HANDLERS.clear()
    workspace.log_path.parent.mkdir(parents=True, exist_ok=True)
    formatter = logging.Formatter("%(asctime)s\t%(levelname)s\t%(message)s", "%Y-%m-%d %H:%M:%S")
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setLevel(logging.DEBUG if console else logging.WARNING)
    for handler in (stderr, logging.FileHandler(workspace.log_path, encoding="utf-8")):
        handler.setFormatter(formatter)
        logger.addHandler(handler)
        _OUR_HANDLERS.append(handler)
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    logger.propagate = False


@click.group(cls=QaGroup)
@click.version_option(__version__, prog_name="qa")
@click.option("--workspace", "workspace", envvar="QA_WORKSPACE", type=click.Path(file_okay=False),
              help="Workspace folder (inbox/, outbox/, form_templates/, the store); also accepted after the "
                   "command name. Default: $QA_WORKSPACE, else the current folder. Every command except init "
                   "and demo refuses a folder that is not a workspace.")
@click.pass_context
def cli(ctx: click.Context, workspace: str | None) -> None:
    """Quality-assurance pipeline for children's social care.

    \b
    Example:
        qa --workspace /srv/qa ingest
    """
    source = ctx.get_parameter_source("workspace")
    looked_in = {click.core.ParameterSource.COMMANDLINE: "looked_in_option",
                 click.core.ParameterSource.ENVIRONMENT: "looked_in_env"}.get(source, "looked_in_current")
    ctx.obj = Context(workspace, message(looked_in))


@cli.command()
@click.pass_obj
def init(obj: Context) -> None:
    """Create a workspace: folders, editable form specs, example roster, plan and targets.

    \b
    Example:
        qa --workspace /srv/qa init
    """
    from .admin import write_examples
    from .config import write_example_config

    workspace = obj.folder.ensure()
    workspace.copy_builtin_specs()
    written = write_examples(workspace)
    written += [path for path in [write_example_config(workspace.root)] if path]  # qa.yaml: every setting, commented
    click.echo(f"Workspace ready at {workspace.root}")
    for path in written:
        click.echo(f"  wrote {path.relative_to(workspace.root)}")


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON for tools.")
@click.pass_obj
def forms(obj: Context, as_json: bool) -> None:
    """List the forms and their fields, themed variants included.

    \b
    Example:
        qa forms --json
    """
    listing = [_describe(spec) for spec in obj.catalogue]
    if as_json:
        click.echo(json.dumps(listing, indent=2, ensure_ascii=False))
        return
    for entry in listing:
        theme = f" — theme: {entry['theme']}" if entry["theme"] else ""
        older = "".join(f"; also reads v{number}" for number in entry["reads_versions"][:-1])
        click.echo(f"{entry['key']} (v{entry['version']}, {entry['format']}{older}): {entry['title']}{theme}")
        for item in entry["fields"]:
            where, flag = f"{item['group']}." if item["group"] else "", " *" if item["required"] else ""
            choices = f" [{', '.join(item['choices'])}]" if item["choices"] else ""
            role, new = f" — role: {item['role']}" if item["role"] else "", f" — new in v{item['since']}" if item["since"] > 1 else ""
            click.echo(f"    {where}{item['id']}{flag}: {item['label']} ({item['type']}){choices}{role}{new}")


def _describe(spec) -> dict:
    fields = [_field_entry(item, None) for item in spec.fields()]
    for group in spec.groups():
        fields += [_field_entry(item, group.id) for item in group.fields]
    return {
        "key": spec.key, "form": spec.id, "variant": spec.variant, "theme": spec.theme, "version": spec.version,
        "title": spec.display_title, "format": spec.format, "fields": fields, "reads_versions": list(range(1, spec.version + 1)),
        "groups": [{"id": g.id, "label": g.label, "min_rows": g.min_rows, "max_rows": g.max_rows, "role": g.role}
                   for g in spec.groups()],
    }


def _field_entry(item, group: str | None) -> dict:
    return {
        "id": item.id, "label": item.label, "type": item.type, "required": item.required,
        "choices": list(item.options) if item.type in ("choice", "multi_choice", "grade") else [],
        "group": group, "role": item.role, "since": item.since,
    }


@cli.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Folder to write to (default: outbox/templates).")
@click.argument("form_keys", nargs=-1, metavar="[FORM]...")
@click.pass_obj
def templates(obj: Context, out_dir: Path | None, form_keys: tuple[str, ...]) -> None:
    """Write blank form templates (all forms, or those named).

    \b
    Example:
        qa templates --out templates ccr observation
    """
    from .templates import build_form, file_name
    from .workspace import unique_path

    specs = [obj.catalogue.find(key) for key in form_keys] if form_keys else list(obj.catalogue)
    out_dir = out_dir or obj.workspace.outbox / "templates"
    out_dir.mkdir(parents=True, exist_ok=True)
    for spec in specs:
        path = unique_path(out_dir, file_name(spec, f"v{spec.version}"))
        path.write_bytes(build_form(spec))
        click.echo(str(path))


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print JSON for tools.")
@click.pass_obj
def validate(obj: Context, files: tuple[Path, ...], as_json: bool) -> None:
    """Check completed forms without storing them; exit 1 if any has a problem.

    \b
    Example:
        qa validate inbox/ccr-2022-23-Q3-Jo.docx
    """
    from .ingest import examine

    catalogue = obj.catalogue
    results = []
    for path in files:
        examined = examine(path.name, path.read_bytes(), catalogue)
        results.append({"file": str(path), "valid": examined.valid,
                        "form": examined.spec.key if examined.spec else None, "problems": examined.problems})
    if as_json:
        click.echo(json.dumps(results, indent=2, ensure_ascii=False))
    else:
        for result in results:
            if result["valid"]:
                click.echo(f"{result['file']}: valid ({result['form']})")
            for problem in result["problems"]:
                click.echo(f"{result['file']} · {problem}")
    sys.exit(0 if all(r["valid"] for r in results) else 1)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per file.")
@click.option("--settle", type=click.FloatRange(min=0), default=DEFAULT_WINDOW, show_default=True, metavar="SECONDS",
              help="Leave for the next run any file changed in the last SECONDS, or a .docx/.xlsx that does not "
                   "open whole yet, as qa watch does: it is probably still being copied. 0 takes every file as it is.")
@click.pass_obj
def ingest(obj: Context, as_json: bool, settle: float) -> None:
    """Ingest every file in inbox/ (and its subfolders) once; rejected files get a note.

    Exits 1 if some files could not be handled (a full disk, a permission): each is named with the
    reason, where it is now and what to do; the other files are ingested all the same.

    \b
    Example:
        qa ingest --json
    """
    from .ingest import Outcome, held_claims, ingest_inbox

    workspace = obj.workspace.ensure()
    configure_logging(workspace)
    unsettled = HoldUnsettled(settle)
    with obj.store() as store:
        outcomes = ingest_inbox(workspace, obj.catalogue, store, select=unsettled)
    outcomes += [Outcome(path.relative_to(workspace.inbox).as_posix(), "left", None, [STILL_WRITING]) for path in unsettled.held]
    report_outcomes(workspace, outcomes, held_claims(workspace), as_json)


@cli.command()
@click.option("--force-host", "force_host", metavar="NAME",
              help="Also take over files claimed by the computer NAME (only once qa no longer runs there).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per file.")
@click.pass_obj
def recover(obj: Context, force_host: str | None, as_json: bool) -> None:
    """Finish files left in inbox/.processing by a qa that stopped (here, or on the computer --force-host names).

    `qa ingest` and `qa watch` finish this computer's own leftovers by themselves; a claim by another
    computer is only reported, since that computer may still be working on it.

    \b
    Example:
        qa recover --force-host OLD-SERVER
    """
    from .ingest import held_claims, recover_claims

    workspace = obj.workspace.ensure()
    configure_logging(workspace)
    with obj.store() as store:
        outcomes = recover_claims(workspace, obj.catalogue, store, force_host=force_host)
    report_outcomes(workspace, outcomes, held_claims(workspace), as_json)


@cli.command()
@click.pass_obj
def check(obj: Context) -> None:
    """Check that every file is whole and where the store says it is; exit 1 if anything is out of place.

    Compares the store with archive/ and rejected/ (each file's bytes against its stored hash), looks
    for rejected files without their note, files no row names, and claims left in inbox/.processing.

    \b
    Example:
        qa check
    """
    from .check import check_workspace

    with obj.store() as store:
        result = check_workspace(obj.workspace, store)
    for problem in result.problems:
        click.echo(problem)
    looked = f"{result.records} stored file(s), {result.files} file(s) in archive/ and rejected/"
    if result.clean:
        click.echo(f"Checked {looked}: everything is in order.")
        return
    click.echo(f"Checked {looked}: {len(result.problems)} problem(s) above.")
    sys.exit(1)


@cli.command()
@click.option("--form", help="Only this form id.")
@click.option("--quarter", help="Only this quarter, e.g. 2022-23-Q3.")
@click.option("--format", "fmt", type=click.Choice(["json", "csv", "xlsx"]), default="json", show_default=True)
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), help="Write to a file instead of stdout (required for xlsx).")
@click.option("--include-sensitive", is_flag=True,
              help="Also export the fields marked sensitive (children's names, free text about them) and file names.")
@click.option("--pseudonymise", is_flag=True,
              help="Replace child IDs with pseudonyms that are the same in every export of this workspace "
                   "(keyed with .secret/pseudonym.key, made the first time), so quarters can be joined without IDs.")
@click.pass_obj
def export(obj: Context, form: str | None, quarter: str | None, fmt: str, out_file: Path | None,
           include_sensitive: bool, pseudonymise: bool) -> None:
    """Export stored submissions for analysis, without sensitive fields or file names unless asked.

    \b
    Example:
        qa export --form ccr --quarter 2022-23-Q3 --format xlsx --out ccr.xlsx --pseudonymise
    """
    from . import export as exporter
    from .pseudonym import Pseudonyms

    if fmt == "xlsx" and out_file is None:
        raise click.UsageError(message("xlsx_needs_out"))
    pseudonyms = Pseudonyms.for_workspace(obj.workspace.root) if pseudonymise else None
    with obj.store() as store:
        submissions = store.submissions(form=form, quarter=quarter)
        everything = [] if include_sensitive else store.submissions(include_replaced=True)
    prepared = exporter.prepare(submissions, obj.catalogue, include_sensitive, pseudonyms, everything)
    if include_sensitive:
        click.echo(exporter.INCLUDE_SENSITIVE_WARNING, err=True)
    if prepared.without_spec:
        click.echo(exporter.UNKNOWN_FORM_NOTE.format(count=prepared.without_spec), err=True)
    if fmt == "xlsx":
        out_file.write_bytes(exporter.to_xlsx(prepared, obj.catalogue))
        click.echo(f"Wrote {len(submissions)} submission(s) to {out_file}")
        return
    text = exporter.to_json(prepared) if fmt == "json" else exporter.to_csv(prepared)
    if out_file:
        out_file.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {len(submissions)} submission(s) to {out_file}")
    else:
        click.echo(text)


@cli.command(cls=click.Command)  # the demo makes its own workspace in DIRECTORY
@click.argument("directory", default="demo-workspace", type=click.Path(file_okay=False, path_type=Path))
@click.option("--no-report", is_flag=True, help="Stop after ingesting; do not render the DLT report.")
def demo(directory: Path, no_report: bool) -> None:
    """Make a workspace with a realistic synthetic quarter, ingest it and render the DLT report.

    \b
    Example:
        qa demo demo-workspace
    """
    from .demo import make_demo

    if directory.exists() and any(directory.iterdir()):
        raise click.ClickException(message("demo_not_empty", folder=directory))
    workspace = Workspace.at(directory).ensure()
    configure_logging(workspace, console=False)  # 200 files: the summary below says it, the log has each
    result = make_demo(directory, render=not no_report)
    counts: dict[str, int] = {}
    for outcome in result.outcomes:
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    click.echo(f"Demo workspace: {result.workspace.root}")
    click.echo("Ingested " + ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) + f" ({len(result.outcomes)} files)")
    click.echo(f"Rejected files and their notes: {result.workspace.rejected}")
    click.echo(f"One line per file: {result.workspace.log_path}")
    drafts = [path for path in result.report_paths if path.parent.name == "drafts"]
    for path in result.report_paths:
        if path not in drafts:
            click.echo(f"{'Action ledger' if path.suffix == '.xlsx' else 'PSW annual report' if 'annual' in path.name else 'DLT report'}: {path}")
    if drafts:
        click.echo(f"Service-area summary drafts ({len(drafts)}): {drafts[0].parent}")
    issued = result.workspace.outbox / "issued" / "2022-23-Q3"
    if issued.is_dir():
        click.echo(f"Forms the watcher issued on the plan's dates, one folder per person: {issued}")
    tracker = result.workspace.outbox / "2022-23-Q3" / "tracker.xlsx"
    if tracker.is_file():
        click.echo(f"Tracker: {tracker}")
    for line in result.notes:
        click.echo(line)


@cli.command()
@click.option("--polling", is_flag=True,
              help="Poll the folder instead of waiting for the system's file events. Use it when inbox/ is a "
                   "network share (SMB/CIFS, NFS) or a synced folder, where those events never arrive.")
@click.option("--interval", type=click.FloatRange(min=0.1), metavar="SECONDS",
              help="Seconds between polls with --polling (default 2).")
@click.option("--once", is_flag=True,
              help="Do one pass of everything (ingest the inbox, issue the forms due, update the tracker and the "
                   "reports) and exit: for a scheduled task instead of a service.")
@click.option("--today", metavar="YYYY-MM-DD",
              help="The date the schedule acts on (default: QA_TODAY, else the computer's date), to rehearse a quarter.")
@click.pass_obj
def watch(obj: Context, polling: bool, interval: float | None, once: bool, today: str | None) -> None:
    """Watch inbox/ and ingest each completed form once, until Ctrl-C or SIGTERM; run the quarter from admin/.

    Files still being copied are left until they are complete; Office lock and temp files are
    ignored. One line per file goes to stderr and to logs/ingest.log. From the QA plan and roster
    in admin/ it also issues forms on the plan's dates, keeps outbox/QUARTER/tracker.xlsx and a
    DRAFT report current, and renders the final report on the report date (see qa.yaml).

    \b
    Example:
        qa --workspace /srv/qa watch --polling --interval 5
        QA_TODAY=2022-10-10 qa watch --once
    """
    from .schedule import Schedule
    from .watch import DEFAULT_POLL_INTERVAL, watch as watch_inbox

    if interval is not None and not polling:
        raise click.UsageError(message("interval_needs_polling"))
    workspace = obj.workspace.ensure()
    configure_logging(workspace)
    schedule = Schedule(workspace, obj.catalogue, config_with_today(workspace, today))
    if once:
        watch_once(workspace, obj.catalogue, schedule)
        return
    watch_inbox(workspace, obj.catalogue, polling=polling, interval=interval or DEFAULT_POLL_INTERVAL, schedule=schedule)


cli.add_command(config_command)
cli.add_command(db_group)
for _command in (issue, sample, remind):  # qa issue, qa sample, qa remind: cli_people.py
    cli.add_command(_command)
cli.add_command(region_group)


@cli.command()
@click.option("--quarter", "period", required=True, callback=_parse_quarter, help="Quarter, e.g. 2022-23-Q3.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for tools.")
@click.option("--files", "with_files", is_flag=True,
              help="Also list the file behind each reference (S-0042 a return, R-0007 a rejected file), for the QA "
                   "admin: file names are as people typed them, so keep this output out of circulation.")
@click.pass_obj
def status(obj: Context, period: Quarter, as_json: bool, with_files: bool) -> None:
    """Show QA activity against the framework's minimums, per activity and per person, RAG-rated.

    Reads the staff roster (admin/roster.xlsx) and the targets (admin/targets.yaml) in the workspace,
    and lists the issued forms not yet returned and the files rejected, resolved or outstanding.
    The figures are the ones `qa report` renders. Problems in the QA plan (admin/qa-plan.xlsx) are
    noted on stderr.

    \b
    Example:
        qa status --quarter 2022-23-Q3
    """
    from .admin import plan_problems
    from .compliance import assess_workspace
    from .report.redact import Redactor
    from .targets import load_targets

    for problem in plan_problems(obj.workspace.plan_path):
        click.echo(message("plan_note", problem=problem), err=True)
    load_targets(obj.workspace.targets_path, obj.catalogue)  # its areas, levels and sources must be choices on the forms
    with obj.store() as store:
        names = Redactor.from_submissions(obj.catalogue, store.submissions(include_replaced=True))
        result = assess_workspace(obj.workspace, store, period, obj.catalogue, redact=names.name)
    moderation = moderation_status(obj, result, names.name)
    if as_json:
        click.echo(json.dumps({**result.as_dict(with_files), "moderation": moderation.as_dict()}, indent=2, ensure_ascii=False))
        return
    for line in status_lines(result, with_files) + moderation_lines(moderation):
        click.echo(line)


@cli.command()
@click.option("--quarter", "period", required=True, callback=_parse_quarter, help="Quarter, e.g. 2022-23-Q3.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Folder (default: outbox/QUARTER).")
@click.option("--json", "as_json", is_flag=True, help="Print the data the documents were rendered from, as JSON.")
@click.pass_obj
def report(obj: Context, period: Quarter, out_dir: Path | None, as_json: bool) -> None:
    """Render the quarterly DLT report, the action ledger and a summary draft per service area.

    The report is rendered from form_templates/report-template.docx in the workspace (written the
    first time; restyle it in Word). Run again for the same quarter, it replaces the report, ledger
    and drafts in place and keeps the versions they replace under previous/<time>/ in the same folder.

    \b
    Example:
        qa report --quarter 2022-23-Q3
    """
    from .report import build_report

    with obj.store() as store:
        result = build_report(obj.workspace.ensure(), obj.catalogue, store, period, out_dir)
    if as_json:
        files = {"report": str(result.report), "ledger": str(result.ledger), "drafts": [str(p) for p in result.drafts],
                 "previous": str(result.previous) if result.previous else None}
        click.echo(json.dumps({**result.data, "files": files}, indent=2, ensure_ascii=False))
        return
    click.echo(f"DLT report for {period}: {result.report}")
    click.echo(f"Action ledger: {result.ledger}")
    click.echo(f"Service area summary drafts: {len(result.drafts)} in {result.drafts[0].parent if result.drafts else '-'}")
    click.echo(f"Template: {result.template}")
    if result.previous:
        click.echo(f"Previous version kept in: {result.previous}")
    for note in result.notes:
        click.echo(f"Note: {note}")
add_year_option(report)  # --year: the PSW's annual report (cli_annual.py)


def main() -> None:  # pragma: no cover - console entry point
    """Entry point for `python -m pipeline`."""
    cli()
