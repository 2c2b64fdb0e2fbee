"""The exchange: partners, agreements, case-by-case requests, corrections and destruction,
delivery. It knows envelopes, agreements, delivery and audit; the domains bring their own
envelope kinds (``Domain.handles``)."""

from smartborder.registry import Command, DemoStep, Domain, Job, NavItem
from smartborder.roles import Permission

DOMAIN = Domain(
    name="exchange",
    order=60,
    title="Exchange",
    models=("smartborder.exchange.models",),
    api_routers=("smartborder.exchange.router:router",),
    ui_routers=("smartborder.exchange.views:router",),
    templates=True,
    nav=(
        NavItem("Requests", "/exchange/requests", Permission.REQUESTS_READ),
        NavItem("Agreements", "/agreements", Permission.AGREEMENTS_READ),
    ),
    overview=("smartborder.exchange.overview",),
    commands=(
        Command("partners", "smartborder.exchange.cli:partners_app",
                "Register the partner nodes this node trusts."),
        Command("agreements", "smartborder.exchange.cli:agreements_app",
                "Information-sharing agreements (the SMU and its annexes): validate, propose, "
                "approve."),
        Command("exchange", "smartborder.exchange.cli:exchange_app",
                "Case-by-case requests, corrections, destruction, delivery and retention."),
    ),
    handles={
        "agreement-proposal": "smartborder.exchange.agreements:on_proposal",
        "agreement-signature": "smartborder.exchange.agreements:on_signature",
        "agreement-rejection": "smartborder.exchange.agreements:on_rejection",
        "agreement-termination": "smartborder.exchange.agreements:on_termination",
        "case-request": "smartborder.exchange.requests:on_request",
        "case-response": "smartborder.exchange.requests:on_response",
        "case-refusal": "smartborder.exchange.requests:on_refusal",
        "correction": "smartborder.exchange.notices:on_correction",
        "destruction": "smartborder.exchange.notices:on_destruction",
        "notice-confirmation": "smartborder.exchange.notices:on_confirmation",
        "certificate-rotation": "smartborder.exchange.certificates:on_certificate",
        "signing-key-rotation": "smartborder.exchange.certificates:on_signing_key",
    },
    sends=(
        "agreement-proposal", "agreement-signature", "agreement-rejection",
        "agreement-termination", "case-request", "case-response", "case-refusal",
        "correction", "destruction", "notice-confirmation", "certificate-rotation",
        "signing-key-rotation",
    ),
    jobs=(
        Job("partner data retention", "smartborder.exchange.lifecycle:purge_partner_data",
            lambda _s: 3600.0),
    ),
    metrics=("smartborder.exchange.metrics:outbox",),
    readiness=("smartborder.exchange.lifecycle:partners_ready",),
    scenario=(
        DemoStep(10, "smartborder.demo.exchange:run_scenario", "Exchanging under agreements…"),
    ),
)  # fmt: skip
