"""Browser tests: Playwright driving Debian's chromium against pytest-django's live server.

Never `playwright install`: the browser is the system's /usr/bin/chromium (CI installs it).
Every page opened through `page` fails the test if it requests any host but the live server
or logs a console error.
"""

import os
import shutil
from urllib.parse import urlsplit

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the test makes
# around it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("PORTAL_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI"):
            pytest.fail(f"chromium not found at {CHROMIUM}; CI must install it")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


class PageProblems:
    """What went wrong while a page was open: foreign requests and console errors."""

    def __init__(self):
        self.foreign_requests: list[str] = []
        self.console_errors: list[str] = []


@pytest.fixture
def page(browser, live_server):
    """A fresh browser page that may talk to the live server only."""
    allowed = urlsplit(live_server.url).netloc
    problems = PageProblems()
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")

    def route(route):
        url = urlsplit(route.request.url)
        if url.scheme in ("data", "blob") or url.netloc == allowed:
            route.continue_()
        else:
            problems.foreign_requests.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            problems.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: problems.console_errors.append(str(error)))
    page.problems = problems
    page.base_url = live_server.url
    yield page
    context.close()
    assert problems.foreign_requests == [], "requests left the portal"
    assert problems.console_errors == [], "the console showed errors"


@pytest.fixture
def axe():
    """Run axe-core on a page; returns the serious and critical violations."""
    from axe_playwright_python.sync_playwright import Axe

    checker = Axe()

    def run(page):
        results = checker.run(page)
        return [
            v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")
        ]

    return run
