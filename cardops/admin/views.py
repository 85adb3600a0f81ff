"""Administration: users, outlets, API tokens (role ``admin``)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select
from wtforms.fields.choices import SelectChoice

from cardops.admin import services as outlets
from cardops.admin.forms import (
    DeactivateForm,
    OutletForm,
    ResetPasswordForm,
    TokenForm,
    UserCreateForm,
    UserEditForm,
)
from cardops.auth import services as accounts
from cardops.auth.models import ApiToken, Role, User, UserRole
from cardops.core.access import current_actor, roles_required
from cardops.core.errors import NotFound
from cardops.core.forms import PostForm, run_for_form
from cardops.core.handlers import safe_back_url
from cardops.core.pagination import paginate, parse_page_args
from cardops.extensions import db
from cardops.outlets.models import Outlet
from cardops.outlets.services import all_outlets, outlet_by_code

bp = Blueprint("admin", __name__, url_prefix="/admin")
admin_required = roles_required(Role.ADMIN)


def _outlet_choices(form) -> None:
    form.outlet.choices = [SelectChoice("", _("（不属于网点）"))] + [
        SelectChoice(o.code, f"{o.code} {o.name}") for o in all_outlets()]


# --- users -----------------------------------------------------------------------------------------------

@bp.route("/users")
@admin_required
def users():
    page, per_page = parse_page_args(request.args, default_per_page=50)
    stmt = select(User).order_by(User.username)
    q = (request.args.get("q") or "").strip()
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(User.username.ilike(like), User.display_name.ilike(like)))
    if request.args.get("outlet"):
        stmt = stmt.join(User.outlet).where(Outlet.code == request.args["outlet"])
    if request.args.get("role"):
        stmt = stmt.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == request.args["role"])))
    listing = paginate(stmt, page, per_page)
    all_outlets = list(db.session.scalars(select(Outlet).order_by(Outlet.code)))
    return render_template("admin/users.html", listing=listing, q=q, outlets=all_outlets, roles=list(Role))


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def user_create():
    form = UserCreateForm()
    _outlet_choices(form)
    if form.validate_on_submit():
        outcome = run_for_form(form, lambda: accounts.create_user(
            current_actor(), username=form.username.data, display_name=form.display_name.data,
            roles=form.roles.data, outlet=outlet_by_code(form.outlet.data), password=form.password.data,
            email=form.email.data,
        ))
        if outcome.ok:
            user = outcome.value
            flash(_("已创建用户 %(username)s", username=user.username), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def user_edit(user_id: int):
    user = accounts.get_user_or_404(user_id)
    form = UserEditForm(obj=None if request.method == "POST" else user)
    _outlet_choices(form)
    if request.method == "GET":
        form.roles.data = sorted(user.roles)
        form.outlet.data = user.outlet.code if user.outlet else ""
    if form.validate_on_submit():
        outcome = run_for_form(form, lambda: accounts.update_user(
            current_actor(), user, display_name=form.display_name.data, roles=form.roles.data,
            outlet=outlet_by_code(form.outlet.data), email=form.email.data))
        if outcome.ok:
            flash(_("已保存"), "success")
            return redirect(url_for("admin.user_edit", user_id=user.id))
    tokens = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                .order_by(ApiToken.created_at.desc())).all()
    return render_template("admin/user_form.html", form=form, user=user, tokens=tokens,
                           reset_form=ResetPasswordForm(prefix="reset"),
                           deactivate_form=DeactivateForm(prefix="deactivate"), post_form=PostForm())


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@admin_required
def user_reset_password(user_id: int):
    user = accounts.get_user_or_404(user_id)
    form = ResetPasswordForm(prefix="reset")
    if form.validate_on_submit():
        accounts.reset_password(current_actor(), user, form.password.data)
        flash(_("已重置 %(username)s 的密码", username=user.username), "success")
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@admin_required
def user_deactivate(user_id: int):
    user = accounts.get_user_or_404(user_id)
    form = DeactivateForm(prefix="deactivate")
    if form.validate_on_submit():
        accounts.deactivate_user(current_actor(), user, form.reason.data)
        flash(_("已停用 %(username)s", username=user.username), "success")
    else:
        flash(_("请填写停用原因"), "error")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@admin_required
def user_reactivate(user_id: int):
    user = accounts.get_user_or_404(user_id)
    if PostForm().validate_on_submit():
        accounts.reactivate_user(current_actor(), user)
        flash(_("已重新启用 %(username)s", username=user.username), "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


# --- outlets ---------------------------------------------------------------------------------------------

@bp.route("/outlets")
@admin_required
def outlet_list():
    rows = db.session.scalars(select(Outlet).order_by(Outlet.code)).all()
    return render_template("admin/outlets.html", outlets=rows)


@bp.route("/outlets/new", methods=["GET", "POST"])
@admin_required
def outlet_create():
    form = OutletForm()
    if form.validate_on_submit():
        outcome = run_for_form(form, lambda: outlets.create_outlet(
            current_actor(), code=form.code.data, name=form.name.data, active=form.active.data))
        if outcome.ok:
            flash(_("已添加网点"), "success")
            return redirect(url_for("admin.outlet_list"))
    return render_template("admin/outlet_form.html", form=form, outlet=None)


@bp.route("/outlets/<code>", methods=["GET", "POST"])
@admin_required
def outlet_edit(code: str):
    outlet = outlet_by_code(code)
    if outlet is None:
        raise NotFound()
    form = OutletForm(obj=outlet)
    if form.validate_on_submit():
        outcome = run_for_form(form, lambda: outlets.update_outlet(
            current_actor(), outlet, name=form.name.data, active=form.active.data))
        if outcome.ok:
            flash(_("已保存"), "success")
            return redirect(url_for("admin.outlet_list"))
        return render_template("admin/outlet_form.html", form=form, outlet=outlet), outcome.status
    return render_template("admin/outlet_form.html", form=form, outlet=outlet)


# --- API tokens ------------------------------------------------------------------------------------------

@bp.route("/tokens", methods=["GET", "POST"])
@admin_required
def tokens():
    form = TokenForm()
    form.user.choices = [SelectChoice(u.id, f"{u.username}（{u.display_name}）") for u in
                         db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.username))]
    new_secret = None
    if form.validate_on_submit():
        outcome = run_for_form(form, lambda: accounts.issue_token(
            current_actor(), db.session.get(User, form.user.data), form.name.data or "api"))
        if outcome.ok:
            _, new_secret = outcome.value
    rows = db.session.scalars(select(ApiToken).order_by(ApiToken.created_at.desc())).all()
    return render_template("admin/tokens.html", form=form, tokens=rows, new_secret=new_secret,
                           post_form=PostForm())


@bp.route("/tokens/<int:token_id>/revoke", methods=["POST"])
@admin_required
def token_revoke(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise NotFound()
    if PostForm().validate_on_submit():
        accounts.revoke_token(current_actor(), token)
        flash(_("已撤销令牌 %(prefix)s…", prefix=token.prefix), "success")
    return redirect(safe_back_url(url_for("admin.tokens")))
