"""Drill-down: every figure of the dashboard links to the list it counts, with the filters that make the list's
total equal the figure.

* period figures → the request queue filtered by outlet, intake dates (``from``/``to``) and kind, status, risk
  level, risk rule (``flag``) or review decision (``review``);
* backlog figures (now) → the queue's ``stale`` / ``uncollected`` / ``ready`` tab, the review queue;
* training figures → the training sessions list (``/training/sessions?outlet_code=&kind=&from=&to=``), which
  lists the sessions held at the outlet (the hours also count district sessions its staff attended).
"""

from __future__ import annotations

from datetime import date

from flask import url_for

from cardops.dashboard.periods import Period


class Drill:
    """The list behind each figure of one period; ``outlet_code`` None: every outlet in the actor's scope."""

    def __init__(self, period: Period):
        self.period = period

    @staticmethod
    def _args(outlet_code: str | None, **filters) -> dict:
        args = {name: value for name, value in filters.items() if value}
        if outlet_code:
            args["outlet_code"] = outlet_code
        return args

    def requests(self, outlet_code: str | None = None, *, start=None, end=None, **filters) -> str:
        """The period's requests (or those of ``start``–``end`` within it) matching ``filters``."""
        dates = {"from": (start or self.period.start).isoformat(), "to": (end or self.period.end).isoformat()}
        return url_for("reissue.queue", **self._args(outlet_code, **filters), **dates)

    def queue(self, outlet_code: str | None, queue: str) -> str:
        """A queue tab as it stands now (the backlog figures)."""
        return url_for("reissue.queue", **self._args(outlet_code, queue=queue))

    def review_queue(self, outlet_code: str | None) -> str:
        return url_for("reissue.review_queue", **self._args(outlet_code))

    def sessions(self, outlet_code: str | None, kind: str | None = None, *, until: date | None = None) -> str:
        """The sessions held at the outlet in the period; ``until``: every session up to that day (the last
        warning education)."""
        args = self._args(outlet_code, kind=kind)
        args.update({"to": until.isoformat()} if until else self.period.args())
        return url_for("training.sessions", **args)
