"""Take the README's screenshot from a running demo: `uv run python scripts/screenshot.py [URL]`.

Signs in as the demo analyst with Debian's chromium and captures the People page.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from smartborder.demo import demo_password

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8101"
    target = Path(__file__).resolve().parents[1] / "docs" / "img" / "people.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.goto(url + "/login")
        page.get_by_label("Username").fill("analyst")
        page.get_by_label("Password").fill(demo_password("ca", "analyst"))
        page.get_by_role("button", name="Sign in").click()
        page.goto(url + "/people")
        page.screenshot(path=str(target))
        browser.close()
    print(target)


if __name__ == "__main__":
    main()
