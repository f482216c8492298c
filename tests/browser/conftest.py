"""Browser tests: Playwright driving Debian's chromium against pytest-django's live server.

Never `playwright install`: the browser is the system's /usr/bin/chromium (CI installs it).
Every page opened through `page` fails the test if it requests any host but the live server,
logs a console error, or breaks the Content Security Policy (which the live server enforces,
as production does).
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


# Runs in every document before the page's own scripts: each CSP violation is kept in
# window.__cspViolations and reported to the test through an exposed function, so one that
# happens just before a navigation is not lost with the document.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  var report = event.violatedDirective + " blocked " + (event.blockedURI || "inline") +
    " at " + event.documentURI + (event.sample ? " (" + event.sample + ")" : "");
  window.__cspViolations.push(report);
  if (window.__reportCspViolation) {
    window.__reportCspViolation(report);
  }
});
"""


class PageProblems:
    """What went wrong while a page was open: foreign requests, console errors and
    Content Security Policy violations."""

    def __init__(self):
        self.foreign_requests: list[str] = []
        self.console_errors: list[str] = []
        self.csp_violations: list[str] = []

    def csp_violation(self, report: str):
        self.csp_violations.append(report)

    def console(self, message):
        if message.type != "error":
            return
        self.console_errors.append(message.text)
        if "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)


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
    context.expose_function("__reportCspViolation", problems.csp_violation)
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.on("console", problems.console)
    page.on("pageerror", lambda error: problems.console_errors.append(str(error)))
    page.problems = problems
    page.base_url = live_server.url
    yield page
    context.close()
    assert problems.csp_violations == [], "the Content Security Policy was violated:\n" + (
        "\n".join(problems.csp_violations)
    )
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
