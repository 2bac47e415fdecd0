"""The ``actlm`` command line: one entry point, one sub-command per job."""
from __future__ import annotations

import sys
import warnings

import click

from ..data.errors import DataError


class _FriendlyGroup(click.Group):
    """Turns expected user errors (bad data, missing files, bad config) into a one-line message."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (DataError, FileNotFoundError, KeyError) as exc:
            message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
            click.echo(f"error: {message}", err=True)
            sys.exit(2)


@click.group(cls=_FriendlyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="actlm")
def main() -> None:
    """actlm: interpretable human action recognition with language models."""
    # the language-model stack's deprecation notices (transformers, peft, torch) are for library
    # authors, not for someone reading a prediction; Python code using actlm still sees them
    warnings.filterwarnings("ignore", category=FutureWarning, module=r"(transformers|peft|torch)(\.|$)")


def _register() -> None:
    from . import bench_cmds, data_cmds, language_cmds, live_cmds, quickstart_cmd, reasoner_cmds, train_cmds, video_cmds  # noqa: F401  (each module adds its commands to ``main``)


_register()
