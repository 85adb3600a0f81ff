from __future__ import annotations

import click
from flask.cli import with_appcontext

from cardops.extensions import db
from cardops.main.seed import DEMO_PASSWORD, seed_demo_users
from cardops.outlets.seed import seed_outlets


@click.command("seed", help="Seed the ten outlets (idempotent); --demo adds demo users.")
@click.option("--demo", is_flag=True, help="Also create demo users (and demo data where features provide it).")
@with_appcontext
def seed_command(demo: bool):
    added = seed_outlets()
    click.echo(f"outlets: {added} added")
    if demo:
        created = seed_demo_users()
        db.session.flush()
        from cardops.features import DEMO_SEEDERS

        for seeder in DEMO_SEEDERS():
            click.echo(seeder())
        click.echo(f"demo users: {len(created)} created; password for every demo user: {DEMO_PASSWORD}")
        for username in created:
            click.echo(f"  {username}")
    db.session.commit()
