"""Roles and outlet scoping (cardops.core.access): one mechanism for every page, API call and export."""

import pytest
from sqlalchemy import select

from cardops.auth.models import User
from cardops.core.access import ScopedStatement, get_scoped_or_404, in_scope, scoped
from cardops.core.errors import NotFound
from cardops.extensions import db

# --- role decorator on real pages ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/admin/users", "/admin/users/new", "/admin/outlets", "/admin/tokens"])
def test_admin_pages_redirect_anonymous_visitors_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert "next=" in response.headers["Location"]


@pytest.mark.parametrize("path", ["/admin/users", "/admin/outlets", "/admin/tokens"])
def test_admin_pages_are_403_for_a_clerk_and_a_supervisor(client, auth, clerk, supervisor, path):
    auth.login("clerk-a")
    response = client.get(path)
    assert response.status_code == 403
    assert "无权" in response.get_data(as_text=True)
    auth.logout()
    auth.login("supervisor")
    assert client.get(path).status_code == 403


def test_admin_pages_open_for_admin(client, auth, admin):
    auth.login("admin")
    for path in ["/admin/users", "/admin/users/new", "/admin/outlets", "/admin/outlets/new", "/admin/tokens"]:
        assert client.get(path).status_code == 200, path


def test_admin_post_is_refused_to_a_clerk(client, auth, clerk, clerk2):
    auth.login("clerk-a")
    response = auth.post(f"/admin/users/{clerk2.id}/deactivate", {"deactivate-reason": "x"}, csrf_page="/home")
    assert response.status_code == 403
    db.session.refresh(clerk2)
    assert clerk2.active


def test_audit_page_is_for_supervisors_and_admins_only(client, auth, clerk, supervisor, admin):
    assert client.get("/audit/").status_code == 302
    auth.login("clerk-a")
    assert client.get("/audit/").status_code == 403
    auth.logout()
    auth.login("supervisor")
    assert client.get("/audit/").status_code == 200
    auth.logout()
    auth.login("admin")
    assert client.get("/audit/").status_code == 200


def test_navigation_shows_each_role_its_entries(client, auth, clerk, admin):
    auth.login("clerk-a")
    html = client.get("/home").get_data(as_text=True)
    assert "/audit/" not in html and "/admin/users" not in html
    auth.logout()
    auth.login("admin")
    html = client.get("/home").get_data(as_text=True)
    assert 'href="/admin/users"' in html and 'href="/audit/"' in html


# --- outlet scoping helper ----------------------------------------------------------------------------------

def _visible_usernames(actor) -> set[str]:
    return {u.username for u in db.session.scalars(scoped(select(User), actor, User.outlet_id))}


def test_clerk_sees_only_its_own_outlet(clerk, clerk2, other_clerk, supervisor):
    assert _visible_usernames(clerk) == {"clerk-a", "clerk-b"}
    assert _visible_usernames(other_clerk) == {"clerk-other"}


def test_supervisor_sees_every_outlet(clerk, other_clerk, supervisor):
    assert {"clerk-a", "clerk-other", "supervisor"} <= _visible_usernames(supervisor)


def test_actor_without_outlet_and_without_supervision_sees_nothing(admin, clerk):
    assert _visible_usernames(admin) == set()


def test_a_statement_written_once_is_scoped_by_the_same_rule(clerk, clerk2, other_clerk, supervisor, admin):
    written_once = ScopedStatement(select(User.username), User.outlet_id)
    for actor in (clerk, other_clerk, supervisor, admin):
        stmt, params = written_once.for_actor(actor)
        assert set(db.session.scalars(stmt, params)) == _visible_usernames(actor), actor.username
    assert written_once.for_actor(supervisor)[0] is written_once.every_outlet  # the same object: compiled once


def test_get_scoped_or_404_returns_own_outlet_object(clerk, clerk2):
    assert get_scoped_or_404(select(User).where(User.id == clerk2.id), clerk, User.outlet_id) is clerk2


def test_get_scoped_or_404_hides_another_outlets_object(clerk, other_clerk):
    with pytest.raises(NotFound):
        get_scoped_or_404(select(User).where(User.id == other_clerk.id), clerk, User.outlet_id)


def test_get_scoped_or_404_for_a_missing_object(supervisor):
    with pytest.raises(NotFound):
        get_scoped_or_404(select(User).where(User.id == 987654), supervisor, User.outlet_id)


def test_get_scoped_or_404_lets_a_supervisor_load_any_outlet(supervisor, other_clerk):
    assert get_scoped_or_404(select(User).where(User.id == other_clerk.id), supervisor, User.outlet_id) is other_clerk


def test_in_scope(clerk, other_clerk, supervisor, admin):
    assert in_scope(clerk, clerk.outlet_id)
    assert not in_scope(clerk, other_clerk.outlet_id)
    assert not in_scope(clerk, None)  # district-wide: supervisors only
    assert in_scope(supervisor, other_clerk.outlet_id) and in_scope(supervisor, None)
    assert not in_scope(admin, clerk.outlet_id)
    assert not in_scope(admin, None)


def test_scoped_can_show_more_rows_to_outlet_staff(clerk, other_clerk, admin):
    """``also`` adds rows beyond the actor's outlet (e.g. district sessions the clerk attended)."""
    visible = {u.username for u in db.session.scalars(
        scoped(select(User), clerk, User.outlet_id, also=User.username == "clerk-other"))}
    assert visible == {"clerk-a", "clerk-other"}
    nobody = {u.username for u in db.session.scalars(
        scoped(select(User), admin, User.outlet_id, also=User.username == "clerk-other"))}
    assert nobody == {"clerk-other"}
