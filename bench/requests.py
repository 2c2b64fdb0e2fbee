"""Request overhead of an authenticated API call, against a baseline measured in the same run.

    uv run python bench/requests.py [--requests N]

Runs the real app in-process on a fresh SQLite node: the baseline is `/api/v1/health` (routing,
middleware, no authentication, no database); the measured call is `/api/v1/me` with an API token
(token digest lookup, role check, unit of work). Prints requests per second and the ratio.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient

from smartborder import db
from smartborder.app import create_app
from smartborder.node import init_node
from smartborder.settings import load_settings
from smartborder.users import service as users


def measure(client: TestClient, path: str, headers: dict[str, str], count: int) -> float:
    for _ in range(50):
        client.get(path, headers=headers)
    started = time.perf_counter()
    for _ in range(count):
        response = client.get(path, headers=headers)
        assert response.status_code == 200, response.text
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(data_dir=Path(tmp), node_id="ca", node_name="Bench", country="CA")
        init_node(settings, admin_password="bench-password-1")
        app = create_app(settings, configure_logs=False)
        with db.unit_of_work(app.state.sessions) as session:
            _, secret = users.create_token(session, users.get_user(session, "admin"), "bench")
        with TestClient(app) as client:
            base = measure(client, "/api/v1/health", {}, args.requests)
            auth = measure(
                client, "/api/v1/me", {"Authorization": f"Bearer {secret}"}, args.requests
            )
        app.state.engine.dispose()
    print(f"baseline  GET /api/v1/health            {base:8.0f} req/s")
    print(f"measured  GET /api/v1/me (API token)    {auth:8.0f} req/s")
    print(f"ratio     authenticated / baseline      {auth / base:8.2f}")


if __name__ == "__main__":
    main()
