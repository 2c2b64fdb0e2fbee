"""Fingerprints through NBIS (MINDTCT, BOZORTH3, NFIQ 2) on SYNTHETIC prints: two captures of
one finger match at the measured operating point, two fingers do not; templates are ISO/IEC
19794-2 records; unusable samples are refused with the file named, and kept in quarantine."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select

from smartborder import db
from smartborder.audit.models import AuditEntry
from smartborder.biometrics.fingerprint import ISO_MAGIC, NbisFingerprint
from smartborder.biometrics.images import BiometricProblem, grey
from smartborder.biometrics.matchers import (
    NoOperatingPoint,
    Template,
    operating_point,
    verify,
)
from smartborder.biometrics.models import BiometricTemplate
from smartborder.biometrics.rates import rates
from smartborder.settings import Settings
from smartborder.synthetic.fingerprints import PATTERNS, Finger, finger, png
from tests.conftest import PASSWORD, Cli, api_token, csrf_of, login, make_user


@pytest.fixture(scope="module")
def fingers() -> list[Finger]:
    return [finger(seed) for seed in (11, 12, 13)]


@pytest.fixture(scope="module")
def templates(fingers: list[Finger]) -> dict[tuple[int, int], Template]:
    matcher = NbisFingerprint()
    return {
        (n, k): matcher.extract(png(f.impression(k, quality=1.0 - 0.3 * k)), f"{n}-{k}")
        for n, f in enumerate(fingers)
        for k in range(2)
    }


def test_a_synthetic_finger_is_its_seed_and_bounded() -> None:
    a, b = finger(5, side=128), finger(5, side=128)
    assert np.array_equal(a.ridges, b.ridges)
    assert a.pattern == b.pattern
    assert not np.array_equal(a.ridges, finger(6, side=128).ridges)
    assert {finger(s, p, side=96).pattern for s, p in enumerate(PATTERNS)} == set(PATTERNS)
    with pytest.raises(ValueError, match="64 to 1024"):
        finger(1, side=5000)
    capture = a.impression(1)
    assert capture.dtype == np.uint8
    assert capture.shape == (128, 128)
    assert not np.array_equal(capture, a.impression(2))  # each capture its own


def test_two_captures_of_one_finger_match_and_two_fingers_do_not(
    templates: dict[tuple[int, int], Template],
) -> None:
    matcher = NbisFingerprint()
    point = operating_point(matcher.algorithm)
    assert point.fmr <= 0.001
    assert "SYNTHETIC" in point.measured_on
    for n in range(3):
        same = verify(matcher, templates[n, 0], templates[n, 1])
        assert same.match, same.reasons
        assert "FMR" in same.reasons[0]
        assert "measured on SYNTHETIC" in same.reasons[0]
        for m in range(3):
            if m != n:
                other = verify(matcher, templates[n, 0], templates[m, 1])
                assert not other.match, other.reasons
                assert other.score < same.score
    for template in templates.values():
        assert template.data.startswith(ISO_MAGIC)
        assert template.features >= 8
        assert template.quality.usable


def test_a_template_read_back_from_its_record_compares_as_extracted(
    templates: dict[tuple[int, int], Template],
) -> None:
    matcher = NbisFingerprint()
    card = matcher.template(templates[0, 1].data, "card.iso")
    assert card.features == templates[0, 1].features
    assert matcher.compare(templates[0, 0], card) == matcher.compare(
        templates[0, 0], templates[0, 1]
    )
    with pytest.raises(BiometricProblem, match=r"card\.bin: not an ISO/IEC 19794-2"):
        matcher.template(ISO_MAGIC + b"\x00garbage", "card.bin")


def test_no_operating_point_is_guessed() -> None:
    with pytest.raises(NoOperatingPoint, match="no operating point of unknown-v9"):
        operating_point("unknown-v9")
    with pytest.raises(NoOperatingPoint, match="at most 1e-09"):
        operating_point(NbisFingerprint.algorithm, 1e-9)  # never measured so low


def _png(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels.astype(np.uint8), mode="L").save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "scan.png: the file is empty"),
        (b"%PDF-1.7 not a print", "scan.png: not an image this node can read"),
        (_png(np.full((60, 80), 200)), "scan.png: the image is 80 x 60 pixels; at least 150"),
        (_png(np.full((300, 300), 255)), "scan.png: "),  # a blank glass: no print on it
        (_png(np.random.default_rng(1).integers(0, 255, (300, 300))), "scan.png: "),  # noise
    ],
)
def test_unusable_samples_are_refused_with_the_file_named(data: bytes, problem: str) -> None:
    with pytest.raises(BiometricProblem) as refused:
        NbisFingerprint().extract(data, "scan.png")
    assert refused.value.message.startswith(problem)
    assert refused.value.details[0]["source"] == "scan.png"


def test_a_truncated_image_is_refused() -> None:
    data = png(finger(3, side=200).impression(0))
    with pytest.raises(BiometricProblem, match=r"cannot be decoded|not an image"):
        grey(data[: len(data) // 2], "cut.png")


def test_error_rates_at_every_threshold() -> None:
    measured = rates([50, 60, 70, 80], [10, 20, 30, 40, 55])
    at = {float(t): (float(a), float(b)) for t, a, b in
          zip(measured.thresholds, measured.fmr, measured.fnmr, strict=True)}  # fmt: skip
    assert at[55.0] == (0.2, 0.25)  # one impostor of five at 55; one genuine of four below
    assert at[60.0] == (0.0, 0.25)
    assert measured.eer() == pytest.approx(0.225)
    assert measured.at_fmr(0.6) == (30.0, 0.6, 0.0)  # the lowest threshold holding it
    assert measured.at_fmr(0.5) is None  # 5 impostor comparisons cannot show 50 % (3 / 0.5)
    with pytest.raises(ValueError, match="genuine and impostor"):
        rates([], [1.0])


def test_cli_verifies_refuses_and_quarantines(
    node: Settings, cli: Cli, tmp_path: Path, fingers: list[Finger]
) -> None:
    data = ["--data-dir", str(node.data_dir)]
    first, second, other = tmp_path / "a.png", tmp_path / "b.png", tmp_path / "c.png"
    first.write_bytes(png(fingers[0].impression(0)))
    second.write_bytes(png(fingers[0].impression(5)))
    other.write_bytes(png(fingers[1].impression(0)))
    code, out, _ = cli(["biometrics", "template", str(second), "--out", str(tmp_path / "card.iso"),
                        *data])  # fmt: skip
    assert code == 0
    assert "features, NFIQ 2" in out
    code, out, _ = cli(["biometrics", "verify", str(first), str(tmp_path / "card.iso"), *data])
    assert code == 0
    assert out.startswith("MATCH: nbis-bozorth3-v1 score")
    code, out, _ = cli(["biometrics", "verify", str(first), str(other), "--json", *data])
    assert code == 3
    assert json.loads(out)["match"] is False
    code, out, _ = cli(["biometrics", "quality", str(first), "--json"])
    assert code == 0
    assert json.loads(out)["usable"] is True
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"hello")
    code, _, err = cli(["biometrics", "verify", str(junk), str(first), *data])
    assert code == 1
    assert "junk.png: not an image this node can read" in err
    kept = list((node.data_dir / "quarantine").glob("*-junk.png"))
    assert len(kept) == 1
    assert kept[0].read_bytes() == b"hello"
    problems = json.loads(kept[0].with_name(kept[0].name + ".problems.json").read_text())
    assert problems[0]["source"] == "junk.png"


def test_api_verifies_a_capture_against_a_card_template_and_audits_it(
    app: FastAPI,
    client: TestClient,
    fingers: list[Finger],
    templates: dict[tuple[int, int], Template],
) -> None:
    officer = api_token(app, "kiosk", "program-officer")
    capture = png(fingers[2].impression(7))
    card = templates[2, 0].data
    answer = client.post(
        "/api/v1/biometrics/fingerprint/verify",
        files={"probe": ("capture.png", capture), "reference": ("card.iso", card)},
        headers=officer,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["match"] is True
    assert answer.json()["operating_point"]["fmr"] <= 0.001
    other = client.post(
        "/api/v1/biometrics/fingerprint/verify",
        files={"probe": ("capture.png", capture), "reference": ("card.iso", templates[1, 0].data)},
        headers=officer,
    )
    assert other.json()["match"] is False
    with db.unit_of_work(app.state.sessions) as session:
        events = session.scalars(
            select(AuditEntry).where(AuditEntry.event == "biometrics:fingerprint:verified")
        ).all()
        assert [e.details["match"] for e in events] == [True, False]
        assert all("capture" not in json.dumps(e.details) for e in events)  # no sample kept
    refused = client.post(
        "/api/v1/biometrics/fingerprint/verify",
        files={"probe": ("blank.png", _png(np.full((300, 300), 255))), "reference": ("c", card)},
        headers=officer,
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["source"] == "blank.png"
    settings: Settings = app.state.settings
    assert list((settings.data_dir / "quarantine").glob("*-blank.png"))
    quality = client.post(
        "/api/v1/biometrics/fingerprint/quality",
        files={"sample": ("q.png", capture)},
        headers=officer,
    )
    assert quality.json()["usable"] is True
    auditor = api_token(app, "aud", "auditor")
    denied = client.post(
        "/api/v1/biometrics/fingerprint/quality",
        files={"sample": ("q.png", capture)},
        headers=auditor,
    )
    assert denied.status_code == 403


def test_cli_enrols_identifies_deduplicates_and_deletes(
    node: Settings, cli: Cli, tmp_path: Path, fingers: list[Finger]
) -> None:
    data = ["--data-dir", str(node.data_dir), "--as", "admin"]

    def capture(n: int, k: int) -> str:
        path = tmp_path / f"f{n}-{k}.png"
        path.write_bytes(png(fingers[n].impression(k)))
        return str(path)

    assert cli(["biometrics", "enrol", capture(0, 0), "--subject", "P-1", *data])[0] == 0
    code, out, _ = cli(["biometrics", "enrol", capture(1, 0), "--subject", "P-2", *data])
    assert code == 0
    assert "Enrolled f1-0.png for P-2 (1 fingerprint template(s) held" in out
    code, _, err = cli(["biometrics", "enrol", capture(0, 3), "--subject", "P-9", *data])
    assert code == 1
    assert "matches P-1's" in err  # one person, one identity
    code, out, _ = cli(["biometrics", "identify", capture(0, 5), "--json", *data])
    assert code == 0
    answer = json.loads(out)
    assert answer["candidates"][0]["subject"] == "P-1"
    assert answer["candidates"][0]["match"] is True
    assert [c["match"] for c in answer["candidates"][1:]] == [False]
    assert answer["searched"] == 2
    assert answer["fpir_bound"] == pytest.approx(2 * answer["operating_point"]["fmr"])
    assert cli(["biometrics", "identify", capture(2, 0), *data])[0] == 3  # never enrolled
    code, out, _ = cli(["biometrics", "delete", "--subject", "P-1", *data])
    assert code == 0
    assert "Deleted 1 fingerprint template(s) of P-1" in out
    assert cli(["biometrics", "identify", capture(0, 5), *data])[0] == 3
    engine = db.make_engine(node.database_url)
    try:
        with db.unit_of_work(db.session_factory(engine)) as session:
            rows = session.scalars(select(BiometricTemplate)).all()
            assert {r.subject: (r.status, len(r.template) > 0) for r in rows} == {
                "P-1": ("deleted", False),  # the print is destroyed, the fact kept
                "P-2": ("enrolled", True),
            }
            events = session.scalars(
                select(AuditEntry.event).where(AuditEntry.event.like("biometrics:%"))
            ).all()
            assert events.count("biometrics:template:enrolled") == 2
            assert events.count("biometrics:fingerprint:identified") == 3
            assert "biometrics:template:deleted" in events
    finally:
        engine.dispose()


def test_api_enrols_searches_and_deletes_prints(
    app: FastAPI, client: TestClient, fingers: list[Finger]
) -> None:
    officer = api_token(app, "po", "program-officer")
    base = "/api/v1/biometrics/fingerprint"

    def sample(n: int, k: int) -> dict[str, tuple[str, bytes]]:
        return {"sample": (f"f{n}-{k}.png", png(fingers[n].impression(k)))}

    made = client.post(f"{base}/enrolments", files=sample(1, 0), data={"subject": "N-1"},
                       headers=officer)  # fmt: skip
    assert made.status_code == 201, made.text
    assert made.json()["templates"] == 1
    twin = client.post(f"{base}/enrolments", files=sample(1, 4), data={"subject": "N-2"},
                       headers=officer)  # fmt: skip
    assert twin.status_code == 409
    assert twin.json()["error"]["details"][0]["subject"] == "N-1"
    found = client.post(f"{base}/searches", files=sample(1, 6), headers=officer).json()
    assert found["candidates"][0] == {**found["candidates"][0], "subject": "N-1", "match": True}
    assert found["searched"] == 1
    assert client.delete(f"{base}/subjects/N-1", headers=officer).json()["deleted"] == 1
    again = client.post(f"{base}/searches", files=sample(1, 6), headers=officer).json()
    assert again["candidates"] == []
    assert client.delete(f"{base}/subjects/N-1", headers=officer).status_code == 404
    planner = api_token(app, "pl", "planner")
    assert client.post(f"{base}/searches", files=sample(1, 6), headers=planner).status_code == 403


def test_the_fingerprint_page_compares_searches_and_refuses(
    app: FastAPI,
    client: TestClient,
    fingers: list[Finger],
    templates: dict[tuple[int, int], Template],
) -> None:
    make_user(app, "kiosk2", "program-officer")
    login(client, "kiosk2", PASSWORD)
    token = csrf_of(client)
    page = client.get("/fingerprints")
    assert page.status_code == 200
    assert 'href="/fingerprints"' in page.text  # in the officer's navigation
    capture = png(fingers[0].impression(9))
    same = client.post(
        "/fingerprints/verify",
        data={"csrf_token": token},
        files={"probe": ("capture.png", capture), "reference": ("card.iso", templates[0, 0].data)},
    )
    assert same.status_code == 200
    assert "MATCH" in same.text
    assert "measured on SYNTHETIC" in same.text
    other = client.post(
        "/fingerprints/verify",
        data={"csrf_token": token},
        files={"probe": ("capture.png", capture), "reference": ("card.iso", templates[1, 0].data)},
    )
    assert "NO MATCH" in other.text
    search = client.post(
        "/fingerprints/search", data={"csrf_token": token}, files={"sample": ("s.png", capture)}
    )
    assert "0 matching of 0 prints searched" in search.text  # nothing enrolled on this node
    bad = client.post(
        "/fingerprints/search", data={"csrf_token": token}, files={"sample": ("x.png", b"no")}
    )
    assert bad.status_code == 422
    assert "Refused: x.png: not an image this node can read" in bad.text
    forged = client.post("/fingerprints/search", files={"sample": ("s.png", capture)})
    assert forged.status_code == 403  # no CSRF token
