"""The annual selection of ten typical cases (年度十大典型事例评选, SPEC §6.2): supervisors score the year's
nominees, the live ranking shows where each stands and who has not scored yet, finalising marks the top ten.

"Every nominee has a score" (else SCORES_INCOMPLETE) means: every nominee has at least one supervisor's score.
The ranking is the mean over those who scored, so a supervisor who stands aside (回避, their own case) or who is
away does not block the round; the ranking page shows who has not scored what, so the committee decides with
open eyes whether to wait for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from cardops.audit import services as audit
from cardops.auth.models import User, UserRole
from cardops.cases import ranking
from cardops.cases.errors import NothingToSelect, NotNominated, ScoresIncomplete, SelectionFinal
from cardops.cases.models import Case, CaseScore, CaseStatus, SelectionRound
from cardops.cases.permissions import scoring_refusal
from cardops.cases.rounds import get_round, lock_open_round
from cardops.cases.services import audit_case, move
from cardops.cases.validation import parse_scores
from cardops.cases.workflow import CRITERIA, SELECTED_PER_YEAR, RoundStatus
from cardops.core.errors import Forbidden, NotFound
from cardops.core.timeutil import utcnow
from cardops.extensions import db

NOMINEE_STATUSES = (CaseStatus.NOMINATED, CaseStatus.SELECTED)


def nominees(year: int) -> list[Case]:
    """The cases nominated for ``year`` (those selected in the end included), with their scores."""
    return list(db.session.scalars(
        select(Case).where(Case.nominated_year == year, Case.status.in_(NOMINEE_STATUSES))
        .options(selectinload(Case.scores)).order_by(Case.id)))


def active_supervisors() -> list[User]:
    """The district's scoring committee: every active supervisor."""
    return list(db.session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "supervisor", User.active.is_(True)).order_by(User.username)))


def is_nominee_of(case: Case, year: int) -> bool:
    return case.nominated_year == year and case.status in NOMINEE_STATUSES


# --- scoring -------------------------------------------------------------------------------------------------

def score_case(actor, year: int, case: Case, data: dict) -> CaseScore:
    """Record (or replace) ``actor``'s score of a nominee of ``year``."""
    if not actor.is_supervisor:
        raise Forbidden()
    round_ = get_round(year)
    if round_ is not None and round_.status == RoundStatus.FINAL:
        raise SelectionFinal()
    if round_ is None or not is_nominee_of(case, year):
        raise NotNominated(f"该案例未被提名参加{year}年度评选")
    problem = scoring_refusal(actor, case)
    if problem is not None:
        raise problem
    values = parse_scores(data)
    lock_open_round(year)
    score = db.session.scalars(select(CaseScore).where(CaseScore.case_id == case.id,
                                                       CaseScore.supervisor_id == actor.id)).one_or_none()
    replaced = score is not None
    if score is None:
        score = CaseScore(supervisor_id=actor.id, supervisor=actor, created_at=utcnow())
        case.scores.append(score)
    for criterion, value in values.items():
        setattr(score, criterion, value)
    score.updated_at = utcnow()
    db.session.flush()
    audit_case("score", actor, case, year=year, replaced=replaced or None, **values)
    return score


# --- the ranking ---------------------------------------------------------------------------------------------

@dataclass
class RankingRow:
    ranked: ranking.Ranked
    case: Case
    selected: bool
    not_scored_by: list[User] = field(default_factory=list)  # open round: who may score it and has not

    @property
    def shown_means(self) -> dict[str, float | None]:
        """The means as shown and answered (two decimals, half up)."""
        r = self.ranked
        return {"typicality": ranking.two_decimals(r.mean_typicality),
                "educational_value": ranking.two_decimals(r.mean_educational_value),
                "impact": ranking.two_decimals(r.mean_impact), "total": ranking.two_decimals(r.mean_total)}

    def score_of(self, user) -> CaseScore | None:
        return next((s for s in self.case.scores if s.supervisor_id == user.id), None)


@dataclass
class RoundView:
    year: int
    status: str
    finalised_at: datetime | None
    finalised_by: User | None
    rows: list[RankingRow]
    notes: list[ranking.TieNote]
    stored_tie_break: str | None
    supervisors: list[User]

    @property
    def is_final(self) -> bool:
        return self.status == RoundStatus.FINAL

    @property
    def tie_break(self) -> str | None:
        """The words of the finalised round as recorded; a live preview of an open one."""
        return self.stored_tie_break if self.is_final else ranking.describe_ties(self.notes)

    def outstanding(self) -> list[tuple[User, int]]:
        """Each supervisor with the number of nominees they may still score (open rounds)."""
        return [(user, sum(1 for row in self.rows if user in row.not_scored_by)) for user in self.supervisors]

    @property
    def unscored(self) -> list[Case]:
        return [row.case for row in self.rows if row.ranked.scores_count == 0]


def _as_nominee(case: Case) -> ranking.Nominee:
    return ranking.Nominee(case.id, case.occurred_on,
                           tuple(tuple(getattr(s, c) for c in CRITERIA) for s in case.scores))


def round_view(actor, year: int) -> RoundView:
    """The year's round as ``actor`` may see it: an open one is the supervisors' working table (404 for anyone
    else), a final one is everybody's."""
    round_ = get_round(year)
    is_final = round_ is not None and round_.status == RoundStatus.FINAL
    if not is_final and not actor.is_supervisor:
        raise NotFound()
    cases = {case.id: case for case in nominees(year)}
    ranked = ranking.rank([_as_nominee(case) for case in cases.values()])
    supervisors = [] if is_final else active_supervisors()
    rows = []
    for entry in ranked:
        case = cases[entry.nominee.case_id]
        scored = {s.supervisor_id for s in case.scores}
        waiting = [u for u in supervisors if u.id not in scored and u.id != case.author_id]
        rows.append(RankingRow(entry, case, is_final and case.selected_year == year, waiting))
    return RoundView(year=year, status=round_.status if round_ else RoundStatus.OPEN,
                     finalised_at=round_.finalised_at if round_ else None,
                     finalised_by=round_.finalised_by if round_ else None, rows=rows,
                     notes=ranking.tie_notes(ranked), stored_tie_break=round_.tie_break if round_ else None,
                     supervisors=supervisors)


def rounds_overview() -> list[tuple[SelectionRound, int]]:
    """Every year's round, newest first, with its number of nominees."""
    rounds = list(db.session.scalars(select(SelectionRound).order_by(SelectionRound.year.desc())))
    counts = dict(db.session.execute(
        select(Case.nominated_year, func.count()).where(Case.status.in_(NOMINEE_STATUSES))
        .group_by(Case.nominated_year)).all())
    return [(round_, counts.get(round_.year, 0)) for round_ in rounds]


def final_years() -> list[int]:
    return list(db.session.scalars(select(SelectionRound.year).where(SelectionRound.status == RoundStatus.FINAL)
                                   .order_by(SelectionRound.year.desc())))


# --- finalising ----------------------------------------------------------------------------------------------

def finalise(actor, year: int) -> SelectionRound:
    """Mark the top ten (all, when fewer) ``selected``, record how ties were broken, close the round."""
    if not actor.is_supervisor:
        raise Forbidden()
    round_ = get_round(year)
    if round_ is None:
        raise NothingToSelect(f"{year}年度没有提名案例，无可评选")
    lock_open_round(year)
    cases = nominees(year)
    if not cases:
        raise NothingToSelect(f"{year}年度没有提名案例，无可评选")
    unscored = [case for case in cases if not case.scores]
    if unscored:
        listed = "、".join(f"#{case.id}《{case.title}》" for case in unscored[:10])
        raise ScoresIncomplete(f"以下提名案例还没有任何评分，不能定稿：{listed}")
    by_id = {case.id: case for case in cases}
    ranked = ranking.rank([_as_nominee(case) for case in cases])
    chosen = ranked[:SELECTED_PER_YEAR]
    for entry in chosen:
        case = by_id[entry.nominee.case_id]
        case.selected_year = year
        move(actor, case, "select", CaseStatus.SELECTED, year=year, rank=entry.rank,
             mean_total=ranking.two_decimals(entry.mean_total))
    round_.status = RoundStatus.FINAL
    round_.finalised_at = utcnow()
    round_.finalised_by_id, round_.finalised_by = actor.id, actor
    round_.tie_break = ranking.describe_ties(ranking.tie_notes(ranked))
    db.session.flush()
    audit.record("cases.selection_finalise", actor=actor, object_type="selection_round", object_id=year,
                 detail={"year": year, "nominees": len(cases),
                         "selected": [entry.nominee.case_id for entry in chosen], "tie_break": round_.tie_break})
    return round_
