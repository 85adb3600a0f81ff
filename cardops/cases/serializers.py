"""The case, score and selection objects of the API (SPEC §6). A linked request is only its number, kind and
outlet; cases carry no personal data (refused at writing)."""

from __future__ import annotations

from cardops.cases.models import Case, CaseScore
from cardops.cases.selection import RoundView
from cardops.core.timeutil import isoformat_utc


def _person(user) -> dict | None:
    return {"username": user.username, "name": user.display_name} if user is not None else None


def case_to_dict(case: Case) -> dict:
    request = case.request
    return {
        "id": case.id,
        "title": case.title,
        "outlet_code": case.outlet.code,
        "occurred_on": case.occurred_on.isoformat(),
        "category": case.category,
        "narrative": case.narrative,
        "lessons": case.lessons,
        "request": ({"number": request.number, "kind": request.kind, "outlet_code": request.outlet.code}
                    if request is not None else None),
        "status": case.status,
        "author": _person(case.author),
        "decision_reason": case.decision_reason,
        "nominated_year": case.nominated_year,
        "selected_year": case.selected_year,
        "version": case.version,
        "created_at": isoformat_utc(case.created_at),
        "updated_at": isoformat_utc(case.updated_at),
    }


def score_to_dict(score: CaseScore, year: int) -> dict:
    return {
        "year": year,
        "case_id": score.case_id,
        "supervisor": score.supervisor.username,
        "typicality": score.typicality,
        "educational_value": score.educational_value,
        "impact": score.impact,
        "total": score.total,
        "created_at": isoformat_utc(score.created_at),
        "updated_at": isoformat_utc(score.updated_at),
    }


def round_to_dict(view: RoundView) -> dict:
    ranking = []
    for row in view.rows:
        means = row.shown_means
        item = {
            "rank": row.ranked.rank,
            "case": {"id": row.case.id, "title": row.case.title, "outlet_code": row.case.outlet.code,
                     "category": row.case.category},
            "scores_count": row.ranked.scores_count,
            **{f"mean_{name}": value for name, value in means.items()},
            "selected": row.selected,
        }
        if not view.is_final:
            item["not_scored_by"] = [user.username for user in row.not_scored_by]
        ranking.append(item)
    return {
        "year": view.year,
        "status": view.status,
        "finalised_at": isoformat_utc(view.finalised_at),
        "finalised_by": view.finalised_by.username if view.finalised_by else None,
        "tie_break": view.tie_break,
        "ranking": ranking,
    }
