"""The tamper-evident audit log: the hash chain, its signed heads and partner checkpoints."""

from smartborder.registry import Command, Domain, Job, NavItem
from smartborder.roles import Permission

DOMAIN = Domain(
    name="audit",
    order=70,
    title="Audit",
    models=("smartborder.audit.models",),
    api_routers=("smartborder.audit.router:router",),
    ui_routers=("smartborder.audit.views:router",),
    templates=True,
    nav=(NavItem("Audit", "/audit", Permission.AUDIT_READ),),
    commands=(
        Command("audit", "smartborder.audit.cli:audit_app", "The node's tamper-evident audit log."),
    ),
    handles={
        "audit-checkpoint": "smartborder.audit.checkpoints:on_checkpoint",
        "audit-receipt": "smartborder.audit.checkpoints:on_receipt",
    },
    sends=("audit-checkpoint", "audit-receipt"),
    metrics=("smartborder.audit.metrics:chain",),
    services=("smartborder.audit.lifecycle:head_log",),
    jobs=(
        Job("signed audit heads", "smartborder.audit.lifecycle:sign_heads",
            lambda s: float(s.audit_head_seconds)),
        Job("audit checkpoints", "smartborder.audit.lifecycle:send_checkpoints",
            lambda s: s.audit_checkpoint_minutes * 60.0 if s.audit_checkpoint_minutes else None),
    ),
)  # fmt: skip
