"""The selection pages: scoring from the ranking table, who has not scored yet, finalising, the read-only final
round for everyone, and the booklet of a final year."""

from __future__ import annotations

import re

import pytest

from cardops.cases import selection
from cardops.core.timeutil import local_today
from tests.guards import flashes

YEAR = local_today().year


@pytest.fixture
def round_of(case_in):
    def make(n):
        return [case_in("nominated", year=YEAR, title=f"提名案例{i}") for i in range(n)]

    return make


def score_form(case, t, e, i) -> dict:
    return {f"c{case.id}-typicality": str(t), f"c{case.id}-educational_value": str(e), f"c{case.id}-impact": str(i)}


def test_scoring_from_the_ranking_page(web, round_of, supervisor, supervisor2):
    a, b = round_of(2)
    web.login("supervisor")
    html = web.page(f"/selections/{YEAR}")
    assert "评分进度" in html and html.count('class="score-form"') == 2
    response = web.post(f"/selections/{YEAR}/scores/{a.id}", score_form(a, 5, 4, 3), csrf_page=f"/selections/{YEAR}")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#case-{a.id}")
    html = web.page(f"/selections/{YEAR}")
    assert "已保存对《提名案例0》的评分" in flashes(html)
    row = re.search(rf'<tr id="case-{a.id}".*?</tr>', html, re.S).group()
    assert "12.00" in row and 'data-rank="1"' in row and "李督导" in row  # supervisor2 has not scored it
    assert 'selected value="5"' in row  # my score is shown in my form
    # A bad score is refused with the reason, nothing saved.
    html = web.follow(web.post(f"/selections/{YEAR}/scores/{b.id}", score_form(b, 9, 4, 3),
                               csrf_page=f"/selections/{YEAR}"))
    assert "典型性应为 1 到 5 的整数" in flashes(html)
    assert not b.scores


def test_the_author_of_a_nominee_stands_aside(web, case_in, supervisor):
    own = case_in("nominated", author=supervisor, year=YEAR)
    web.login("supervisor")
    row = re.search(rf'<tr id="case-{own.id}".*?</tr>', web.page(f"/selections/{YEAR}"), re.S).group()
    assert "回避" in row and "score-form" not in row
    html = web.follow(web.post(f"/selections/{YEAR}/scores/{own.id}", score_form(own, 5, 5, 5),
                               csrf_page=f"/selections/{YEAR}"))
    assert "回避" in flashes(html) and not own.scores


def test_finalising_from_the_page(web, round_of, supervisor, supervisor2, clerk):
    a, b = round_of(2)
    web.login("supervisor")
    html = web.page(f"/selections/{YEAR}")
    assert "还没有任何评分" in html and 'data-action="finalise"' not in html
    for case in (a, b):
        web.post(f"/selections/{YEAR}/scores/{case.id}", score_form(case, 4, 4, 4), csrf_page=f"/selections/{YEAR}")
    html = web.page(f"/selections/{YEAR}")
    assert 'data-action="finalise"' in html and "仍有督导未评完：李督导" in html  # the confirmation names them
    assert "并列处理" in html and "案例编号较小者在前" in html  # the live preview of the tie-break
    html = web.follow(web.post(f"/selections/{YEAR}/finalise", {}, csrf_page=f"/selections/{YEAR}"))
    assert "已定稿" in flashes(html) and html.count("badge-selected") >= 2 and 'data-action="booklet"' in html
    assert "score-form" not in html
    html = web.follow(web.post(f"/selections/{YEAR}/finalise", {}, csrf_page=f"/selections/{YEAR}"))
    assert "已定稿，不能再更改" in flashes(html)
    # Everyone reads the final round and its booklet.
    html = web.logout().login("clerk-a").page(f"/selections/{YEAR}")
    assert "提名案例0" in html and "score-form" not in html


def test_an_open_round_is_404_for_everyone_but_supervisors(web, round_of, clerk, trainer):
    round_of(1)
    for user in ("clerk-a", "trainer-a"):
        web.login(user)
        assert web.get(f"/selections/{YEAR}").status_code == 404
        assert web.get(f"/cases/booklet/{YEAR}").status_code == 404
        assert f'data-year="{YEAR}"' not in web.page("/selections")
        web.logout()


def test_posting_scores_or_finalising_is_for_supervisors(web, round_of, trainer):
    (case,) = round_of(1)
    web.login("trainer-a")
    assert web.post(f"/selections/{YEAR}/scores/{case.id}", score_form(case, 4, 4, 4)).status_code == 403
    assert web.post(f"/selections/{YEAR}/finalise", {}).status_code == 403


# --- the booklet ---------------------------------------------------------------------------------------------

def test_the_booklet_of_a_final_year(web, round_of, supervisor, supervisor2, clerk, app):
    cases = round_of(3)
    for n, case in enumerate(cases):
        selection.score_case(supervisor2, YEAR, case, {"typicality": 5 - n, "educational_value": 4, "impact": 4})
    selection.finalise(supervisor, YEAR)
    from cardops.extensions import db

    db.session.commit()
    html = web.login("clerk-a").page(f"/cases/booklet/{YEAR}")
    assert html.count('class="sheet booklet-case"') == 3 and "booklet-cover" in html and "目录" in html
    assert "普陀区社保卡服务中心" in html and str(YEAR) in html
    assert [int(n) for n in re.findall(r'data-case="(\d+)"', html)] == [c.id for c in cases]  # in ranking order
    assert "案例一" in html and "案例三" in html
    previous, app.config["DISTRICT_NAME"] = app.config.get("DISTRICT_NAME"), "某某区社保卡服务中心"
    try:
        assert "某某区社保卡服务中心" in web.page(f"/cases/booklet/{YEAR}")
    finally:
        app.config["DISTRICT_NAME"] = previous
    assert web.get(f"/cases/booklet/{YEAR - 1}").status_code == 404


def test_the_pages_in_english(web, round_of, supervisor):
    a, b = round_of(2)
    for case in (a, b):
        selection.score_case(supervisor, YEAR, case, {"typicality": 4, "educational_value": 4, "impact": 4})
    from cardops.extensions import db

    db.session.commit()
    web.login("supervisor").get("/lang/en")
    html = web.page(f"/selections/{YEAR}")
    assert "Selection of the ten typical cases" in html
    assert "places 1 and 2 both have a mean total of 12.00; decided by “the lower case number comes first”" in html
    assert "Case library" in web.page("/cases") and "Write a case" in web.page("/cases")
    assert "What happened" in web.page(f"/cases/{a.id}")
