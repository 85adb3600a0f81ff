"""Users have an optional e-mail address for reminders (SPEC §7): admin form, ``users create --email``, checked."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cardops.audit.models import AuditEntry
from cardops.auth import services as accounts
from cardops.auth.services import find_user
from cardops.core.errors import ValidationError
from cardops.extensions import db
from tests.admin.test_admin_users import NEW_PASSWORD, create
from tests.guards import field_errors


def test_admin_creates_a_user_with_an_address(as_admin):
    response = create(as_admin, email=" Zhang.San@PuTuo.Example.GOV.cn ")
    assert response.status_code == 302
    assert find_user("new-clerk").email == "Zhang.San@putuo.example.gov.cn"  # the domain in lower case


def test_the_address_is_optional(as_admin):
    assert create(as_admin, email="").status_code == 302
    assert find_user("new-clerk").email is None


@pytest.mark.parametrize("bad", ["zhangsan", "zhang san@example.cn", "a@b", "@example.cn", "张三@例子.中国",
                                 "a@-example.cn", "x" * 250 + "@example.cn"])
def test_a_bad_address_is_shown_on_the_form(as_admin, bad):
    response = create(as_admin, email=bad)
    assert response.status_code == 200  # the form again (as every refusal of the admin forms)
    assert "电子邮箱" in field_errors(response.get_data(as_text=True))
    assert find_user("new-clerk") is None


def test_admin_changes_and_removes_an_address_audited(client, as_admin, clerk):
    form = {"display_name": clerk.display_name, "roles": ["clerk"], "outlet": "PT01"}
    assert as_admin.post(f"/admin/users/{clerk.id}", {**form, "email": "clerk.a@example.gov.cn"}).status_code == 302
    assert db.session.get(type(clerk), clerk.id).email == "clerk.a@example.gov.cn"
    assert 'value="clerk.a@example.gov.cn"' in client.get(f"/admin/users/{clerk.id}").get_data(as_text=True)
    as_admin.post(f"/admin/users/{clerk.id}", {**form, "email": ""})
    assert db.session.get(type(clerk), clerk.id).email is None
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "admin.user_updated")
                                 .order_by(AuditEntry.seq)).all()
    assert entries[0].detail["after"]["email"] == "clerk.a@example.gov.cn"
    assert entries[1].detail["before"]["email"] == "clerk.a@example.gov.cn"
    assert entries[1].detail["after"]["email"] is None


def test_update_user_without_email_keeps_it(clerk):
    clerk.email = "keep@example.gov.cn"
    accounts.update_user(None, clerk, display_name="改名", roles=["clerk"], outlet=clerk.outlet)
    assert clerk.email == "keep@example.gov.cn"


def test_create_user_refuses_a_bad_address_naming_the_field(outlet):
    with pytest.raises(ValidationError) as refused:
        accounts.create_user(None, username="x", display_name="x", roles=["clerk"], outlet=outlet,
                             password=NEW_PASSWORD, email="not-an-address")
    assert "email" in refused.value.fields


def test_cli_users_create_with_email(runner):
    result = runner.invoke(args=["users", "create", "mailer", "--role", "supervisor", "--password", NEW_PASSWORD,
                                 "--email", "mailer@example.gov.cn"])
    assert result.exit_code == 0, result.output
    assert "email=mailer@example.gov.cn" in result.output
    assert find_user("mailer").email == "mailer@example.gov.cn"
    bad = runner.invoke(args=["users", "create", "mailer2", "--role", "supervisor", "--password", NEW_PASSWORD,
                              "--email", "nope"])
    assert bad.exit_code != 0 and "email" in bad.output and find_user("mailer2") is None
