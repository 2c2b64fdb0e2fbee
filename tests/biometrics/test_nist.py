"""ANSI/NIST-ITL transactions: written and read back (Type-1, 2, 4, 10, 13, 14, 17; WSQ and raw
images), checked against the ebts-like profile with every problem located by record and field,
broken and adversarial files refused quickly, and the CLI's export-nist / import-nist.

Prints are SYNTHETIC; the WSQ sample is the one the ``wsq`` package ships for its own tests."""

from __future__ import annotations

import io
import json
import struct
import time
from pathlib import Path

import matplotlib
import nistitl
import numpy as np
import pytest
import wsq
from PIL import Image

from smartborder.biometrics import nist
from smartborder.biometrics.fingerprint import NbisFingerprint
from smartborder.errors import ValidationFailed
from smartborder.settings import Settings
from smartborder.synthetic.fingerprints import Finger, finger, png
from tests.conftest import Cli

PROFILE = nist.profile("ebts-like")


@pytest.fixture(scope="module")
def people() -> list[Finger]:
    return [finger(seed, side=288) for seed in (21, 22, 23)]


@pytest.fixture(scope="module")
def tenprint(people: list[Finger]) -> bytes:
    return nist.write(
        tot="CAR", dai="USFBI0000", ori="CARCMP000", tcn="T-1",
        fingers=[nist.Finger(n + 1, png(p.impression(1))) for n, p in enumerate(people)],
        subject={"name": "NGUYEN,THI MAI", "dob": "19850312", "sex": "F"},
    )  # fmt: skip


def _problems(data: bytes) -> list[dict[str, object]]:
    with pytest.raises(nist.TransactionProblems) as refused:
        nist.read(data, "t.eft", PROFILE)
    return refused.value.problems


def test_a_transaction_written_reads_back_whole(tenprint: bytes, people: list[Finger]) -> None:
    read = nist.read(tenprint, "t.eft", PROFILE)
    assert (read.tot, read.search, read.version) == ("CAR", "tenprint", "0502")
    assert (read.dai, read.ori, read.tcn) == ("USFBI0000", "CARCMP000", "T-1")
    assert read.subject == {"name": "NGUYEN,THI MAI", "dob": "19850312", "sex": "F"}
    assert [(s.record.type, s.position, s.label) for s in read.fingers] == [
        (14, 1, "right thumb"), (14, 2, "right index"), (14, 3, "right middle"),
    ]  # fmt: skip
    assert {(s.compression, s.width, s.height) for s in read.fingers} == {("WSQ20", 288, 288)}
    assert len(tenprint) < sum(len(png(p.impression(1))) for p in people) / 4  # WSQ ~ 15:1
    matcher = NbisFingerprint()  # the prints survive compression: each matches its finger
    for sample, person in zip(read.fingers, people, strict=True):
        probe = matcher.extract(sample.image("t"), sample.source("t.eft"))
        original = matcher.extract(png(person.impression(1)), "original")
        assert matcher.compare(probe, original) > 100


def test_legacy_type4_faces_irises_and_latents_are_read(people: list[Finger]) -> None:
    pixels = people[0].impression(0)
    message = nistitl.Message()
    message.TOT = "FANC"
    first = message[0]
    first.VER, first.DAT, first.DAI, first.ORI, first.TCN = "0400", "20261204", "A", "B", "C"
    descriptive = nistitl.AsciiRecord(2)
    descriptive.IDC = 0
    message += descriptive
    legacy = nistitl.BinaryRecord(4)  # binary: IMP, FGP, ISR, HLL, VLL, GCA, raw pixels
    legacy.IDC = 1
    legacy.pack(nist.TYPE4_HEADER, 1, bytes([7, 255, 255, 255, 255, 255]), 0, 288, 288, 0,
                pixels.tobytes())  # fmt: skip
    message += legacy
    for kind, fields in ((10, {3: "FACE", 11: "PNG"}), (17, {3: "1", 11: "PNG"})):
        record = nistitl.AsciiRecord(kind)
        record.IDC = 2 if kind == 10 else 3
        for tag, value in {**fields, 6: "64", 7: "48"}.items():
            record += nistitl.Field(kind, tag, value)
        record += nistitl.BinaryField(kind, 999, png(np.full((48, 64), 128, np.uint8)))
        message += record
    read = nist.read(message.NIST, "legacy.eft", PROFILE)
    assert [(s.modality, s.record.type, s.label) for s in read.samples] == [
        ("fingerprint", 4, "left index"), ("face", 10, "face"), ("iris", 17, "right iris"),
    ]  # fmt: skip
    assert read.fingers[0].compression == "NONE"
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(read.fingers[0].image("x")))), pixels)
    written = nist.write(tot="CAR", dai="A", ori="B", tcn="T4", legacy=True,
                         fingers=[nist.Finger(3, png(pixels))])  # fmt: skip
    (old,) = nist.read(written, "type4.eft", PROFILE).fingers
    assert (old.record.type, old.label, old.compression) == (4, "right middle", "WSQ20")
    latent = nist.write(tot="LFS", dai="A", ori="B", tcn="L-1",
                        fingers=[nist.Finger(0, png(pixels))])  # fmt: skip
    read = nist.read(latent, "latent.eft", PROFILE)
    assert (read.search, read.fingers[0].record.type, read.fingers[0].impression) == (
        "latent", 13, 4)  # fmt: skip


def test_the_wsq_sample_the_package_ships_decodes() -> None:
    sample = Path(wsq.__file__).parent / "tests" / "test.wsq"
    with Image.open(sample) as image:
        assert (image.format, image.size, image.mode) == ("WSQ", (540, 520), "L")
    read = nist.grey(sample.read_bytes(), "test.wsq")  # as a Type-14 record's data is read
    assert read.shape == (520, 540)


@pytest.mark.parametrize(
    ("change", "where", "problem"),
    [
        ((b"14.013:2", b"14.013:X"), ("14.013", 4), "'X' is not a whole number"),
        ((b"14.013:2", b"14.013:12"), ("14.013", 4), "12 is outside 1-10"),
        ((b"14.012:8", b"14.012:16"), ("14.012", 3), "'16' is not one of 8"),
        ((b"2.022:19850312", b"2.022:19851312"), ("2.022", 2), "not a date (YYYYMMDD)"),
        ((b"2.024:F", b"2.024:Q"), ("2.024", 2), "'Q' is not one of M, F, X, U"),
        ((b"14.011:WSQ20", b"14.011:PNG"), ("14.999", 3), "the data is not PNG"),
        ((b"1.004:CAR", b"1.004:XYZ"), ("1.004", 1), "'XYZ' is not a transaction type"),
        ((b"1.002:0502", b"1.002:0300"), ("1.002", 1), "version '0300' is not one of"),
    ],
)
def test_each_broken_rule_is_reported_with_its_record_and_field(
    tenprint: bytes, change: tuple[bytes, bytes], where: tuple[str, int], problem: str
) -> None:
    old, new = change
    # every record's length kept right: only the value is wrong
    data = _relength(tenprint, old, new)
    problems = _problems(data)
    found = [p for p in problems if p.get("field") == where[0]]
    assert found, problems
    assert found[0]["record"] == where[1]
    assert problem in str(found[0]["problem"])


def _relength(data: bytes, old: bytes, new: bytes) -> bytes:
    """``data`` with ``old`` replaced, the record holding it rewritten with its new length."""
    message = nistitl.Message()
    message.parse(data)
    for record in message:
        if isinstance(record, nistitl.AsciiRecord) and old in record.NIST:
            tag = int(old.split(b":")[0].split(b".")[1])
            record[tag].value = new.split(b":", 1)[1].decode().strip()
    written: bytes = message.NIST
    return written


def test_images_must_agree_with_their_records(tenprint: bytes) -> None:
    problems = _problems(_relength(tenprint, b"14.006:288", b"14.006:300"))
    assert any(p["field"] == "14.999" and "the record says 300 x 288" in str(p["problem"])
               for p in problems), problems  # fmt: skip


def test_counts_duplicates_and_unknown_records_are_refused(people: list[Finger]) -> None:
    image = png(people[0].impression(0))
    twice = nist.write(tot="CAR", dai="A", ori="B", tcn="C",
                       fingers=[nist.Finger(2, image), nist.Finger(2, image)])  # fmt: skip
    assert "the same finger twice: right index" in str(_problems(twice))
    none = nist.write(tot="CAR", dai="A", ori="B", tcn="C", fingers=[])
    assert "0 fingerprint images; a CAR transaction holds 1 to 14" in str(_problems(none))
    latent_in_car = nist.write(tot="LFS", dai="A", ori="B", tcn="C",
                               fingers=[nist.Finger(0, image)]).replace(b"1.004:LFS", b"1.004:CAR")  # fmt: skip
    assert "a CAR transaction holds no Type-13 records" in str(_problems(latent_in_car))


def _tagged(fields: bytes, kind: int) -> bytes:
    """A tagged record holding ``fields`` with its length (field 1) right."""
    length = 0
    while True:
        record = f"{kind}.001:{length}".encode() + b"\x1d" + fields + b"\x1c"
        if len(record) == length:
            return record
        length = len(record)


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "the file is empty"),
        (png(np.zeros((200, 200), np.uint8)), "it must begin with 1.001:"),
        (_tagged(b"1.002:0400\x1d1.003:1\x1f1\x1e31\x1f1", 1) + _tagged(b"31.002:1", 31),
         "record type 31 is not an ANSI/NIST-ITL record type"),
    ],
)  # fmt: skip
def test_what_is_not_a_transaction_is_refused(data: bytes, problem: str) -> None:
    assert problem in str(_problems(data))


def test_truncated_and_oversized_transactions_are_refused_quickly(tenprint: bytes) -> None:
    for cut in (len(tenprint) - 7, len(tenprint) // 2, 60):
        assert "too short" in str(_problems(tenprint[:cut])) or _problems(tenprint[:cut])
    assert "too long" in str(_problems(tenprint + b"x"))
    # 200,000 well-formed records: stopped before they are parsed
    many = _tagged(b"1.002:0400\x1d1.003:", 1) + _tagged(b"2.002:0", 2) * 200_000
    started = time.perf_counter()
    assert "more than 100 records" in str(_problems(many))
    assert time.perf_counter() - started < 2.0
    with pytest.raises(nist.TransactionProblems, match="a transaction may hold"):
        nist.read(b"1.001:1\x1d" + bytes(nist.MAX_BYTES), "huge.eft", PROFILE)
    broken_wsq = tenprint.replace(b"\xff\xa2", b"\xff\x00", 1)  # its frame header gone
    assert _problems(broken_wsq)[0]["field"] == "14.999"


def test_a_profile_with_a_bad_rule_is_refused_with_its_line() -> None:
    text = (
        "id: p\ntitle: t\nversions: ['0400']\ntransactions: {}\nfields:\n  '2':\n    - {tag: 0}\n"
    )
    with pytest.raises(ValidationFailed) as refused:
        nist.load_profile(text, "p.yaml")
    lines = {d["field"]: d["line"] for d in refused.value.details}
    assert lines["fields.2[0].tag"] == 7
    assert "fields.2[0].name" in lines
    with pytest.raises(ValidationFailed, match="no ANSI/NIST-ITL profile 'fbi-ebts'"):
        nist.profile("fbi-ebts")


def test_cli_exports_imports_enrols_and_quarantines(
    node: Settings, cli: Cli, tmp_path: Path, people: list[Finger]
) -> None:
    data = ["--data-dir", str(node.data_dir)]
    images = []
    for n, person in enumerate(people[:2]):
        path = tmp_path / f"f{n}.png"
        path.write_bytes(png(person.impression(0)))
        images += ["--finger", f"{n + 2}={path}"]
    eft = tmp_path / "car.eft"
    code, out, err = cli(["biometrics", "export-nist", *images, "--out", str(eft),
                          "--name", "ROE,RICHARD", "--sex", "M", *data])  # fmt: skip
    assert code == 0, err
    assert "CAR (Criminal tenprint submission (answer required)), 2 print(s)" in out
    code, out, err = cli(["biometrics", "import-nist", str(eft), "--enrol", "P-7", "--json",
                          "--as", "admin", *data])  # fmt: skip
    assert code == 0, err
    summary = json.loads(out)
    assert summary["subject"]["name"] == "ROE,RICHARD"
    assert summary["enrolled"] == {"subject": "P-7", "prints": 2, "irises": 0}
    probe = tmp_path / "probe.png"
    probe.write_bytes(png(people[1].impression(4)))
    code, out, _ = cli(["biometrics", "identify", str(probe), "--json", "--as", "admin", *data])
    assert json.loads(out)["candidates"][0]["subject"] == "P-7"
    bad = tmp_path / "bad.eft"
    bad.write_bytes(eft.read_bytes().replace(b"2.024:M", b"2.024:Q"))
    code, _, err = cli(["biometrics", "import-nist", str(bad), "--as", "admin", *data])
    assert code == 1
    assert "bad.eft: record 2 (Type-2), field 2.024 SEX: 'Q' is not one of" in err
    (kept,) = (node.data_dir / "quarantine").glob("*-bad.eft")
    assert kept.read_bytes() == bad.read_bytes()
    code, _, err = cli(["biometrics", "export-nist", "--finger", "11=x.png", "--out", "y", *data])
    assert code == 2
    assert "POSITION 1 (right thumb) to 10" in err


def test_type4_header_is_the_standard_one() -> None:
    assert struct.calcsize(nist.TYPE4_HEADER) == 13  # 18-byte header less LEN (4) and IDC (1)


def test_an_enrolment_transaction_carries_irises_into_the_iris_gallery(
    node: Settings, cli: Cli, tmp_path: Path, people: list[Finger]
) -> None:
    from smartborder.synthetic.irises import eye

    data = ["--data-dir", str(node.data_dir)]
    print_file, eye_file = tmp_path / "f.png", tmp_path / "eye.png"
    print_file.write_bytes(png(people[2].impression(0)))
    eye_file.write_bytes(png(eye(77).capture(0)))
    fanc = tmp_path / "fanc.eft"
    photo = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
    code, out, err = cli(["biometrics", "export-nist", "--tot", "FANC", "--finger",
                          f"7={print_file}", "--iris", f"2={eye_file}", "--face", str(photo),
                          "--out", str(fanc), *data])  # fmt: skip
    assert code == 0, err
    assert "1 print(s), 1 iris(es), 1 face(s)" in out
    read = nist.read(fanc.read_bytes(), "fanc.eft", PROFILE)
    assert [(s.record.type, s.label) for s in read.samples] == [
        (14, "left index"), (17, "left iris"), (10, "face")]  # fmt: skip
    assert (read.samples[2].width, read.samples[2].height) == (512, 600)
    code, out, err = cli(["biometrics", "import-nist", str(fanc), "--enrol", "P-8", "--json",
                          "--as", "admin", *data])  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["enrolled"] == {"subject": "P-8", "prints": 1, "irises": 1}
    probe = tmp_path / "probe.png"
    probe.write_bytes(png(eye(77).capture(3)))
    code, out, _ = cli(["biometrics", "identify", str(probe), "--modality", "iris", "--json",
                        "--as", "admin", *data])  # fmt: skip
    assert (code, json.loads(out)["candidates"][0]["subject"]) == (0, "P-8")
