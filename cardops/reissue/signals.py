"""What happens to requests that features above reissue may want to hear about (notifications …).

Reissue sends these signals and knows nobody who listens: a listener subscribes in its own ``feature.register``.
Receivers run inside the operation's unit of work (they may add rows; they never commit), with the request as
the sender.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# A review was decided. Keyword arguments: actor, decision ("approve" | "reject"), reason.
request_reviewed = _signals.signal("request-reviewed")

# A request waits for review at the level its risk needs: on submission to ``pending_review``, and again when a
# check recorded while it waits raises its risk. Keyword arguments: actor.
request_awaits_review = _signals.signal("request-awaits-review")
