"""Biometrics: matchers per modality, galleries of templates and 1:N identification."""

from smartborder.registry import Command, DemoStep, Domain, Job, NavItem
from smartborder.roles import Permission

DOMAIN = Domain(
    name="biometrics",
    order=25,
    title="Biometrics",
    models=("smartborder.biometrics.models",),
    api_routers=("smartborder.biometrics.router:router",),
    ui_routers=("smartborder.biometrics.views:router",),
    templates=True,
    nav=(NavItem("Fingerprints", "/fingerprints", Permission.BIOMETRICS_VERIFY),),
    services=("smartborder.biometrics.lifecycle:biometrics",),
    startup=("smartborder.biometrics.lifecycle:load_galleries",),
    handles={
        "fingerprint-search": "smartborder.biometrics.searches:on_search",
        "fingerprint-search-result": "smartborder.biometrics.searches:on_result",
    },
    sends=("fingerprint-search", "fingerprint-search-result"),
    jobs=(
        Job(
            "fingerprint searches",
            "smartborder.biometrics.lifecycle:answer_searches",
            lambda s: s.exchange_dispatch_interval_seconds or None,
        ),
    ),
    seed=(DemoStep(60, "smartborder.demo.biometrics:seed_prints"),),
    scenario=(
        DemoStep(
            60,
            "smartborder.demo.biometrics:run_fingerprints",
            "Fingerprints: a kiosk's check and a gallery search…",
        ),
        DemoStep(
            62,
            "smartborder.demo.biometrics:run_irises_and_faces",
            "Irises and faces: a kiosk's iris search and face check…",
        ),
        DemoStep(
            61,
            "smartborder.demo.biometrics:run_fingerprint_exchange",
            "Fingerprints: ca searches us's criminal records (ANSI/NIST-ITL)…",
        ),
    ),
    commands=(
        Command(
            "biometrics",
            "smartborder.biometrics.cli:biometrics_app",
            "Biometrics: sample quality, templates, 1:1 verification.",
        ),
    ),
)
