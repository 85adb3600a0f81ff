from __future__ import annotations

import click
from flask.cli import with_appcontext

from cardops.core.demo import DemoTimeline
from cardops.core.registry import contributions
from cardops.core.timeutil import clock_at, utcnow
from cardops.extensions import db
from cardops.main.seed import DEMO_HISTORY_DAYS, DEMO_PASSWORD, seed_demo_users
from cardops.outlets.seed import seed_outlets


@click.command("seed", help="Seed the ten outlets (idempotent); --demo adds demo users and their history.")
@click.option("--demo", is_flag=True, help="Also create demo users and demo data (idempotent).")
@with_appcontext
def seed_command(demo: bool):
    added = seed_outlets()
    click.echo(f"outlets: {added} added")
    if demo:
        now = utcnow()
        with clock_at(now - DEMO_HISTORY_DAYS):
            created = seed_demo_users()
        timeline = DemoTimeline(now)
        for seeder in contributions().demo_seeders:
            click.echo(seeder(timeline))
        timeline.run()
        click.echo(f"demo users: {len(created)} created; password for every demo user: {DEMO_PASSWORD}")
        for username in created:
            click.echo(f"  {username}")
    db.session.commit()
