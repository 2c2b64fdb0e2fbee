"""``smartborder model ...`` through the real entry point."""

from __future__ import annotations

import json
from pathlib import Path

from smartborder.modeling.variants import examples_folder
from tests.conftest import Cli

EXAMPLES = examples_folder()
DATA = Path(__file__).parent / "data"


def test_run_prints_figures_and_writes_plots(cli: Cli, tmp_path: Path) -> None:
    scenario = str(EXAMPLES / "peace-arch-douglas.yaml")
    code, out, err = cli(["model", "run", scenario, "-n", "2", "--json", "--plots", str(tmp_path)])
    assert code == 0, err
    result = json.loads(out)
    assert result["summary"]["replications"] == 2
    assert set(result["summary"]["directions"]) == {"southbound", "northbound"}
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "queues.png",
        "utilisation.png",
        "waits.png",
    ]
    assert (tmp_path / "waits.png").read_bytes().startswith(b"\x89PNG")
    code, out, _ = cli(["model", "run", scenario, "-n", "2"])
    assert code == 0
    assert "Peace Arch / Douglas: 2 replication(s)" in out


def test_compare_reports_paired_differences(cli: Cli) -> None:
    code, out, err = cli([
        "model", "compare", str(EXAMPLES / "peace-arch-douglas.yaml"),
        str(EXAMPLES / "peace-arch-douglas-traffic-plus-20.yaml"), "-n", "2", "--json",
    ])  # fmt: skip
    assert code == 0, err
    result = json.loads(out)
    rows = {(r["direction"], r["subject"], r["metric"]): r for r in result["comparison"]["rows"]}
    wait = rows[("southbound", "general lane", "mean_wait")]
    assert wait["variant"] > wait["base"]
    assert wait["relative"] > 0


def test_calibrate_against_saved_feeds(cli: Cli) -> None:
    code, out, err = cli([
        "model", "calibrate", str(EXAMPLES / "peace-arch-douglas.yaml"),
        str(DATA / "cbp-bwt-1500.xml"), str(DATA / "cbsa-bwt.csv"), "-n", "2", "--json",
    ])  # fmt: skip
    assert code == 0, err
    report = json.loads(out)
    assert report["read"]["files"] == [str(DATA / "cbp-bwt-1500.xml"), str(DATA / "cbsa-bwt.csv")]
    assert {(r["direction"], r["lane"]) for r in report["lanes"]} >= {
        ("southbound", "general"),
        ("northbound", "general"),
    }


def test_validate_and_bad_files(cli: Cli, tmp_path: Path) -> None:
    code, out, _ = cli(["model", "validate", *map(str, sorted(EXAMPLES.glob("*.yaml")))])
    assert code == 0
    assert out.count(": valid (") == len(list(EXAMPLES.glob("*.yaml")))
    bad = tmp_path / "bad.yaml"
    text = (EXAMPLES / "ambassador-bridge.yaml").read_text()
    bad.write_text(text.replace("fast: 0.3", "fast: 0.3").replace("bays: 12", "bays: -2", 1))
    code, _, err = cli(["model", "validate", str(bad)])
    assert code == 1
    line = text.splitlines().index("      bays: 12") + 1
    assert f"bad.yaml:{line}: directions[0].secondary.bays: Input should be greater than" in err
    code, _, err = cli(["model", "run", str(bad)])
    assert code == 1
    assert "directions[0].secondary.bays" in err
    assert "Traceback" not in err
    broken_feed = tmp_path / "feed.csv"
    broken_feed.write_text((DATA / "cbsa-bwt.csv").read_text().replace("1 hour", "soon"))
    code, _, err = cli(["model", "calibrate", str(EXAMPLES / "ambassador-bridge.yaml"),
                        str(broken_feed)])  # fmt: skip
    assert code == 1
    assert "feed.csv:4: Commercial Flow - Canada bound: 'soon' is not a delay" in err


def test_examples_are_listed_and_shown(cli: Cli) -> None:
    code, out, _ = cli(["model", "examples", "--json"])
    assert code == 0
    assert {"peace-arch-douglas", "ambassador-bridge"} <= {e["name"] for e in json.loads(out)}
    code, out, _ = cli(["model", "examples", "--show", "ambassador-bridge"])
    assert code == 0
    assert 'cbp_port: "380001"' in out
