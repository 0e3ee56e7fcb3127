"""Who may write what: role and village of the actor, checked before anything is written."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from portal.kernel.errors import PermissionDenied
from portal.kernel.history import ACTIONS, ROLES as ROLE_NAMES
from portal.kernel.messages import say
from portal.kernel.registry import COMMITTEE, ROLES, VILLAGE_ROLES, Registry


@dataclass(frozen=True)
class Actor:
    """Who makes a change; the log names them as `<role>:<username>`.

    `village` is the code of the village an account belongs to (staff and committee members);
    None for township officers, the system and villagers without an account.
    """

    username: str
    role: str
    user_id: int | None = None
    village: str | None = None
    # The committee member who approved publishing this actor's draft: the log names both,
    # `staff:<author>+committee:<approver>` (usernames never contain "+").
    approved_by: Actor | None = None

    @property
    def label(self) -> str:
        own = f"{self.role}:{self.username}"
        return f"{own}+{self.approved_by.label}" if self.approved_by else own

    def approved(self, approver: Actor) -> Actor:
        """This actor publishing a draft that `approver` approved."""
        return Actor(self.username, self.role, self.user_id, self.village, approved_by=approver)


def authorize(registry: Registry, actor: Actor, log: str, actions: Iterable[str]) -> None:
    """Raises PermissionDenied unless `actor` may perform every one of `actions` on village log `log`."""
    if actor.role not in ROLES:
        raise PermissionDenied(say("未知的角色“%(role)s”，不能修改任何记录", role=actor.role))
    for action in actions:
        entity, _, verb = action.rpartition(".")
        record_type = registry.get(entity)
        if record_type is None:
            raise PermissionDenied(say("未登记的记录类型“%(entity)s”，不能写入日志", entity=entity))
        allowed = record_type.writers.get(verb, frozenset())
        if actor.role not in allowed:
            who = ROLE_NAMES.get(actor.role, actor.role)
            raise PermissionDenied(say("%(who)s无权%(verb)s%(kind)s",
                                       who=who, verb=ACTIONS.get(verb, verb), kind=record_type.name))
        if actor.role in VILLAGE_ROLES and actor.village != log:
            raise PermissionDenied(say("只能修改本村的%(kind)s：该账号不属于此村", kind=record_type.name))
    approver = actor.approved_by
    if approver is not None:
        if approver.role != COMMITTEE or approver.approved_by is not None:
            raise PermissionDenied(say("只有监委会成员才能批准发布"))
        if approver.village != log:
            raise PermissionDenied(say("只能批准本村的记录：该监委会账号不属于此村"))
