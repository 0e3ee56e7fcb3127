"""Who may open a workspace page: a signed-in account of the right role, acting for its village."""
from __future__ import annotations

from flask import Blueprint, abort
from flask_login import current_user, login_required

from portal.accounts.models import Role
from portal.accounts.services import actor_for
from portal.kernel.messages import say
from portal.kernel.transaction import Actor

ROLE_PAGES = {Role.STAFF: "村干部", Role.COMMITTEE: "监委会成员", Role.TOWNSHIP: "镇干部"}


def actor_of(role: Role) -> Actor:
    """The signed-in account as an actor; 403 with a plain message if it has another role.
    (Anonymous readers are sent to the login page by `login_required` before this.)"""
    if current_user.role is not role or current_user.village is None and role is not Role.TOWNSHIP:
        abort(403, say("此页面仅供%(role)s使用", role=ROLE_PAGES[role]))
    return actor_for(current_user)


def village_actor(role: Role) -> tuple[Actor, str]:
    """The signed-in staff or committee member as an actor, with the code of their village."""
    actor = actor_of(role)
    assert actor.village is not None
    return actor, actor.village


@login_required  # type: ignore[untyped-decorator]  # flask_login has no type information
def _signed_in() -> None:
    """Nothing more: `login_required` answers an anonymous request before any page runs."""


def require_sign_in(blueprint: Blueprint) -> None:
    """Every page of `blueprint` needs a signed-in account (anonymous readers go to the login page)."""
    blueprint.before_request(_signed_in)
