"""``smartborder model ...``: run a scenario, compare a variant with its base, calibrate against
observed waits, validate files, list the example scenarios. These commands need no node: a
scenario file is all they read."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from smartborder.cliutil import err, out
from smartborder.errors import ValidationFailed
from smartborder.modeling import calibration, plots, run, service
from smartborder.modeling.scenario import Scenario
from smartborder.modeling.variants import examples_folder, load_any

model_app = typer.Typer(
    help="Border traffic modelling: simulate a crossing, compare scenarios, calibrate.",
    no_args_is_help=True,
)
ScenarioFile = Annotated[
    Path,
    typer.Argument(exists=True, dir_okay=False, help="A scenario (or variant) YAML file."),
]
Replications = Annotated[
    int | None,
    typer.Option(
        "--replications",
        "-n",
        min=1,
        max=service.MAX_REPLICATIONS,
        help="Replications (default: the scenario's).",
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")]
PlotsDir = Annotated[
    Path | None,
    typer.Option("--plots", file_okay=False, help="Write the PNG plots to this folder."),
]


def _load(path: Path) -> Scenario:
    try:
        return load_any(path)
    except ValidationFailed as exc:
        _report(exc)


def _print_problems(exc: ValidationFailed) -> None:
    """Each problem as SOURCE:LINE: field.path: reason."""
    err.print(f"[bold red]error:[/] {exc.message}", highlight=False)
    for detail in exc.details:
        line = f":{detail['line']}" if detail.get("line") else ""
        source = detail.get("source", "")
        err.print(f"  {source}{line}: {detail['location']}: {detail['message']}", highlight=False)


def _report(exc: ValidationFailed) -> NoReturn:
    _print_problems(exc)
    raise typer.Exit(1)


def _progress(label: str, quiet: bool) -> Progress:
    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("replications"),
        TimeElapsedColumn(),
        console=err,
        disable=quiet,
        transient=True,
    )


def _with_progress(label: str, quiet: bool, work: Any) -> dict[str, Any]:
    with _progress(label, quiet) as bar:
        task = bar.add_task(label, total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        result: dict[str, Any] = work(tick)
    return result


def _write_plots(result: dict[str, Any], folder: Path | None) -> None:
    if folder is None:
        return
    folder.mkdir(parents=True, exist_ok=True)
    for name, png in plots.draw(plots.series_of(result)).items():
        target = folder / f"{name}.png"
        target.write_bytes(png)
        err.print(f"wrote {target}", highlight=False)


def _ci(figure: dict[str, Any], digits: int = 1) -> str:
    if figure["ci95"] is None:
        return f"{figure['mean']:.{digits}f}"
    return f"{figure['mean']:.{digits}f} ± {figure['ci95']:.{digits}f}"


def _pct(figure: dict[str, Any]) -> str:
    if figure["ci95"] is None:
        return f"{figure['mean']:.0%}"
    return f"{figure['mean']:.0%} ± {figure['ci95']:.0%}"


def summary_table(result: dict[str, Any]) -> Table:
    summary = result["summary"]
    table = Table(
        title=f"{result['scenario']}: {summary['replications']} replication(s), "
        f"{result['simulation']['hours']} h, 95% confidence intervals"
    )
    for column in ("direction", "lane", "served/h", "mean wait", "p50", "p95", "max", "max queue"):
        table.add_column(column, justify="left" if column in ("direction", "lane") else "right")
    for direction, figures in summary["directions"].items():
        for lane, f in figures["lanes"].items():
            table.add_row(
                direction,
                lane,
                _ci(f["throughput_per_hour"], 0),
                _ci(f["mean_wait"]),
                _ci(f["p50_wait"]),
                _ci(f["p95_wait"]),
                _ci(f["max_wait"]),
                _ci(f["max_queue"], 0),
            )
        for group, g in figures["groups"].items():
            table.add_row(
                direction, f"{group} booths", "", "", "", "", "", f"{_pct(g['utilisation'])} busy"
            )
        s = figures["secondary"]
        table.add_row(
            direction,
            "secondary",
            _ci(s["referred"], 0) + " referred",
            _ci(s["mean_wait"]),
            "",
            "",
            _ci(s["max_wait"]),
            "",
        )
    return table


@model_app.command("run")
def run_command(
    scenario_file: ScenarioFile,
    replications: Replications = None,
    as_json: AsJson = False,
    plots_dir: PlotsDir = None,
) -> None:
    """Simulate a scenario: waits per lane (mean, p50, p95, max with 95% confidence intervals
    across replications), throughput, queues, booth utilisation and secondary load."""
    scenario = _load(scenario_file)
    result = _with_progress(
        scenario.name, as_json, lambda tick: run.run(scenario, replications, tick)
    )
    _write_plots(result, plots_dir)
    if as_json:
        out.print_json(json.dumps(result))
        return
    out.print(summary_table(result))
    out.print(
        f"{result['summary']['vehicles']['mean']:,.0f} vehicles per replication, "
        f"{result['seconds']:.2f} s in all.",
        highlight=False,
    )


def comparison_table(result: dict[str, Any]) -> Table:
    table = Table(
        title=f"{result['variant']} against {result['scenario']} "
        f"({result['comparison']['replications']} paired replications)"
    )
    for column in (
        "direction",
        "subject",
        "metric",
        "base",
        "variant",
        "difference (95% CI)",
        "change",
        "significant",
    ):
        table.add_column(column)
    for row in result["comparison"]["rows"]:
        d = row["difference"]
        table.add_row(
            row["direction"],
            row["subject"],
            row["metric"],
            f"{row['base']:.2f}",
            f"{row['variant']:.2f}",
            _ci(d, 2),
            "" if row["relative"] is None else f"{row['relative']:+.0%}",
            "yes" if row["significant"] else "no",
        )
    return table


@model_app.command("compare")
def compare_command(
    base_file: ScenarioFile,
    variant_file: ScenarioFile,
    replications: Replications = None,
    as_json: AsJson = False,
    plots_dir: PlotsDir = None,
) -> None:
    """Run a base and a variant with the same seeds and report the differences (variant minus
    base, paired by replication, with 95% confidence intervals)."""
    base, variant = _load(base_file), _load(variant_file)
    result = _with_progress(
        f"{base.name} vs {variant.name}",
        as_json,
        lambda tick: run.compare(base, variant, replications, tick),
    )
    _write_plots(result, plots_dir)
    if as_json:
        out.print_json(json.dumps(result))
        return
    out.print(comparison_table(result))
    for item in result["comparison"]["unmatched"]:
        out.print(f"not compared: {item}", highlight=False)


def _observations(files: list[Path]) -> calibration.Observations:
    parts = []
    for path in files:
        try:
            parts.append(calibration.read_observations(path.read_bytes(), str(path)))
        except ValidationFailed as exc:
            _report(exc)
    return calibration.merge(parts)


@model_app.command("calibrate")
def calibrate_command(
    scenario_file: ScenarioFile,
    observations: Annotated[
        list[Path],
        typer.Argument(
            exists=True,
            dir_okay=False,
            help="Saved CBP wait-time feeds (XML or JSON) and CBSA wait-time CSV files.",
        ),
    ],
    replications: Replications = None,
    as_json: AsJson = False,
) -> None:
    """Compare simulated waits with observed ones for the scenario's port, by direction, lane
    type and hour of the day (mean absolute error and bias per lane)."""
    scenario = _load(scenario_file)
    observed = _observations(observations)
    result = _with_progress(
        scenario.name, as_json, lambda tick: run.run(scenario, replications, tick)
    )
    report = calibration.compare(scenario, result["summary"], observed)
    if as_json:
        out.print_json(json.dumps(report))
        return
    table = Table(title=f"{scenario.name}: simulated against observed waits (minutes)")
    for column in (
        "direction",
        "lane",
        "hour",
        "observations",
        "observed",
        "simulated",
        "difference",
        "lanes open (obs.)",
        "booths open (sim.)",
    ):
        table.add_column(column)
    for row in report["rows"]:
        table.add_row(
            *[
                "" if row[key] is None else str(row[key])
                for key in (
                    "direction",
                    "lane",
                    "hour",
                    "observations",
                    "observed",
                    "simulated",
                    "difference",
                    "lanes_open_observed",
                    "booths_open_simulated",
                )
            ]
        )
    out.print(table)
    for lane in report["lanes"]:
        out.print(
            f"{lane['direction']} {lane['lane']}: {lane['observations']} observation(s) over "
            f"{lane['hours']} hour(s); mean absolute error {lane['mean_absolute_error']} min, "
            f"bias {lane['bias']} min",
            highlight=False,
        )
    read = report["read"]
    out.print(
        f"{read['observations']} observation(s) read, {read['not_figures']} reading(s) without "
        f"a figure (closed, pending, n/a), {report['other_ports_or_lanes']} of other ports or "
        "lanes.",
        highlight=False,
    )


@model_app.command("validate")
def validate_command(
    files: Annotated[
        list[Path], typer.Argument(exists=True, dir_okay=False, help="Scenario or variant files.")
    ],
) -> None:
    """Check scenario files: every problem with its field path and line."""
    failed = False
    for path in files:
        try:
            scenario = load_any(path)
        except ValidationFailed as exc:
            failed = True
            _print_problems(exc)
            continue
        lanes = sum(len(d.lanes()) for d in scenario.directions)
        out.print(
            f"{path}: valid ({scenario.name}: {len(scenario.directions)} direction(s), "
            f"{lanes} lane type(s))",
            highlight=False,
        )
    if failed:
        raise typer.Exit(1)


@model_app.command("examples")
def examples_command(
    show: Annotated[str | None, typer.Option("--show", help="Print this example's YAML.")] = None,
    as_json: AsJson = False,
) -> None:
    """The example scenarios shipped with smartborder (and where their parameters come from)."""
    if show is not None:
        out.print(service.example(show).text, highlight=False, markup=False)
        return
    found = [service.example_out(e) for e in service.examples()]
    if as_json:
        out.print_json(json.dumps(found))
        return
    table = Table(title="Example scenarios (smartborder model examples --show NAME)")
    for column in ("name", "scenario", "variant of", "directions"):
        table.add_column(column)
    for e in found:
        table.add_row(
            e["name"],
            e["scenario"],
            e["variant_of"] or "",
            ", ".join(f"{d['name']} ({', '.join(d['lanes'])})" for d in e["directions"]),
        )
    out.print(table)
    out.print(f"Files: {examples_folder()}", highlight=False)
