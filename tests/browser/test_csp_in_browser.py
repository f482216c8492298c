"""Every kind of page works in a real browser under the enforced Content Security Policy.

The `page` fixture (conftest.py) fails a test on any CSP violation, reported either by the
browser's securitypolicyviolation event or in the console; these tests only have to open each
kind of page, make it do its work (charts drawn, admin widgets loaded) and check it did.
"""

import datetime

import pytest

from cases.models import Publication, Theme
from showcase.models import HeroIllustration, ShowcasePage

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple 42"


@pytest.fixture
def register(make_case):
    """Held cases for the charts, and a published showcase page about one of them."""
    energy = Theme.objects.get(slug="energy")
    cases = [
        make_case(
            title_en=f"Miami energy seminar {day}",
            start_date=datetime.date(2024, 5, 1) + datetime.timedelta(days=day),
            themes=[energy],
        )
        for day in range(3)
    ]
    make_case(title_en="Houston workshop", region="houston", state="TX")
    ShowcasePage.objects.create(
        case=cases[0],
        slug="energy-seminar",
        title_en="An energy seminar in Miami",
        lead_en="Utilities and Japanese firms met in Miami.",
        body_en="## What happened\n\nA **seminar** with [a link](https://example.org/).",
        hero_illustration=HeroIllustration.PANEL,
        hero_alt_en="A panel of speakers.",
        publication=Publication.PUBLISHED,
        published_at=datetime.datetime(2025, 5, 1, tzinfo=datetime.UTC),
    )
    return cases


def no_violations(page):
    """Let late violation reports arrive, then check the document's own record too."""
    page.wait_for_timeout(200)
    violations = page.evaluate("window.__cspViolations")
    assert violations == [], "\n".join(violations)


def assert_strict_policy(response):
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_home_page(page, register):
    response = page.goto(f"{page.base_url}/en/")
    assert_strict_policy(response)
    page.locator("main h1").wait_for()
    no_violations(page)


def test_dashboard_charts_draw_with_plotly_styles(page, register):
    response = page.goto(f"{page.base_url}/en/dashboard/")
    assert_strict_policy(response)
    page.locator(".chart-plot .main-svg").first.wait_for()
    assert page.locator(".chart-plot--drawn").count() >= 3  # the map is SVG the portal draws
    # plotly.js styles its mode bar through the <style> element it adds and fills via the
    # CSSOM: the policy admits that element, so its rules are in place.
    rules = page.evaluate(
        "(() => { const s = document.getElementById('plotly.js-style-global');"
        " return s && s.sheet ? s.sheet.cssRules.length : -1; })()"
    )
    assert rules > 0
    page.locator(".chart-plot--drawn").first.hover()
    no_violations(page)


def test_case_browser_and_case_page(page, register):
    response = page.goto(f"{page.base_url}/en/cases/")
    assert_strict_policy(response)
    page.get_by_role("link", name="Miami energy seminar 1").click()
    page.wait_for_url(f"**/en/cases/{register[1].pk}/")
    no_violations(page)


def test_showcase_index_and_page(page, register):
    page.goto(f"{page.base_url}/en/showcase/")
    page.get_by_role("link", name="An energy seminar in Miami").first.click()
    page.wait_for_url("**/en/showcase/energy-seminar/")
    assert page.locator("main img").first.evaluate("img => img.naturalWidth") > 0
    no_violations(page)


def test_embed_page_draws_its_chart(page, register):
    response = page.goto(f"{page.base_url}/en/dashboard/embed/region/")
    assert "frame-ancestors *" in response.headers["content-security-policy"]
    page.locator(".chart-plot .main-svg").first.wait_for()
    no_violations(page)


def test_embed_page_draws_inside_a_frame(page, register):
    """The embed page's frame-ancestors exception works: framed (here by one of the portal's
    own pages, since the fixture lets the browser talk to the live server only), it loads and
    draws its chart with no violation."""
    page.goto(f"{page.base_url}/en/about/")
    page.evaluate(
        """url => new Promise(resolve => {
            const frame = document.createElement('iframe');
            frame.src = url; frame.onload = resolve; document.body.appendChild(frame);
        })""",
        f"{page.base_url}/en/dashboard/embed/region/",
    )
    frame = page.frames[-1]
    frame.locator(".chart-plot .main-svg").first.wait_for()
    no_violations(page)


def test_admin_login_changelist_and_case_form(page, register, django_user_model):
    django_user_model.objects.create_superuser("chief", "chief@example.org", PASSWORD)
    response = page.goto(f"{page.base_url}/en/admin/login/?next=/en/admin/")
    assert_strict_policy(response)
    page.fill("input[name=username]", "chief")
    page.fill("input[name=password]", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/en/admin/")
    no_violations(page)

    page.goto(f"{page.base_url}/en/admin/cases/case/")
    page.locator("#result_list").wait_for()
    # The admin's own script runs: ticking the first row reveals the action counter.
    page.locator("#result_list input.action-select").first.check()
    page.locator(".action-counter").wait_for()
    assert "1 of" in page.locator(".action-counter").inner_text()
    no_violations(page)

    page.goto(f"{page.base_url}/en/admin/cases/case/{register[0].pk}/change/")
    page.locator("form#case_form").wait_for()
    no_violations(page)

    showcase_page = ShowcasePage.objects.get()
    page.goto(f"{page.base_url}/en/admin/showcase/showcasepage/{showcase_page.pk}/change/")
    page.locator("form#showcasepage_form").wait_for()
    no_violations(page)
