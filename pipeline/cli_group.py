"""What every `qa` command runs in: its workspace, checked, and the one error path.

The workspace is the folder named by --workspace (before or after the command name) or QA_WORKSPACE,
else the current folder, and is never guessed: a folder that is not a workspace stops the command
(exit 2) before anything is created. A PipelineError from any command becomes one 'Error: …' line.
"""

from __future__ import annotations

import click

from .errors import PipelineError, message
from .spec import SETTINGS_FILE, Catalogue, load_settings
from .store import Store
from .workspace import Workspace


class Context:
    """The workspace the command runs in (checked when first used), and its catalogue loaded once."""

    def __init__(self, root: str | None, looked_in: str) -> None:
        self.root = root
        self.looked_in = looked_in  # why this folder: the current one, --workspace, or QA_WORKSPACE
        self._catalogue: Catalogue | None = None

    @property
    def folder(self) -> Workspace:
        """The folder named, whether or not it is a workspace yet (for `qa init`)."""
        return Workspace.at(self.root)

    @property
    def workspace(self) -> Workspace:
        """The workspace; NotAWorkspaceError (exit 2) if the folder is not one, before anything is created."""
        return self.folder.require(self.looked_in)

    @property
    def catalogue(self) -> Catalogue:
        """The workspace's form specs, loaded once (SpecError names the broken file)."""
        if self._catalogue is None:
            settings = load_settings(self.workspace.root / SETTINGS_FILE)
            self._catalogue = Catalogue.load(self.workspace.specs, settings)
        return self._catalogue

    def store(self) -> Store:
        """The workspace's store, to use in a with block."""
        return Store(self.workspace.store_path)


def _workspace_after(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """`qa status --workspace ws`: the option after the command name wins over one before it."""
    if value is not None:
        context = ctx.find_object(Context)
        context.root, context.looked_in = value, message("looked_in_option")


class CommandError(click.ClickException):
    """A PipelineError as click shows it: 'Error: …' on stderr, exit 1 (2 for a usage mistake)."""

    def __init__(self, err: PipelineError) -> None:
        super().__init__(str(err))
        self.exit_code = getattr(err, "exit_code", 1)


class QaCommand(click.Command):
    """A qa command: takes --workspace after its name as well as before it."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.params.append(click.Option(
            ["--workspace"], "workspace_after", type=click.Path(file_okay=False), expose_value=False,
            callback=_workspace_after, help="Workspace folder (also accepted before the command name, or as QA_WORKSPACE)."))


class QaGroup(click.Group):
    """The qa command group: the one place a PipelineError becomes a clean 'Error: …' and an exit code."""

    command_class = QaCommand

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except PipelineError as err:
            raise CommandError(err) from err
