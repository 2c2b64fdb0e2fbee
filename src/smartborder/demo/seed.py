"""The demo's two nodes, their users, and the seeding steps of the node's own domains (users,
people); each domain declares its seeding steps (``Domain.seed``), run in order by ``run``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from smartborder.identity import service as identity
from smartborder.roles import Role
from smartborder.settings import Settings
from smartborder.synthetic.people import PeopleGenerator
from smartborder.users import service as users


@dataclass(frozen=True)
class DemoNode:
    node_id: str
    name: str
    country: str
    seed_offset: int


NODES: tuple[DemoNode, ...] = (
    DemoNode("ca", "Canada Border Services Agency", "CA", 0),
    DemoNode("us", "U.S. Customs and Border Protection", "US", 1),
)

DEMO_USERS: tuple[tuple[str, Role], ...] = (
    ("supervisor", Role.SUPERVISOR),
    ("analyst", Role.ANALYST),
    ("officer", Role.PROGRAM_OFFICER),
    ("asylum", Role.ASYLUM_OFFICER),
    ("policy", Role.POLICY_ANALYST),
    ("auditor", Role.AUDITOR),
)


def demo_password(node_id: str, username: str) -> str:
    """Demo credentials are public by design: never use the demo data directories in production."""
    return f"demo-{node_id}-{username}"


@dataclass(frozen=True)
class SeedContext:
    node: DemoNode
    settings: Settings
    seed: int
    people: int
    lookouts: int = 0


Seeder = Callable[[Session, SeedContext], str]


def seed_users(session: Session, ctx: SeedContext) -> str:
    for username, role in DEMO_USERS:
        users.create_user(
            session,
            username=username,
            role=role.value,
            password=demo_password(ctx.node.node_id, username),
            display_name=f"{username.capitalize()} ({ctx.node.node_id.upper()})",
        )
    return f"{len(DEMO_USERS) + 1} users"


def seed_people(session: Session, ctx: SeedContext) -> str:
    generator = PeopleGenerator(ctx.seed + ctx.node.seed_offset, ctx.node.country)
    for person in generator.people(ctx.people):
        identity.create_person(session, person)
    return f"{ctx.people} people"
