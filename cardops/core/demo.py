"""Demo history told in order: features plan what happened when, the seeder replays it through the services.

Each feature's demo seeder receives the ``DemoTimeline`` and adds events (``timeline.at(moment, action)``); the
seed command runs them sorted by time, each under ``clock_at(moment)``, so every row, number and audit entry
carries the time it stands for and the audit chain grows in time order, as in real life.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from cardops.core.timeutil import clock_at
from cardops.extensions import db


@dataclass(order=True)
class DemoEvent:
    at: datetime
    seq: int
    action: Callable[[], object] = field(compare=False)


class DemoTimeline:
    def __init__(self, now: datetime):
        self.now = now  # naive UTC; no event may lie after it
        self._events: list[DemoEvent] = []
        self._seq = itertools.count()

    def at(self, moment: datetime, action: Callable[[], object]) -> None:
        if moment > self.now:
            raise ValueError(f"a demo event in the future: {moment:%Y-%m-%d %H:%M}")
        self._events.append(DemoEvent(moment, next(self._seq), action))

    def __len__(self) -> int:
        return len(self._events)

    def run(self) -> int:
        """Replay every event in time order (same time: in the order planned); return how many ran."""
        for event in sorted(self._events):
            with clock_at(event.at):
                event.action()
                db.session.flush()
        count = len(self._events)
        self._events.clear()
        return count
