import sys

import click
from flask.cli import with_appcontext

from cardops.audit.checkpoints import write_checkpoint
from cardops.audit.services import verify_chain


@click.group("audit", help="The audit chain.")
def audit_cli():
    pass


@audit_cli.command("verify")
@click.option("--checkpoint-dir", type=click.Path(file_okay=False), default=None,
              help="Checkpoints to compare with (default: CARDOPS_AUDIT_CHECKPOINT_DIR).")
@click.option("--no-checkpoints", is_flag=True, help="Check the chain alone (e.g. a restored copy of an old backup).")
@with_appcontext
def verify_command(checkpoint_dir, no_checkpoints):
    """Exit 0 when the chain is intact, 1 naming the first broken entry otherwise."""
    report = verify_chain(checkpoints=not no_checkpoints, checkpoint_dir=checkpoint_dir)
    click.echo(report.describe())
    sys.exit(0 if report.ok else 1)


@audit_cli.command("checkpoint")
@click.option("--checkpoint-dir", "directory", type=click.Path(file_okay=False), default=None,
              help="Where to write it (default: CARDOPS_AUDIT_CHECKPOINT_DIR).")
@with_appcontext
def checkpoint_command(directory):
    """Write the chain's head (seq, seal, time) to a new file outside the database."""
    written = write_checkpoint(directory)
    click.echo(f"checkpoint seq={written.seq} hash={written.hash} written to {written.path}")

