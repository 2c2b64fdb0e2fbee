"""Roles and what each may do: the one table every access check consults."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    ANALYST = "analyst"
    PROGRAM_OFFICER = "program-officer"
    ASYLUM_OFFICER = "asylum-officer"
    POLICY_ANALYST = "policy-analyst"
    AUDITOR = "auditor"


class Permission(StrEnum):
    NODE_READ = "node:read"
    USERS_MANAGE = "users:manage"
    TOKENS_OWN = "tokens:own"
    PEOPLE_READ = "people:read"
    DOCUMENTS_CHECK = "documents:check"


_EVERYONE = frozenset({Permission.NODE_READ, Permission.TOKENS_OWN, Permission.DOCUMENTS_CHECK})

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.SUPERVISOR: _EVERYONE | {Permission.PEOPLE_READ},
    Role.ANALYST: _EVERYONE | {Permission.PEOPLE_READ},
    Role.PROGRAM_OFFICER: _EVERYONE | {Permission.PEOPLE_READ},
    Role.ASYLUM_OFFICER: _EVERYONE | {Permission.PEOPLE_READ},
    Role.POLICY_ANALYST: _EVERYONE,
    Role.AUDITOR: _EVERYONE | {Permission.PEOPLE_READ},
}


def allowed(role: str, permission: Permission) -> bool:
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False
