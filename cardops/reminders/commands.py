"""``flask --app wsgi reminders run KEY [--as-of YYYY-MM-DD]`` and ``reminders list``."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from cardops.core.errors import DomainError
from cardops.core.timeutil import to_local
from cardops.extensions import db
from cardops.reminders.models import RunStatus, RunTrigger
from cardops.reminders.registry import RULES
from cardops.reminders.runs import last_runs, parse_as_of, run_rule, run_to_dict
from cardops.reminders.settings import all_settings


@click.group("reminders", help="Compliance reminder rules (SPEC §7): run one now, or list them.")
def reminders_cli():
    pass


@reminders_cli.command("run")
@click.argument("key")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD",
              help="Evaluate as at 09:00 local time of that day (replay a missed day, or test a rule).")
@with_appcontext
def run_command(key, as_of):
    """Run rule KEY once and print its run record (exit 1 when the rule failed)."""
    if RULES.get(key) is None:
        raise click.ClickException(f"unknown rule {key!r}; rules: {', '.join(RULES.rule_keys())}")
    try:
        moment = parse_as_of(as_of)
    except DomainError as error:
        raise click.BadParameter(" ".join(str(m) for m in error.fields.values()), param_hint="--as-of") from None
    run = run_rule(key, as_of=moment, trigger=RunTrigger.CLI)
    db.session.commit()
    click.echo(json.dumps(run_to_dict(run), ensure_ascii=False, indent=2))
    if run.status == RunStatus.FAILED:
        raise SystemExit(1)


@reminders_cli.command("list")
@with_appcontext
def list_command():
    """The rules with their schedules, enabled flag and last run."""
    settings = all_settings()
    latest = last_runs([s.key for s in settings])
    click.echo(f"{'rule':<24} {'enabled':<8} {'schedule':<16} last run")
    for setting in settings:
        run = latest.get(setting.key)
        last = "never" if run is None else (
            f"{to_local(run.started_at):%Y-%m-%d %H:%M} {run.status} notified={run.notified}"
            + (f" as_of={to_local(run.as_of):%Y-%m-%d}" if run.trigger != RunTrigger.SCHEDULE else ""))
        click.echo(f"{setting.key:<24} {'yes' if setting.enabled else 'no':<8} {setting.schedule:<16} {last}")
