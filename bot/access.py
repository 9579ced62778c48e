"""Who is asking, and what they may see: roles with scopes, resolved once per update."""

from dataclasses import dataclass, field

from bot.i18n import N_
from storage.models import Member, Role, RoleAssignment, ScopeKind

# Display order: the most powerful role first.
ROLE_ORDER = (Role.ADMIN, Role.BLOC_HEAD, Role.BLOC_DEPUTY, Role.UNIT_OFFICER, Role.MEMBER)

ROLE_NAMES = {
    Role.MEMBER: N_("member"),
    Role.UNIT_OFFICER: N_("emulation officer"),
    Role.BLOC_HEAD: N_("bloc head"),
    Role.BLOC_DEPUTY: N_("deputy bloc head"),
    Role.ADMIN: N_("administrator"),
}


@dataclass(frozen=True)
class Grant:
    role: Role
    scope_kind: ScopeKind
    scope_id: int | None


@dataclass(frozen=True)
class Viewer:
    """The person behind an update: their roster record (if linked) and their grants."""

    telegram_user_id: int
    member: Member | None = None
    grants: tuple[Grant, ...] = field(default_factory=tuple)

    @classmethod
    def from_assignments(
        cls, telegram_user_id: int, member: Member | None, assignments: list[RoleAssignment]
    ) -> "Viewer":
        grants = tuple(
            Grant(assignment.role, assignment.scope_kind, assignment.scope_id)
            for assignment in assignments
        )
        return cls(telegram_user_id=telegram_user_id, member=member, grants=grants)

    @property
    def is_linked(self) -> bool:
        return self.member is not None

    @property
    def roles(self) -> set[Role]:
        held = {grant.role for grant in self.grants}
        if self.member is not None:
            held.add(Role.MEMBER)
        return held

    @property
    def main_role(self) -> Role | None:
        """The highest role held, for greetings and command menus."""
        held = self.roles
        return next((role for role in ROLE_ORDER if role in held), None)

    @property
    def is_admin(self) -> bool:
        return any(grant.role == Role.ADMIN for grant in self.grants)

    def unit_ids_managed(self) -> set[int]:
        """Units whose officer this person is."""
        return {
            grant.scope_id
            for grant in self.grants
            if grant.role == Role.UNIT_OFFICER and grant.scope_id is not None
        }

    def bloc_ids_led(self) -> set[int]:
        """Blocs this person heads or deputises for."""
        return {
            grant.scope_id
            for grant in self.grants
            if grant.role in (Role.BLOC_HEAD, Role.BLOC_DEPUTY) and grant.scope_id is not None
        }

    def may_manage_unit(self, unit_id: int, bloc_id: int | None) -> bool:
        """Admins everywhere, bloc heads in their bloc, officers in their own unit."""
        if self.is_admin or unit_id in self.unit_ids_managed():
            return True
        return bloc_id is not None and bloc_id in self.bloc_ids_led()

    def may_decide_collective(self, bloc_id: int | None) -> bool:
        """A unit's own (collective) pledge is decided above the unit: its bloc's heads or admins.

        The unit's officer entered it, so they do not approve it themselves.
        """
        return self.is_admin or (bloc_id is not None and bloc_id in self.bloc_ids_led())


def roster_role_scope(role: Role, unit_id: int, bloc_id: int | None) -> Grant | None:
    """The scoped grant a roster or invite role gives; None when nothing extra is granted.

    A member needs no grant (being linked is enough). A bloc role in a unit with no bloc
    cannot be scoped, which the caller reports.
    """
    if role == Role.MEMBER:
        return None
    if role == Role.UNIT_OFFICER:
        return Grant(role, ScopeKind.UNIT, unit_id)
    if role in (Role.BLOC_HEAD, Role.BLOC_DEPUTY):
        return Grant(role, ScopeKind.BLOC, bloc_id) if bloc_id is not None else None
    return Grant(role, ScopeKind.ALL, None)
