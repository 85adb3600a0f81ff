"""The dashboard page (/dashboard): the period picker, the same numbers as the API, the scope, bad parameters,
every figure linking to the list it counts (followed and counted here), the charts' data, page exports."""

from __future__ import annotations

import html as html_lib
import io
import json
import re
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from cardops.audit.models import AuditEntry
from cardops.extensions import db
from tests.dashboard.district import expected_rows

PAGE = "/dashboard?period=custom&from=2026-03-01&to=2026-03-31"


class Tables(HTMLParser):
    """table id → outlet (data-outlet of the row) → cells [(data-value, href)] in column order."""

    def __init__(self, page: str):
        super().__init__()
        self.tables: dict[str, dict[str, list]] = {}
        self.table = self.row = self.cell = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "id" in attrs:
            self.table = self.tables.setdefault(attrs["id"], {})
        elif tag == "tr" and self.table is not None and "data-outlet" in attrs:
            self.row = self.table.setdefault(attrs["data-outlet"], [])
        elif tag in ("td", "th") and self.row is not None:
            self.cell = [attrs.get("data-value"), None]
            self.row.append(self.cell)
        elif tag == "a" and self.cell is not None and self.cell[1] is None:
            self.cell[1] = html_lib.unescape(attrs["href"])

    def handle_endtag(self, tag):
        if tag == "table":
            self.table = None
        elif tag == "tr":
            self.row = None
        elif tag in ("td", "th"):
            self.cell = None


def numbers_in(page: str) -> list[str]:
    return re.findall(r'<tr data-number="([^"]+)"', page)


def test_the_supervisors_page_shows_the_services_figures(district, web):
    page = web.login("supervisor").page(PAGE)
    tables = Tables(page).tables
    expected = expected_rows()
    assert list(tables["overview"]) == [f"PT{n:02d}" for n in range(1, 11)] + ["total"]
    pt01 = [value for value, _ in tables["overview"]["PT01"]]
    # outlet, requests, medium, high, approved, rejected, 3 medians, stale, uncollected, review, pickup, sessions,
    # hours, last warning education
    assert pt01 == ["PT01", "6", "1", "1", "1", "1", "2.0", "200.0", "29.0", "2", "1", "0", "1", "1", "3.5",
                    "2026-03-12"]
    total = [value for value, _ in tables["overview"]["total"]][1:]
    assert total[:6] == ["8", "2", "1", "1", "1", "1.5"]
    kinds = [value for value, _ in tables["kinds"]["PT02"]][1:]
    assert kinds == [str(n) for n in (2, *expected["PT02"]["requests"]["by_kind"].values(),
                                      *expected["PT02"]["requests"]["by_status"].values())]
    risk = [value for value, _ in tables["risk"]["PT01"]][1:]
    assert risk == [str(n) for n in (*expected["PT01"]["risk"]["by_level"].values(),
                                     *expected["PT01"]["risk"]["by_flag"].values())]
    turnaround = [value for value, _ in tables["turnaround"]["PT03"]][1:]
    assert turnaround == [""] * 6  # no request reached any stage: shown as —
    assert "2026-03-01 至 2026-03-31" in page and 'data-preset="this_month"' in page
    assert "统计口径" in page


def test_every_figure_links_to_the_list_it_counts(district, web):
    """Follow each count's link of PT01 and of the totals: the queue lists exactly that many requests."""
    tables = Tables(web.login("supervisor").page(PAGE)).tables
    checked = 0
    for table in ("overview", "kinds", "risk"):
        for outlet in ("PT01", "PT02", "total"):
            for value, href in tables[table][outlet][1:]:
                if href is None or not href.startswith(("/requests", "/review")):
                    continue
                listed = numbers_in(web.page(href))
                assert len(listed) == int(value), (table, outlet, href, listed)
                checked += 1
    assert checked > 60


def test_drill_down_urls_carry_the_right_filters(district, web):
    tables = Tables(web.login("supervisor").page(PAGE)).tables
    overview = dict(zip(("outlet", "total", "medium", "high", "approved", "rejected"),
                        (href for _, href in tables["overview"]["PT01"]), strict=False))
    assert overview["high"] == "/requests?risk=high&outlet_code=PT01&from=2026-03-01&to=2026-03-31"
    assert overview["approved"] == "/requests?review=approve&outlet_code=PT01&from=2026-03-01&to=2026-03-31"
    hrefs = [href for _, href in tables["overview"]["PT01"]]
    assert "/requests?queue=stale&outlet_code=PT01" in hrefs and "/review?outlet_code=PT01" in hrefs
    assert "/training/sessions?outlet_code=PT01&from=2026-03-01&to=2026-03-31" in hrefs
    assert "/training/sessions?kind=warning_education&outlet_code=PT01&to=2026-03-31" in hrefs
    assert "/requests?flag=WATCHLIST&outlet_code=PT01&from=2026-03-01&to=2026-03-31" in [
        href for _, href in tables["risk"]["PT01"]]


def test_a_clerk_sees_their_outlet_only(district, web):
    page = web.login("clerk-a").page(PAGE)
    tables = Tables(page).tables
    assert list(tables["overview"]) == ["PT01"]  # no total row for one outlet
    assert "网点统计" in page and "曹杨新村" not in page and "PT01 长寿路街道社区事务受理服务中心 · 2026-03-01" in page
    assert 'name="outlet_code"' not in page  # no outlet picker
    web.page(PAGE + "&outlet_code=PT02", status=404)
    web.page("/dashboard/outlets.csv?from=2026-03-01&to=2026-03-31&outlet_code=PT02", status=404)
    assert len(Tables(web.page(PAGE + "&outlet_code=PT01")).tables["overview"]) == 1


def test_a_supervisor_picks_one_outlet(district, web):
    page = web.login("supervisor").page(PAGE + "&outlet_code=pt02")
    tables = Tables(page).tables
    assert list(tables["overview"]) == ["PT02"] and "PT02 曹杨新村街道社区事务受理服务中心" in page
    web.page(PAGE + "&outlet_code=PT99", status=404)


@pytest.mark.parametrize("query", [
    "period=fortnight", "period=custom&from=2026-04-01&to=2026-03-01", "from=2026-02-30&to=2026-03-01",
    "period=custom&from=2020-01-01&to=2026-01-01", "period=custom", "from=<script>&to=x",
])
def test_bad_parameters_answer_400_with_the_picker(web, supervisor, query):
    page = web.login("supervisor").page("/dashboard?" + query, status=400)
    assert "data-period-error" in page and 'class="period-picker' in page and "<script>&" not in page
    assert 'id="overview"' not in page


@pytest.mark.parametrize("preset", ["this_month", "last_month", "this_quarter", "this_year"])
def test_every_preset(web, supervisor, preset):
    page = web.login("supervisor").page(f"/dashboard?period={preset}")
    assert f'data-preset="{preset}" aria-current="true"' in page
    charts = dict(re.findall(r'data-chart="([^"]+)" data-chart-name="(\w+)"', page))
    assert len(charts) == 4


def test_the_charts_carry_their_data_and_links(district, web):
    page = web.login("supervisor").page(PAGE)
    charts = {name: json.loads(html_lib.unescape(spec))
              for spec, name in re.findall(r'data-chart="([^"]+)" data-chart-name="(\w+)"', page)}
    requests = charts["requests"]
    assert len(requests["categories"]) == 31 and len(requests["series"]) == 10  # days of March, outlets
    pt01 = requests["series"][0]
    assert pt01["name"] == "PT01 长寿路" and pt01["data"][0]["value"] == 1 and pt01["data"][30]["value"] == 1
    assert pt01["data"][0]["url"] == "/requests?outlet_code=PT01&from=2026-03-01&to=2026-03-01"
    assert sum(point["value"] for s in requests["series"] for point in s["data"]) == 8
    flags = {s["code"]: s for s in charts["flags"]["series"]}
    assert flags["WATCHLIST"]["name"] == "预警名单"  # the rule's name; its code only travels with the data
    assert flags["WATCHLIST"]["data"][0] == {
        "value": 1, "url": "/requests?flag=WATCHLIST&outlet_code=PT01&from=2026-03-01&to=2026-03-31"}
    stages = charts["turnaround"]["series"]
    assert [s["data"][0]["value"] for s in stages] == [2.0, 200.0, 29.0] and stages[1]["data"][0]["p90"] == 232.0
    training = charts["training"]["series"][0]["data"]
    assert training[0]["value"] == 19 and training[0]["level"] == "ok" and training[0]["label"] == "2026-03-12"
    assert training[1]["level"] == "never"


def test_the_page_exports_are_audited(district, web):
    web.login("supervisor")
    page = web.page(PAGE)
    link = html_lib.unescape(re.search(r'href="([^"]+)" data-export="xlsx"', page).group(1))
    assert link == "/dashboard/outlets.xlsx?from=2026-03-01&to=2026-03-31"
    before = db.session.scalar(select(func.count()).where(AuditEntry.action == "dashboard.export"))
    answer = web.client.get(link)
    assert answer.status_code == 200
    rows = list(load_workbook(io.BytesIO(answer.data)).active.iter_rows(values_only=True))
    assert rows[1][:3] == ("PT01", "长寿路街道社区事务受理服务中心", 6) and rows[-1][0] == "合计"
    csv_answer = web.get(link.replace(".xlsx", ".csv"))
    assert csv_answer.status_code == 200 and csv_answer.data.startswith(b"\xef\xbb\xbf")
    after = db.session.scalar(select(func.count()).where(AuditEntry.action == "dashboard.export"))
    assert after == before + 2
    web.page("/dashboard/outlets.csv?from=2026-04-01&to=2026-03-01", status=400)


def test_who_may_open_the_dashboard(client, web, admin, supervisor, clerk):
    assert client.get("/dashboard").status_code == 302  # to the sign-in page
    web.login("admin").page("/dashboard", status=403)
    web.logout()
    home = web.login("supervisor").page("/home")
    assert 'href="/dashboard"' in home and "督导看板" in home and 'data-panel="dashboard"' in home
    web.logout()
    home = web.login("clerk-a").page("/home")
    assert 'href="/dashboard"' in home and "网点统计" in home and 'data-panel="dashboard"' not in home
