import sys

import click
from flask.cli import with_appcontext

from cardops.audit.services import verify_chain


@click.group("audit", help="The audit chain.")
def audit_cli():
    pass


@audit_cli.command("verify")
@with_appcontext
def verify_command():
    """Exit 0 when the chain is intact, 1 naming the first broken entry otherwise."""
    report = verify_chain()
    click.echo(report.describe())
    sys.exit(0 if report.ok else 1)
