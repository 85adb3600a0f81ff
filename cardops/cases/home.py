"""The home page's case panel: what waits for this person (their drafts and returned cases, the cases to review,
the nominees still to score) and the latest year's ten typical cases."""

from __future__ import annotations

from sqlalchemy import func, select

from cardops.cases.models import Case, CaseScore, SelectionRound
from cardops.cases.permissions import may_write_cases
from cardops.cases.queries import status_counts
from cardops.cases.selection import NOMINEE_STATUSES, final_years
from cardops.cases.workflow import RoundStatus
from cardops.extensions import db


def _open_round_progress(actor) -> dict | None:
    """The newest open round: how many nominees, how many of them this supervisor may still score."""
    year = db.session.scalar(select(SelectionRound.year).where(SelectionRound.status == RoundStatus.OPEN)
                             .order_by(SelectionRound.year.desc()).limit(1))
    if year is None:
        return None
    nominees = select(Case.id).where(Case.nominated_year == year, Case.status.in_(NOMINEE_STATUSES))
    total = db.session.scalar(select(func.count()).select_from(nominees.subquery()))
    to_score = db.session.scalar(
        select(func.count()).select_from(
            nominees.where(Case.author_id != actor.id,
                           ~select(CaseScore.id).where(CaseScore.case_id == Case.id,
                                                       CaseScore.supervisor_id == actor.id).exists()).subquery()))
    return {"year": year, "nominees": total, "to_score": to_score}


def home_panel_context(actor) -> dict:
    context = {"mine": status_counts(actor, mine=True) if may_write_cases(actor) else None,
               "latest_final": next(iter(final_years()), None), "to_review": None, "round": None}
    if actor.is_supervisor:
        context["to_review"] = status_counts(actor).get("submitted", 0)
        context["round"] = _open_round_progress(actor)
    return context
