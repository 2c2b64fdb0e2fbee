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
    PLANNER = "planner"
    AUDITOR = "auditor"


class Permission(StrEnum):
    NODE_READ = "node:read"
    USERS_MANAGE = "users:manage"
    TOKENS_OWN = "tokens:own"
    PEOPLE_READ = "people:read"
    DOCUMENTS_CHECK = "documents:check"
    PARTNERS_MANAGE = "partners:manage"
    AGREEMENTS_READ = "agreements:read"
    AGREEMENTS_DECIDE = "agreements:decide"
    REQUESTS_READ = "requests:read"
    REQUESTS_CREATE = "requests:create"
    REQUESTS_DECIDE = "requests:decide"
    NOTICES_SEND = "notices:send"
    AUDIT_READ = "audit:read"
    AUDIT_CHECKPOINT = "audit:checkpoint"
    LOOKOUTS_READ = "lookouts:read"
    LOOKOUTS_MANAGE = "lookouts:manage"
    SCREENING_RUN = "screening:run"
    TRAVEL_READ = "travel:read"
    TRAVEL_INGEST = "travel:ingest"
    TRAVEL_HOLD = "travel:hold"
    RISK_MODEL_EDIT = "risk-model:edit"
    RISK_MODEL_ACTIVATE = "risk-model:activate"
    TRAVEL_DISPOSE = "travel:dispose"
    TRAVEL_CHECK = "travel:check"
    VISA_READ = "visa:read"
    VISA_MANAGE = "visa:manage"
    MODEL_READ = "model:read"
    MODEL_RUN = "model:run"
    BIOMETRICS_VERIFY = "biometrics:verify"
    BIOMETRICS_ENROL = "biometrics:enrol"
    ASYLUM_DETERMINE = "asylum:determine"
    ASYLUM_READ = "asylum:read"
    PROGRAMS_READ = "programs:read"
    PROGRAMS_MANAGE = "programs:manage"
    PROGRAMS_LANE = "programs:lane"
    CARGO_READ = "cargo:read"
    CARGO_REPORT = "cargo:report"
    CARGO_TARGET = "cargo:target"
    CARGO_PARTIES = "cargo:parties"
    OPERATIONS_READ = "operations:read"
    OPERATIONS_SHARE = "operations:share"
    REMOVALS_READ = "removals:read"
    REMOVALS_MANAGE = "removals:manage"
    IBET = "ibet:cases"  # IBET cases; each case's own members alone read it (need-to-know)


_EVERYONE = frozenset(
    {
        Permission.NODE_READ,
        Permission.TOKENS_OWN,
        Permission.DOCUMENTS_CHECK,
        Permission.AGREEMENTS_READ,
        Permission.VISA_READ,
        Permission.MODEL_READ,
        Permission.OPERATIONS_READ,  # counts by hour: no one's record
    }
)
_OFFICER = _EVERYONE | {
    Permission.REQUESTS_READ,
    Permission.REQUESTS_CREATE,
    Permission.LOOKOUTS_READ,
    Permission.SCREENING_RUN,
    Permission.BIOMETRICS_VERIFY,
    Permission.PROGRAMS_LANE,
}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # asylum claims are seen by asylum officers and auditors only, not by administrators
    Role.ADMIN: frozenset(Permission) - {Permission.ASYLUM_DETERMINE, Permission.ASYLUM_READ},
    Role.SUPERVISOR: _OFFICER
    | {
        Permission.PEOPLE_READ,
        Permission.AGREEMENTS_DECIDE,
        Permission.REQUESTS_DECIDE,
        Permission.NOTICES_SEND,
        Permission.AUDIT_CHECKPOINT,
        Permission.LOOKOUTS_MANAGE,
        Permission.TRAVEL_READ,
        Permission.TRAVEL_INGEST,
        Permission.TRAVEL_HOLD,
        Permission.RISK_MODEL_EDIT,
        Permission.RISK_MODEL_ACTIVATE,
        Permission.TRAVEL_DISPOSE,
        Permission.TRAVEL_CHECK,
        Permission.VISA_MANAGE,
        Permission.MODEL_RUN,
        Permission.BIOMETRICS_ENROL,
        Permission.PROGRAMS_READ,
        Permission.PROGRAMS_MANAGE,
        Permission.CARGO_READ,
        Permission.CARGO_REPORT,
        Permission.CARGO_TARGET,
        Permission.CARGO_PARTIES,
        Permission.OPERATIONS_SHARE,  # aggregates to the partner under the statistics annex
        Permission.REMOVALS_READ,
        Permission.REMOVALS_MANAGE,
        Permission.IBET,
    },
    Role.ANALYST: _OFFICER
    | {
        Permission.PEOPLE_READ,
        Permission.LOOKOUTS_MANAGE,
        Permission.TRAVEL_READ,
        Permission.TRAVEL_INGEST,
        Permission.TRAVEL_HOLD,
        Permission.RISK_MODEL_EDIT,
        Permission.TRAVEL_DISPOSE,
        Permission.TRAVEL_CHECK,
        Permission.CARGO_READ,
        Permission.CARGO_REPORT,
        Permission.CARGO_TARGET,
        Permission.REMOVALS_READ,
        Permission.IBET,
    },
    Role.PROGRAM_OFFICER: _OFFICER
    | {
        Permission.PEOPLE_READ,
        Permission.BIOMETRICS_ENROL,
        Permission.PROGRAMS_READ,
        Permission.PROGRAMS_MANAGE,
        Permission.CARGO_READ,
        Permission.CARGO_PARTIES,
    },
    Role.ASYLUM_OFFICER: _OFFICER
    | {
        Permission.PEOPLE_READ,
        Permission.BIOMETRICS_ENROL,
        Permission.ASYLUM_DETERMINE,
        Permission.ASYLUM_READ,
    },
    Role.POLICY_ANALYST: _OFFICER | {Permission.VISA_MANAGE, Permission.MODEL_RUN},
    Role.PLANNER: _EVERYONE | {Permission.MODEL_RUN},
    Role.AUDITOR: _EVERYONE
    | {
        Permission.PEOPLE_READ,
        Permission.REQUESTS_READ,
        Permission.AUDIT_READ,
        Permission.LOOKOUTS_READ,
        Permission.TRAVEL_READ,
        Permission.ASYLUM_READ,
        Permission.PROGRAMS_READ,
        Permission.CARGO_READ,
        Permission.REMOVALS_READ,
    },
}


def allowed(role: str, permission: Permission) -> bool:
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False
