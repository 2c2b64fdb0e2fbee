"""The smartborder command, run through its real entry point."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from smartborder.cli import app, commands, load
from tests.conftest import Cli

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _commands() -> list[tuple[str, Any]]:
    """Every command, each group's loaded (the root loads its groups only when asked)."""
    root = typer.main.get_command(app)
    context = typer.Context(root)
    found: list[tuple[str, Any]] = []

    def walk(prefix: str, command: Any) -> None:
        found.append((prefix, command))
        if hasattr(command, "list_commands"):
            for name in command.list_commands(context):
                walk(f"{prefix} {name}".strip(), command.get_command(context, name))

    walk("", root)
    return found


HEAVY = ("matplotlib", "scipy", "alembic", "fastapi", "sqlalchemy", "numpy", "polars")


def _imported_by(*args: str) -> set[str]:
    script = (
        "import sys\nfrom smartborder.cli import main\n"
        f"sys.argv = ['smartborder', *{list(args)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "sys.stderr.write('\\n'.join(sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    return set(done.stderr.split())


def _domain_code(modules: set[str]) -> set[str]:
    """The smartborder modules imported beyond the root command, the registry and what it reads
    to list the commands: each package's (empty) ``__init__`` and its ``domain`` declaration."""
    found = {m for m in modules if m.startswith("smartborder.")}
    found -= {"smartborder.cli", "smartborder.errors", "smartborder.registry", "smartborder.roles"}
    return {m for m in found if m.count(".") > 1 or m.endswith(".domain")} - {
        m for m in found if m.endswith(".domain")
    }


def test_help_imports_no_domain_and_no_heavy_library() -> None:
    modules = _imported_by("--help")
    assert "typer" in modules
    assert "smartborder.travel.domain" in modules  # the declarations are read
    assert not {m for m in modules if m.split(".")[0] in HEAVY}
    assert not _domain_code(modules), _domain_code(modules)


def test_a_command_loads_its_own_domain_only() -> None:
    modules = _imported_by("doc", "check", "-", "--help")
    assert "smartborder.identity.cli" in modules
    assert not {m for m in modules if m.split(".")[0] in HEAVY}
    others = {m for m in _domain_code(modules) if not m.startswith("smartborder.identity.")}
    assert not {m for m in others if m.startswith(("smartborder.travel", "smartborder.exchange"))}


def test_the_command_table_says_what_each_command_says() -> None:
    """--help shows the table's line for each command without loading it: the line must be
    what the command itself says."""
    for name, command in commands().items():
        summary = command.help
        said = " ".join((load(name).help or "").split())
        assert said.startswith(summary.rstrip(".")), (name, said, summary)


def test_help_lists_the_commands(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = cli(["--help"])
    assert code == 0
    for command in ("init", "serve", "demo", "users", "db"):
        assert re.search(rf"\b{command}\b", out)


def test_every_command_and_option_has_help() -> None:
    for name, command in _commands():
        assert command.help, f"'{name}' has no help text"
        for param in command.params:
            if param.param_type_name == "option" and param.name != "help":
                assert param.help, f"option {param.opts} of '{name}' has no help text"


def test_every_command_is_documented() -> None:
    text = (DOCS / "cli.md").read_text()
    for name, _ in _commands():
        if name:
            assert f"smartborder {name}" in text, f"'smartborder {name}' missing from docs/cli.md"


def test_init_creates_a_node(
    tmp_path: Path,
    database_url: str,
    cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = tmp_path / "ca"
    args = [
        "init",
        "--node",
        "ca",
        "--name",
        "Canada",
        "--country",
        "ca",
        "--data-dir",
        str(data),
        "--database-url",
        database_url,
    ]
    code, out, _ = cli(args)
    assert code == 0, out
    password = re.search(r"password \(shown once\): (\S+)", out)
    assert password
    assert len(password.group(1)) >= 12
    key = data / "keys" / "signing-key.pem"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert 'country = "CA"' in (data / "node.toml").read_text()
    code, _, err = cli(args)
    assert code == 1
    assert "already initialised" in err
    assert "Traceback" not in err


def test_init_takes_admin_password_from_environment(
    tmp_path: Path,
    database_url: str,
    cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SMARTBORDER_ADMIN_PASSWORD", "short")
    args = [
        "init",
        "--node",
        "us",
        "--name",
        "US",
        "--country",
        "US",
        "--data-dir",
        str(tmp_path / "us"),
        "--database-url",
        database_url,
    ]
    code, _, err = cli(args)
    assert code == 1
    assert "at least 12 characters" in err
    assert not (tmp_path / "us" / "node.toml").exists()  # nothing half-written
    monkeypatch.setenv("SMARTBORDER_ADMIN_PASSWORD", "a-good-long-password")
    code, out, _ = cli(args)
    assert code == 0
    assert "uses SMARTBORDER_ADMIN_PASSWORD" in out


def test_users_commands(
    node: object,
    cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("SMARTBORDER_DATA_DIR", str(tmp_path / "node"))
    code, out, _ = cli(
        [
            "users",
            "create",
            "--username",
            "ana",
            "--role",
            "analyst",
            "--password",
            "long-enough-pass",
        ]
    )
    assert code == 0
    assert "Created user 'ana'" in out
    prompted = CliRunner().invoke(
        app,
        ["users", "create", "--username", "ivo", "--role", "auditor"],
        input="another-long-one\nanother-long-one\n",
    )
    assert prompted.exit_code == 0, prompted.output
    assert "Password" in prompted.output
    assert "another-long-one" not in prompted.output
    code, _, err = cli(
        [
            "users",
            "create",
            "--username",
            "bad",
            "--role",
            "king",
            "--password",
            "long-enough-pass",
        ]
    )
    assert code == 1
    assert "role: one of admin" in err
    code, out, _ = cli(["users", "token", "--username", "ana", "--name", "feed"])
    assert code == 0
    assert re.search(r"sbt_\S+", out)
    code, out, _ = cli(["users", "token", "--username", "ana"])
    assert "feed" in out
    assert "active" in out
    code, out, _ = cli(["users", "token", "--username", "ana", "--revoke", "1"])
    assert code == 0
    assert "Revoked token 1" in out
    code, out, _ = cli(["users", "disable", "--username", "ana"])
    assert code == 0
    code, out, _ = cli(["users", "list"])
    assert re.search(r"ana .*analyst .*disabled", out)
    assert re.search(r"ivo .*auditor .*active", out)
    code, _, err = cli(["users", "disable", "--username", "ghost"])
    assert code == 1
    assert "no user 'ghost'" in err


def test_db_commands(
    node: object,
    cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    data = ["--data-dir", str(tmp_path / "node")]
    code, out, _ = cli(["db", "current", *data])
    assert code == 0
    versions = Path(__file__).parents[1] / "src" / "smartborder" / "migrations" / "versions"
    head = max(path.name[:4] for path in versions.glob("0*.py"))
    assert f"revision {head} (up to date)" in out
    code, out, _ = cli(["db", "upgrade", *data])
    assert code == 0
    assert "(head)" in out


def test_commands_on_an_uninitialised_directory_say_so(
    tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    for args in (["serve"], ["users", "list"], ["db", "current"]):
        code, _, err = cli([*args, "--data-dir", str(tmp_path / "empty")])
        assert code == 1
        assert "is not an initialised node; run 'smartborder init' first" in err


def test_bad_setting_at_start_up_names_it(
    node: object,
    tmp_path: Path,
    cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SMARTBORDER_PORT", "eighty")
    monkeypatch.setenv("SMARTBORDER_LOG_FORMAT", "xml")
    code, _, err = cli(["serve", "--data-dir", str(tmp_path / "node")])
    assert code == 2
    assert "SMARTBORDER_PORT" in err
    assert "'eighty'" in err
    assert "SMARTBORDER_LOG_FORMAT" in err
    assert "Traceback" not in err


def test_usage_errors_are_reported(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = cli(["init", "--node", "ca"])
    assert code == 2
    assert "Missing option" in err


def test_the_walk_reaches_every_group() -> None:
    names = {name for name, _ in _commands()}
    assert {"travel parse", "doc check", "users create", "db upgrade", "screen"} <= names
    assert len(names) > 60


def test_the_console_prints_fingerprints_as_written() -> None:
    """Rich reads :AB: as an emoji code; a certificate fingerprint is full of them."""
    from smartborder import cliutil
    from smartborder.identity import cli as identity_cli

    for console in (cliutil.out, cliutil.err, identity_cli.out, identity_cli.err):
        with console.capture() as captured:
            console.print("36:A6:8E:A3:F9:AB:FD:D5")
        assert "F9:AB:FD" in captured.get()
