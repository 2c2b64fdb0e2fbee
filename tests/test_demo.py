"""The two-agency demo as a person meets it: real processes, a real browser."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from smartborder.demo.run import DEMO_USERS, NODES, demo_password
from smartborder.exchange.document import TEMPLATES
from tests.conftest import free_port

pytestmark = pytest.mark.demo
PEOPLE = 40
LOOKOUTS = 300
SPECIMEN = (
    "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10"
)
CHROMIUM = "/usr/bin/chromium"
NODES_IDS = ("ca", "us")
# `UPDATE_SCREENSHOTS=1 uv run pytest tests/test_demo.py` refreshes the README's screenshot.
README_SCREENSHOT = Path(__file__).resolve().parents[1] / "docs" / "img" / "people.png"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    base = tmp_path_factory.mktemp("demo")
    ports = {"ca": free_port(), "us": free_port()}
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMARTBORDER_")}
    log = (base / "demo.log").open("w")
    command = [
        sys.executable,
        "-m",
        "smartborder",
        "demo",
        "--base-dir",
        str(base / "data"),
        "--ca-port",
        str(ports["ca"]),
        "--us-port",
        str(ports["us"]),
        "--people",
        str(PEOPLE),
        "--lookouts",
        str(LOOKOUTS),
    ]
    with log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    urls = {node: f"http://127.0.0.1:{port}" for node, port in ports.items()}
    # generous bounds: the test command runs the SQLite and PostgreSQL suites side by side
    deadline = time.monotonic() + 900  # every step, on a machine running two suites
    while "Both nodes are up" not in (base / "demo.log").read_text():
        assert process.poll() is None, (base / "demo.log").read_text()
        assert time.monotonic() < deadline, "demo did not come up in 900 s"
        time.sleep(0.3)
    yield urls
    process.send_signal(signal.SIGINT)
    try:
        process.wait(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)
        pytest.fail(
            "the demo did not stop within 120 s of Ctrl-C:\n"
            + (base / "demo.log").read_text()[-3000:]
        )
    output = (base / "demo.log").read_text()
    assert process.returncode == 0, output
    assert "Demo stopped." in output
    for url in urls.values():
        with pytest.raises(httpx.TransportError):
            httpx.get(url + "/api/v1/health", timeout=2)


def _signed_in(url: str, username: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=10)
    page = client.get("/login").text
    token = page.split('name="login_csrf" value="', 1)[1].split('"', 1)[0]
    form = {"username": username, "password": password, "login_csrf": token, "next": "/"}
    assert client.post("/login", data=form).status_code == 303
    return client


def _analysts(demo: dict[str, str]) -> dict[str, httpx.Client]:
    """An analyst's API session on each node."""
    return {
        node_id: _signed_in(demo[node_id], "analyst", demo_password(node_id, "analyst"))
        for node_id in ("ca", "us")
    }


@contextmanager
def _browser_page() -> Iterator[Any]:
    """A page of Debian's chromium, closed after the block."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser.new_page(viewport={"width": 1280, "height": 900})
        finally:
            browser.close()


def _sign_in(page: Any, demo: dict[str, str], node_id: str, username: str) -> None:
    """Sign in through the login form in the browser."""
    page.goto(demo[node_id] + "/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(demo_password(node_id, username))
    page.get_by_role("button", name="Sign in").click()


def test_two_separate_nodes_with_their_own_data(demo: dict[str, str]) -> None:
    infos = {}
    for node in NODES:
        with closing(
            _signed_in(demo[node.node_id], "admin", demo_password(node.node_id, "admin"))
        ) as c:
            infos[node.node_id] = c.get("/api/v1/node").json()
            people = c.get("/api/v1/people", params={"limit": 1}).json()
            assert people["total"] == PEOPLE
            users = {u["username"] for u in c.get("/api/v1/users").json()}
            assert users == {"admin"} | {name for name, _ in DEMO_USERS}
    assert infos["ca"]["country"] == "CA"
    assert infos["us"]["country"] == "US"
    assert infos["ca"]["signing_key_fingerprint"] != infos["us"]["signing_key_fingerprint"]
    # Credentials of one node mean nothing on the other.
    with httpx.Client(base_url=demo["us"]) as other:
        page = other.get("/login").text
        token = page.split('name="login_csrf" value="', 1)[1].split('"', 1)[0]
        form = {"username": "admin", "password": demo_password("ca", "admin"), "login_csrf": token}
        assert other.post("/login", data=form).status_code == 401


def test_a_person_signs_in_to_each_node_in_a_browser(demo: dict[str, str], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for node in NODES:
                page = browser.new_page(viewport={"width": 1280, "height": 800})
                page.goto(demo[node.node_id] + "/")
                expect(page).to_have_url(f"{demo[node.node_id]}/login?next=/")
                page.get_by_label("Username").fill("analyst")
                page.get_by_label("Password").fill(demo_password(node.node_id, "analyst"))
                page.get_by_role("button", name="Sign in").click()
                expect(page.locator("header .brand")).to_contain_text(node.name)
                expect(page.locator("header nav")).not_to_contain_text("Users")
                page.get_by_role("link", name="People", exact=True).click()
                expect(page.locator("#people")).to_contain_text(f"{PEOPLE} people")
                if node.node_id == "ca" and os.environ.get("UPDATE_SCREENSHOTS") == "1":
                    page.screenshot(path=str(README_SCREENSHOT))
                first = page.locator("#people tbody tr").first.locator("td").nth(5).inner_text()
                number = first.split()[-1]
                page.get_by_label("Search people").fill(number)
                expect(page.locator("#people")).to_contain_text("1 person")
                page.screenshot(path=str(tmp_path / f"{node.node_id}.png"), full_page=True)
                page.get_by_role("link", name="Document check").click()
                page.get_by_label("MRZ").fill(SPECIMEN)
                page.get_by_role("button", name="Check").click()
                expect(page.locator("#report")).to_contain_text(
                    "the document expired on 2012-04-15"
                )
                expect(page.locator("#report")).to_contain_text("ERIKSSON")
                page.get_by_role("button", name="Sign out").click()
                expect(page.get_by_role("status")).to_contain_text("You have signed out")
                page.goto(demo[node.node_id] + "/people")
                expect(page).to_have_url(f"{demo[node.node_id]}/login?next=/people")
                page.close()
        finally:
            browser.close()
    assert (tmp_path / "ca.png").stat().st_size > 10_000


def test_the_nodes_exchanged_under_agreements(demo: dict[str, str], tmp_path: Path) -> None:
    from playwright.sync_api import expect, sync_playwright

    analyst = _signed_in(demo["ca"], "analyst", demo_password("ca", "analyst"))
    [request] = analyst.get("/api/v1/exchange/requests").json()
    assert request["state"] == "answered"
    assert request["response"]["found"] is True
    for node_id in ("ca", "us"):
        statuses = {a["id"]: a["status"] for a in analyst.get("/api/v1/agreements").json()}
        assert set(statuses.values()) == {"in-force"}
        assert len(statuses) == len(TEMPLATES)  # the SMU and every annex
        auditor = _signed_in(demo[node_id], "auditor", demo_password(node_id, "auditor"))
        try:
            assert auditor.get("/api/v1/audit/verify").json()["ok"] is True
        finally:
            auditor.close()
    analyst.close()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        try:
            page = browser.new_page()
            _sign_in(page, demo, "us", "supervisor")
            page.get_by_role("link", name="Requests").click()
            page.get_by_role("link", name="Incoming (asked of us)").click()
            expect(page.locator("table")).to_contain_text("OKAFOR")
            expect(page.locator("table")).to_contain_text("answered")
            page.get_by_role("link", name="Agreements").click()
            expect(page.locator("table")).to_contain_text("Asylum Annex")
            page.screenshot(path=str(tmp_path / "agreements.png"), full_page=True)
            page.goto(demo["us"] + "/logout")
            _sign_in(page, demo, "ca", "auditor")
            page.get_by_role("link", name="Audit").click()
            page.get_by_role("link", name="Verify the chain").click()
            expect(page.locator("p.ok")).to_contain_text("Chain verified")
            expect(page.locator("body")).to_contain_text("smu-case-by-case")
        finally:
            browser.close()


def test_lookouts_flow_both_ways_and_partner_hits_show_in_the_browser(
    demo: dict[str, str], tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    clients = _analysts(demo)
    try:
        for node_id, partner in (("ca", "us"), ("us", "ca")):
            listed = clients[node_id].get(
                "/api/v1/screening/lookouts", params={"origin": partner, "limit": 1}
            )
            # every tenth synthetic lookout and the two planted ones are shared
            assert listed.json()["total"] == LOOKOUTS // 10 + 2
        copy = (
            clients["us"]
            .get(
                "/api/v1/screening/lookouts",
                params={"q": "Carlos Eduardo Mendoza Ruiz", "origin": "ca"},
            )
            .json()["items"]
        )
        assert [item["state"] for item in copy] == ["retracted"]
    finally:
        for client in clients.values():
            client.close()
    with _browser_page() as page:
        _sign_in(page, demo, "us", "officer")
        page.get_by_role("link", name="Screen", exact=True).click()
        page.get_by_label("Names, one per line").fill("VOLKOV DMITRIY")
        page.get_by_label("Date of birth").fill("1976-11-03")
        page.get_by_role("button", name="Screen").click()
        result = page.locator("#result")
        expect(result).to_contain_text("1 hit")
        expect(result).to_contain_text("partner-provided (ca)")
        expect(result.locator("table.evidence")).to_contain_text("birth_date")
        expect(result.locator("table.evidence")).to_contain_text("exact")
        page.screenshot(path=str(tmp_path / "screen.png"), full_page=True)
        result.get_by_role("link").first.click()
        expect(page.locator("main")).to_contain_text("Only ca can change or retract")


def test_a_day_of_flights_is_browsable_with_resolved_travellers(
    demo: dict[str, str], tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    for node_id in ("ca", "us"):
        client = _signed_in(demo[node_id], "analyst", demo_password(node_id, "analyst"))
        try:
            flights = client.get("/api/v1/travel/flights", params={"limit": 500}).json()
            assert flights["total"] == 12
            assert all(f["passengers"] > 0 and f["crew"] > 0 for f in flights["items"])
            held = client.get("/api/v1/travel/messages", params={"state": "quarantined"})
            assert held.json()["total"] == 0
        finally:
            client.close()
    with _browser_page() as page:
        _sign_in(page, demo, "ca", "analyst")
        page.get_by_role("link", name="Flights", exact=True).click()
        expect(page.locator("main")).to_contain_text("12 flights")
        page.locator("main table a").first.click()
        manifest = page.locator("#manifest")
        expect(manifest).to_contain_text("document")  # PAXLST linked to the PNR's traveller
        expect(page.locator("main")).to_contain_text("Message history")
        manifest.locator("tr", has_text="passenger").first.locator("a").first.click()
        mentions = page.locator("#mentions")
        expect(mentions).to_contain_text("PNRGOV")
        expect(mentions).to_contain_text("PAXLST")
        expect(mentions).to_contain_text("is held by this traveller")
        page.screenshot(path=str(tmp_path / "traveller.png"), full_page=True)
        page.goto(demo["ca"] + "/travel/quarantine")
        expect(page.locator("main")).to_contain_text("The quarantine is empty")


def test_joint_targeting_shares_high_risk_travellers_and_explains_hits(
    demo: dict[str, str], tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    clients = _analysts(demo)
    try:
        for node_id, partner in (("ca", "us"), ("us", "ca")):
            client = clients[node_id]
            [model] = [
                r
                for r in client.get("/api/v1/travel/risk/models").json()["items"]
                if r["status"] == "active" and r["subject"] == "traveller"
            ]
            assert model["name"] == "joint-api-pnr"
            assert model["joint"] is True
            assert model["cosigned_by"] == ("us" if node_id == "ca" else "ca")
            own = client.get(
                "/api/v1/travel/queue", params={"origin": "local", "open": "false", "limit": 500}
            ).json()["items"]
            assert any(i["decision"] == "no board" for i in own)
            shared_out = [i for i in own if i["shared_with"] == [partner]]
            assert shared_out
            assert all(i["joint_score"] >= 60 for i in shared_out)  # the model's share threshold
            assert all(i["joint_score"] >= 60 for i in own if i["shared_with"])
            came_in = client.get(
                "/api/v1/travel/queue", params={"origin": partner, "open": "false"}
            ).json()["items"]
            assert came_in
            detail = client.get(f"/api/v1/travel/assessments/{came_in[0]['id']}").json()
            assert detail["agreement"] == "annex-api-pnr"
            assert detail["hits"] == []  # the partner's lookout evidence stays with the partner
            # joint indicators only: together they make the joint score the partner shared on
            assert sum(i["weight"] for i in detail["indicators"]) == detail["joint_score"]
            assert not {"many-changes", "no-bags-long-stay"} & {
                i["id"] for i in detail["indicators"]
            }
        # the traveller ca shared that us worked on: us's disposition is in ca's history
        ca_items = clients["ca"].get(
            "/api/v1/travel/queue", params={"origin": "local", "open": "false", "limit": 500}
        )
        histories = {
            i["traveller"]["name"]: clients["ca"]
            .get(f"/api/v1/travel/assessments/{i['id']}")
            .json()["history"]
            for i in ca_items.json()["items"]
            if i["shared_with"]
        }
        [worked] = [name for name, steps in histories.items() if steps]
        assert histories[worked][0]["origin"] == "us"
    finally:
        for client in clients.values():
            client.close()
    with _browser_page() as page:
        _sign_in(page, demo, "ca", "analyst")
        page.get_by_role("link", name="Targeting", exact=True).click()
        page.get_by_label("Severity").select_option("high")
        page.get_by_label("include closed").check()
        page.get_by_role("button", name="Show").click()
        row = page.locator("table.queue tr").filter(has_text=worked)
        expect(row).to_contain_text("shared with us")
        expect(row).to_contain_text("high")
        row.locator("a").first.click()
        main = page.locator("main")
        expect(main).to_contain_text("Decision:")
        expect(main.locator("table.evidence")).to_contain_text("birth_date")
        expect(main.locator("table.indicators")).to_contain_text("Matches a lookout")
        expect(main.locator("table.indicators")).to_contain_text("screening.hit is true")
        expect(main.locator("table.history")).to_contain_text("referred to secondary")
        expect(main.locator("table.history")).to_contain_text("us")  # came back from us
        page.get_by_label("Status").select_option("denied boarding")
        page.get_by_label("Note").fill("Airline informed; not boarded.")
        page.get_by_role("button", name="Record disposition").click()
        expect(main.locator("table.history")).to_contain_text("Airline informed; not boarded.")
        page.screenshot(path=str(tmp_path / "hit.png"), full_page=True)

        page.get_by_role("link", name="Risk model", exact=True).click()
        expect(main.locator("table.models")).to_contain_text("joint (co-signed by us)")
        page.get_by_label("Field 1").select_option("pnr.payment_forms")
        page.get_by_label("Operator 1").select_option("contains")
        page.get_by_label("Value 1").fill("CASH")
        page.get_by_label("Value 1").press("Tab")
        expect(page.locator("#preview")).to_contain_text("travellers on")
        expect(page.locator("#preview")).to_contain_text("pnr.payment_forms includes")
        page.get_by_label("Field 2").select_option("traveller.age")
        page.get_by_label("Operator 2").select_option("gt")
        page.get_by_label("Value 2").fill("old")
        page.get_by_label("Value 2").press("Tab")
        expect(page.locator("#preview")).to_contain_text("row 2 (traveller.age)")
        page.screenshot(path=str(tmp_path / "builder.png"), full_page=True)


def test_visa_convergence_and_a_consultation_round_trip(
    demo: dict[str, str], tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    clients = {n: _signed_in(demo[n], "policy", demo_password(n, "policy")) for n in ("ca", "us")}
    try:
        report = clients["ca"].get("/api/v1/visa/compare").json()
        assert (report["a"], report["b"], report["agree"], report["differ"]) == (
            "CA", "US", 181, 16
        )  # fmt: skip
        assert clients["us"].get("/api/v1/visa/compare").json()["a"] == "US"  # its own first
        [sent] = clients["ca"].get("/api/v1/visa/consultations").json()["items"]
        [received] = clients["us"].get("/api/v1/visa/consultations").json()["items"]
        assert sent["reference"] == received["reference"]
        assert (sent["direction"], received["direction"]) == ("out", "in")
        assert (sent["state"], sent["position"]) == ("answered", "support")
        assert received["answered_by"] == "user:supervisor"
        assert sent["answered_by"] == "partner:us"
    finally:
        for client in clients.values():
            client.close()
    with _browser_page() as page:
        _sign_in(page, demo, "us", "policy")
        page.get_by_role("link", name="Visa policy", exact=True).click()
        main = page.locator("main")
        expect(main.locator("#agree")).to_have_text("181")
        expect(main.locator("table.differing")).to_contain_text("Qatar")
        main.locator("table.consultations a").first.click()
        expect(main).to_contain_text("CA would lift a visa requirement for QA nationals")
        expect(main.locator("#position")).to_contain_text("support")
        page.screenshot(path=str(tmp_path / "visa.png"), full_page=True)


def test_traffic_modelling_pages_show_finished_runs_with_plots(
    demo: dict[str, str], tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    client = _signed_in(demo["ca"], "supervisor", demo_password("ca", "supervisor"))
    try:
        [run] = client.get("/api/v1/modeling/runs").json()["items"]
        assert (run["status"], run["kind"], run["replications"]) == ("done", "compare", 5)
        plot = client.get(run["plots"][0])
        assert plot.headers["content-type"] == "image/png"
    finally:
        client.close()
    with _browser_page() as page:
        _sign_in(page, demo, "ca", "supervisor")
        page.get_by_role("link", name="Traffic modelling", exact=True).click()
        main = page.locator("main")
        expect(main.locator("table.runs")).to_contain_text("Peace Arch / Douglas vs")
        main.locator("table.runs a").first.click()
        expect(main.locator("#finished")).to_contain_text("vehicles per replication")
        expect(main.locator("table.comparison")).to_contain_text("nexus lane")
        waits = main.get_by_alt_text(re.compile("waits plot"))
        expect(waits).to_be_visible()
        assert waits.evaluate("img => img.naturalWidth") > 300  # the PNG loaded
        page.screenshot(path=str(tmp_path / "modeling.png"), full_page=True)
        # a new run from the page: queued, followed while it runs, then shown
        page.get_by_role("link", name="Traffic modelling", exact=True).click()
        page.locator("select[name=example]").select_option("ambassador-bridge")
        page.locator("input[name=replications]").fill("2")
        page.get_by_role("button", name="Run in the background").click()
        expect(main.locator("#finished")).to_be_visible(timeout=30_000)
        expect(main.locator("table.lanes").first).to_contain_text("commercial")


def test_fingerprint_searches_between_the_nodes_show_in_the_browser(
    demo: dict[str, str], tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    clients = {n: _signed_in(demo[n], "officer", demo_password(n, "officer")) for n in NODES_IDS}
    try:
        sent = clients["ca"].get("/api/v1/biometrics/partner-searches",
                                 params={"direction": "out"}).json()["items"]  # fmt: skip
        received = clients["us"].get("/api/v1/biometrics/partner-searches",
                                     params={"direction": "in"}).json()["items"]  # fmt: skip
        assert sorted(s["result"] for s in sent) == ["hit", "no hit"]
        assert {s["reference"] for s in sent} == {r["reference"] for r in received}
        assert not any(r["query_held"] for r in received)  # every query destroyed
        assert [r["reason"] for r in received if r["result"] == "no hit"] == [""]
    finally:
        for client in clients.values():
            client.close()
    with _browser_page() as page:
        _sign_in(page, demo, "ca", "officer")
        page.get_by_role("link", name="Fingerprints", exact=True).click()
        table = page.locator("main table#partner-searches")
        expect(table).to_contain_text("no hit")
        expect(table).to_contain_text("FBI Criminal Justice Information Services")
        page.screenshot(path=str(tmp_path / "fingerprints.png"), full_page=True)


def test_asylum_claims_the_annex_and_the_guided_form_in_the_browser(
    demo: dict[str, str], tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    client = _signed_in(demo["ca"], "asylum", demo_password("ca", "asylum"))
    try:
        listed = client.get("/api/v1/asylum/claims").json()
        outcomes = {c["reference"]: c["determination"]["outcome"] for c in listed}
        assert outcomes["CA-DEMO-100"] == "ineligible"  # the forum shopper caught at intake
        assert outcomes["CA-DEMO-101"] == "exception"
        assert outcomes["CA-DEMO-102"] == "not-applicable"
        assert outcomes["CA-DEMO-103"] == "ineligible"  # once the officer answered
        compared = client.get("/api/v1/asylum/comparisons").json()
        assert sorted(c["result"] for c in compared) == ["hit", "no hit", "no hit", "no hit"]
    finally:
        client.close()
    auditor = _signed_in(demo["us"], "auditor", demo_password("us", "auditor"))
    try:
        answered = auditor.get("/api/v1/asylum/comparisons", params={"direction": "in"}).json()
        assert not any(c["query_held"] for c in answered)  # every query destroyed
    finally:
        auditor.close()
    with _browser_page() as page:
        _sign_in(page, demo, "ca", "asylum")
        page.get_by_role("link", name="Asylum", exact=True).click()
        expect(page.locator("table#claims")).to_contain_text("prior claim in US")
        page.get_by_text("Record a claim").click()
        page.get_by_label("Names, one per line").fill(
            "\n".join(["Dmytro KOVALENKO", "Дмитро Коваленко"])
        )
        page.get_by_label("Date of birth").fill("1991-04-19")
        page.get_by_label("Nationalities").fill("UA")
        page.get_by_label("Where the claim was made").fill("Stanstead land port")
        page.get_by_label("Claim date").fill("2026-06-01")
        page.get_by_label("Came from").fill("US")
        page.get_by_label("Arrival").select_option("land-port")
        page.get_by_role("button", name="Record and determine").click()
        expect(page.locator("#determination")).to_contain_text("Undetermined")
        guided = page.locator("#guided")
        expect(guided).to_contain_text("punishable by death")
        expect(page.locator("#q-arrival")).to_have_count(0)  # known: not asked again
        page.locator("#q-death_penalty_charge").get_by_label("no").check()
        page.locator("#q-relatives").get_by_label("relationship 1").select_option("brother")
        page.locator("#q-relatives").get_by_label("age 1").fill("29")
        page.locator("#q-relatives").get_by_label("status 1").select_option("protected-person")
        page.locator("#q-relatives").get_by_label("in CA", exact=True).first.check()
        page.get_by_role("button", name="Answer and determine again").click()
        expect(page.locator("#determination")).to_contain_text("An exception applies")
        expect(page.locator("#determination")).to_contain_text("IRPR s.159.5(b)")
        expect(page.locator("table#history")).to_contain_text("facts.relatives")
        page.screenshot(path=str(tmp_path / "asylum.png"), full_page=True)


def test_trusted_travellers_denied_by_the_partner_suspended_and_refused_in_the_browser(
    demo: dict[str, str], tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    client = _signed_in(demo["ca"], "officer", demo_password("ca", "officer"))
    try:
        applications = client.get("/api/v1/programs/applications").json()
        denied = [a for a in applications if a["status"] == "denied"]
        assert [a["vetting"]["partners"]["us"]["reason_codes"] for a in denied] == [
            ["customs-violation"]
        ]
        members = {m["program"]: m for m in client.get("/api/v1/programs/memberships").json()}
        suspended = members["nexus"]
        assert suspended["status"] == "suspended"
        assert suspended["history"][-1]["node"] == "us"  # us decided, ca applied it
    finally:
        client.close()
    with _browser_page() as page:
        _sign_in(page, demo, "ca", "officer")
        page.get_by_role("link", name="Trusted travellers", exact=True).click()
        page.get_by_role("link", name="enrolment centre").click()
        expect(page.locator("table#memberships")).to_contain_text("undeclared goods at Champlain")
        expect(page.locator("table#interviews")).to_contain_text("enrolled")
        page.get_by_role("link", name="Trusted lane", exact=True).click()
        page.get_by_label("Card number or RFID tag id").fill(suspended["card_number"])
        page.get_by_label("Lane").select_option("highway")
        page.get_by_role("button", name="Decide").click()
        expect(page.locator("#decision")).to_contain_text("REFER")
        expect(page.locator("#decision")).to_contain_text("membership suspended")
        page.get_by_label("Card number or RFID tag id").fill(members["fast"]["card_number"])
        page.get_by_label("Lane").select_option("commercial")
        page.get_by_role("button", name="Decide").click()
        expect(page.locator(".error")).to_contain_text("carrier, importer and shipment")
        page.screenshot(path=str(tmp_path / "programs.png"), full_page=True)
        # an applicant applies online, without an account
        page.goto(f"{demo['ca']}/programs/apply")
        page.get_by_label("highway").check()
        page.get_by_label("Surname").fill("Bouchard")
        page.get_by_label("Given names").fill("Élise")
        page.get_by_label("Date of birth").fill("1990-02-03")
        page.get_by_label("Citizenships").fill("CA")
        for label, value in (("addresses 1 from", "2015-06-01"), ("addresses 1 line", "3 rue Nord"),
                             ("addresses 1 city", "Sherbrooke"), ("addresses 1 country", "CA"),
                             ("employment 1 from", "2014-09-01"),
                             ("employment 1 employer", "Université de Sherbrooke"),
                             ("documents 1 number", "GB445566"), ("documents 1 country", "CA"),
                             ("documents 1 expires", "2031-03-03")):  # fmt: skip
            page.get_by_label(label, exact=True).fill(value)
        page.get_by_label("documents 1 kind").select_option("passport")
        page.get_by_label("I consent to the collection").check()
        page.get_by_role("button", name="Apply").click()
        expect(page.locator("#made")).to_contain_text("Your reference: TT")
        expect(page.locator("#made")).to_contain_text("Being vetted by both countries.")


def test_goods_a_port_day_the_queue_and_an_examination_at_the_partners_request(
    demo: dict[str, str], tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    analysts = _analysts(demo)
    try:
        late = analysts["ca"].get("/api/v1/cargo/shipments", params={"late": "true"}).json()
        assert late
        assert {s["deadline_rule"] for s in late} == {
            "marine: 24 h before loading at the foreign port"
        }
        shared = [s for s in analysts["us"].get("/api/v1/cargo/shipments").json()
                  if s["origin"] == "partner:ca"]  # fmt: skip
        assert [(s["bill"], s["status"]) for s in shared] == [("SBPLANT00001", "held")]
        exams = analysts["us"].get("/api/v1/cargo/examinations").json()
        assert [(e["kind"], e["result"], e["partner"]) for e in exams] == [
            ("physical", "seizure", "ca")
        ]
    finally:
        for client in analysts.values():
            client.close()
    with _browser_page() as page:
        _sign_in(page, demo, "ca", "analyst")
        page.get_by_role("link", name="Goods", exact=True).click()
        expect(page.locator("#queue")).to_contain_text("SBPLANT00003")
        expect(page.locator("#queue")).to_contain_text("score")
        page.get_by_role("link", name="late", exact=True).click()
        expect(page.locator("table#shipments")).to_contain_text("late by")
        page.goto(f"{demo['ca']}/cargo/shipments/{_ca_shipment(demo, 'SBPLANT00001')}")
        expect(page.get_by_label("Indicators")).to_contain_text("A party matches a lookout")
        expect(page.locator("main")).to_contain_text("seizure")
        page.screenshot(path=str(tmp_path / "cargo.png"), full_page=True)
        page.get_by_role("link", name="Trade parties", exact=True).click()
        expect(page.locator("table#parties")).to_contain_text("PIP approved")


def _ca_shipment(demo: dict[str, str], bill: str) -> str:
    client = _signed_in(demo["ca"], "analyst", demo_password("ca", "analyst"))
    try:
        found = client.get("/api/v1/cargo/shipments", params={"status": "held"}).json()
        return str(next(s["id"] for s in found if s["bill"] == bill))
    finally:
        client.close()


def test_operations_both_overviews_of_the_day_with_charts_and_csv(
    demo: dict[str, str], tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    for node_id in ("ca", "us"):
        client = _signed_in(demo[node_id], "analyst", demo_password(node_id, "analyst"))
        try:
            seen = client.get("/api/v1/operations/overview").json()
            totals = {s["name"]: s["total"] for s in seen["series"]}
            assert totals["exchange.out"] > 0
            assert totals["exchange.in"] > 0
            assert totals["screening.lookouts"] > 0
            partner = "us" if node_id == "ca" else "ca"
            assert any(g["panel"] == f"Partner {partner}" for g in seen["now"])
            shared = client.get("/api/v1/operations/aggregates").json()
            period = {"from": shared[0]["from"][:16], "to": shared[0]["to"][:16]}
            assert {(a["direction"], a["agreement"], a["report"]) for a in shared} == {
                ("out", "annex-statistics", "travellers-by-nationality"),
                ("in", "annex-statistics", "travellers-by-nationality"),
            }
            rows = client.get("/api/v1/operations/overview.csv").text.splitlines()
            assert rows[0] == "bucket_start_utc,step,series,key,count"
            assert any(",exchange.out," in r for r in rows[1:])
        finally:
            client.close()
    with _browser_page() as page:
        _sign_in(page, demo, "ca", "analyst")
        page.get_by_role("link", name="Operations", exact=True).click()
        expect(page.get_by_label("Now")).to_contain_text("Outbox depth (undelivered)")
        chart = page.locator('.chart[data-series="exchange.out"]')
        expect(chart).to_have_attribute("data-drawn", re.compile(r"^[1-9]"))
        expect(chart.locator("canvas")).to_have_count(1)
        page.screenshot(path=str(tmp_path / "operations.png"), full_page=True)
        expect(page.get_by_role("link", name="trends over shared data")).to_be_visible()
        page.goto(f"{demo['ca']}/operations/trends?from={period['from']}&to={period['to']}")
        expect(page.locator("#comparison")).to_contain_text("annex-statistics")
        page.go_back()
        page.get_by_label("From").fill("2026-13-40")
        page.get_by_role("button", name="Show").click()
        expect(page.get_by_role("alert")).to_contain_text("is not a date")


def test_joint_removal_filled_by_both_with_outcomes_on_both_sides(demo: dict[str, str]) -> None:
    from playwright.sync_api import expect

    ca = _signed_in(demo["ca"], "supervisor", demo_password("ca", "supervisor"))
    us = _signed_in(demo["us"], "supervisor", demo_password("us", "supervisor"))
    try:
        [op] = [o for o in ca.get("/api/v1/removals/operations").json()
                if o["reference"].startswith("HTI-CHARTER")]  # fmt: skip
        states = {(e["country"], e["state"], e["outcome"]) for e in op["entries"]}
        assert states == {("ca", "accepted", "removed"), ("ca", "accepted", "not-removed"),
                          ("us", "accepted", "removed"), ("us", "refused", None)}  # fmt: skip
        assert op["status"] == "flown"
        cases = {c["reference"][:5]: c for c in us.get("/api/v1/removals/cases").json()}
        assert cases["US-R1"]["status"] == "removed"
        assert cases["US-R2"]["status"] == "refused"
        expired = [c for c in ca.get("/api/v1/removals/cases").json()
                   if c["reference"].startswith("CA-R3")]  # fmt: skip
        assert expired[0]["status"] == "open"  # refused at proposing: never on the flight
    finally:
        ca.close()
        us.close()
    with _browser_page() as page:
        _sign_in(page, demo, "us", "supervisor")
        page.get_by_role("link", name="Removals", exact=True).click()
        expect(page.get_by_label("Operations")).to_contain_text("no escort seat")
        expect(page.get_by_label("Cases")).to_contain_text("removed")


def test_an_ibet_case_worked_from_both_sides_with_need_to_know(demo: dict[str, str]) -> None:
    from playwright.sync_api import expect

    ca = _signed_in(demo["ca"], "supervisor", demo_password("ca", "supervisor"))
    us = _signed_in(demo["us"], "analyst", demo_password("us", "analyst"))
    outsider = _signed_in(demo["us"], "supervisor", demo_password("us", "supervisor"))
    try:
        [case] = [c for c in us.get("/api/v1/ibet/cases").json()
                  if c["reference"] == "IBET-PAC-DEMO"]  # fmt: skip
        assert case["status"] == "closed"
        assert case["agencies"] == ["CBP", "CBSA", "RCMP"]
        timeline = us.get(f"/api/v1/ibet/cases/{case['id']}").json()["timeline"]
        kinds = [e["kind"] for e in timeline]
        assert kinds.count("screening") == 4
        assert {"event", "task", "attachment", "closed"} <= set(kinds)
        assert any("serious-crime lookout" in e["text"] for e in timeline)
        assert outsider.get(f"/api/v1/ibet/cases/{case['id']}").status_code == 403
        assert outsider.get("/api/v1/ibet/cases").json() == []
        held = ca.get(f"/api/v1/ibet/cases/{case['id']}").json()
        assert [e["task"]["status"] for e in held["timeline"] if e["kind"] == "task"] == ["done"]
    finally:
        for client in (ca, us, outsider):
            client.close()
    with _browser_page() as page:
        _sign_in(page, demo, "ca", "analyst")
        page.get_by_role("link", name="IBET cases", exact=True).click()
        page.get_by_role("link", name="IBET-PAC-DEMO").click()
        expect(page.get_by_label("Timeline")).to_contain_text("Check the marina cameras")
        expect(page.get_by_label("Subjects")).to_contain_text("ca: no hit")
        expect(page.get_by_label("Timeline")).to_contain_text("screened on us: MARKO VUKOVIC")
