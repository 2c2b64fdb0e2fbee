from __future__ import annotations

import json
import logging

import pytest

from smartborder.logs import configure_logging, request_id_var


def test_json_logs_carry_the_request_id(capsys: pytest.CaptureFixture[str]) -> None:
    try:
        configure_logging("json", "INFO", "ca")
        token = request_id_var.set("req-42")
        logging.getLogger("smartborder.test").info("hello", extra={"status": 200})
        request_id_var.reset(token)
        lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    finally:
        logging.getLogger().handlers[:] = []
    entry = lines[-1]
    assert entry["message"] == "hello"
    assert entry["request_id"] == "req-42"
    assert entry["status"] == 200
    assert entry["level"] == "info"


def test_text_logs_are_one_readable_line(capsys: pytest.CaptureFixture[str]) -> None:
    try:
        configure_logging("text", "INFO", "us")
        logging.getLogger("smartborder.test").warning("careful", extra={"node": "us"})
        line = capsys.readouterr().err.splitlines()[-1]
    finally:
        logging.getLogger().handlers[:] = []
    assert "WARNING" in line
    assert "careful" in line
    assert "node=us" in line
