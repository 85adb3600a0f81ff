from __future__ import annotations

import secrets

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from cardops.auth import services
from cardops.auth.models import Role
from cardops.core.errors import DomainError
from cardops.extensions import db
from cardops.outlets.models import Outlet


@click.group("users", help="Manage user accounts and API tokens.")
def users_cli():
    pass


@users_cli.command("create")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, type=click.Choice([r.value for r in Role]))
@click.option("--outlet", "outlet_code", help="Outlet code, e.g. PT03 (clerks and trainers).")
@click.option("--password", help="Initial password; generated and printed when omitted.")
@click.option("--name", "display_name", help="Display name (defaults to the username).")
@click.option("--email", help="E-mail address for reminders (optional).")
@with_appcontext
def create_user_command(username, roles, outlet_code, password, display_name, email):
    outlet = None
    if outlet_code:
        outlet = db.session.scalars(select(Outlet).where(Outlet.code == outlet_code.upper())).first()
        if outlet is None:
            raise click.ClickException(f"unknown outlet {outlet_code}")
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    try:
        user = services.create_user(None, username=username, display_name=display_name or username,
                                    roles=roles, outlet=outlet, password=password, email=email)
    except DomainError as error:
        details = "; ".join(f"{k}: {v}" for k, v in error.fields.items())
        raise click.ClickException(f"{error.message} {details}".strip()) from None
    db.session.commit()
    click.echo(f"created user {user.username} roles={','.join(sorted(user.roles))}"
               + (f" outlet={outlet.code}" if outlet else "") + (f" email={user.email}" if user.email else ""))
    if generated:
        click.echo(f"password: {password}")


@users_cli.command("token")
@click.argument("username")
@click.option("--name", default="cli", help="A label for the token.")
@with_appcontext
def token_command(username, name):
    """Print a new API token once; only its hash is stored."""
    user = services.find_user(username)
    if user is None:
        raise click.ClickException(f"unknown user {username}")
    try:
        _, secret = services.issue_token(None, user, name)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(secret)
