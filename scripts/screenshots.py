"""Take the screenshots in docs/screenshots/ from the demo, served as `make demo` serves it.

Run it by hand after changing a page: `.venv/bin/python scripts/screenshots.py`. It builds the
demo in a temporary folder, serves it with gunicorn on a free port, signs in as the supervisor
and saves each page at 1440 × 900 (the whole page where it is longer), in English and Russian,
as docs/screenshots/<page>-<language>.png. It drives Debian's Chromium (/usr/bin/chromium).
"""

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1440, "height": 900}
LOCALES = {"en": "en-GB", "ru": "ru-RU"}
SUPERVISOR = "supervisor"
# A register file with three wrong rows (3, 4 and 5) among right ones, for the import page.
BAD_REGISTER = (
    "reference,direction,kind,country,sent_on,received_on,status,decided_on,refusal_grounds\n"
    "IMP-26-0001,outgoing,mla,CH,2026-01-12,,pending,,\n"
    "IMP-26-0002,outgoing,mla,Atlantis,2026-01-15,,pending,,\n"
    "IMP-26-0003,outgoing,extradition,DE,2026-02-02,,refused,2026-01-20,own_national\n"
    "IMP-26-0004,incoming,mla,KZ,,2026-02-10,refused,2026-03-01,\n"
    "IMP-26-0005,incoming,extradition,UZ,,2026-03-03,pending,,\n"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output",
        type=Path,
        default=ROOT / "docs" / "screenshots",
        help="Folder for the PNG files (default: docs/screenshots).",
    )
    arguments = parser.parse_args()
    arguments.output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="rogatory-screenshots-") as folder:
        address, server = _demo_start(Path(folder))
        try:
            _screenshots_take(address, arguments.output)
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)


def _demo_start(folder: Path) -> tuple[str, subprocess.Popen]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    environment = {
        **os.environ,
        "ROGATORY_DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite3'}",
        "ROGATORY_MEDIA_DIR": str(folder / "media"),
        "ROGATORY_STATIC_ROOT": str(folder / "static"),
    }
    environment.pop("ROGATORY_DEBUG", None)
    log = (folder / "demo.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "rogatory.cli", "demo", "--port", str(port)],
        cwd=folder,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    address = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"rogatory demo stopped:\n{(folder / 'demo.log').read_text()}")
        try:
            with urllib.request.urlopen(f"{address}/login/", timeout=2):
                return address, server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    server.kill()
    sys.exit(f"rogatory demo did not answer at {address}")


# The name of the request page's letter card, by language.
LETTER = {"en": "Request letter", "ru": "Текст запроса"}


def _screenshots_take(address: str, output: Path) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for language, locale in LOCALES.items():
            context = browser.new_context(base_url=address, viewport=VIEWPORT, locale=locale)
            page = context.new_page()
            _sign_in(page, language)

            def shot(name: str, *, page: Page = page, language: str = language) -> None:
                page.wait_for_load_state("networkidle")
                path = output / f"{name}-{language}.png"
                page.screenshot(path=str(path), full_page=True)
                print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)

            page.goto("/")
            shot("dashboard")
            page.goto("/requests/")
            shot("register")
            page.goto("/requests/?search=-OE-09001")
            page.locator("#results tbody a").first.click()
            shot("request")
            page.goto("/import/")
            page.locator("input[type=file]").set_input_files(
                files=[
                    {
                        "name": "register-2026.csv",
                        "mimeType": "text/csv",
                        "buffer": BAD_REGISTER.encode(),
                    }
                ]
            )
            page.locator("form[enctype='multipart/form-data'] button[type=submit]").click()
            # The demo's background worker checks the file; the page shows the rows once it has.
            page.locator("table.row-errors").wait_for(timeout=60_000)
            shot("import")
            page.goto("/reports/?year=2023&direction=outgoing")
            shot("report")
            page.goto("/statement/")
            shot("statement")
            page.goto("/countries/CH/")
            shot("country")
            page.goto("/work/")
            shot("worklist")
            # The urgent extradition, arrested ahead of its request, and the clerk's letter.
            page.goto("/requests/?search=-OE-09005")
            page.locator("#results tbody a").first.click()
            shot("request-deadlines")
            page.goto("/requests/?search=-OM-09004")
            page.locator("#results tbody a").first.click()
            page.get_by_role("region", name=LETTER[language]).get_by_role("link").first.click()
            shot("letter")
            page.goto("/countries/KZ/")
            shot("country-engagements")
            context.close()
        browser.close()


def _sign_in(page: Page, language: str) -> None:
    # By the fields' names: their labels are in the language of the browser.
    page.goto("/login/")
    page.locator("input[name=username]").fill(SUPERVISOR)
    page.locator("input[name=password]").fill(_demo_password())
    page.locator("form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r"^(?!.*/login/)"))
    # The language switch in the top bar, as a user would choose.
    page.locator(f"form.langswitch button[value={language}]").click()
    page.wait_for_load_state("networkidle")


def _demo_password() -> str:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "rogatory.settings")
    django.setup()
    from rogatory.core.demo import DEMO_PASSWORD

    return DEMO_PASSWORD


if __name__ == "__main__":
    main()
