"""Facets in a real browser: ticking two themes and two districts gives the union the URL
says, and the counts beside the options are those `manage.py case_stats --public` gives."""

import datetime
import io
import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.management import call_command

from cases.models import Theme

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def register(make_case):
    energy, startups, culture = (
        Theme.objects.get(slug=slug) for slug in ("energy", "startups", "culture")
    )
    day = datetime.date(2023, 5, 1)
    for name, region, state, themes in [
        ("Miami energy", "miami", "FL", [energy]),
        ("Miami energy and start-ups", "miami", "FL", [energy, startups]),
        ("Miami culture", "miami", "FL", [culture]),
        ("Houston start-ups", "houston", "TX", [startups]),
        ("Oklahoma energy", "houston", "OK", [energy]),
        ("New York energy", "new-york", "NY", [energy]),
    ]:
        make_case(title_en=name, region=region, state=state, themes=themes, start_date=day)
        day += datetime.timedelta(days=20)


def case_stats(*args) -> dict:
    out = io.StringIO()
    call_command("case_stats", "--public", "--format", "json", *args, stdout=out)
    data = json.loads(out.getvalue())
    return {row["key"]: row["cases"] for row in data["rows"]} | {"total": data["total"]}


def option_count(page, name, value) -> int:
    label = page.locator(f"label:has(input[name={name}][value='{value}'])").text_content()
    return int(re.search(r"\(([\d,]+)\)\s*$", label).group(1).replace(",", ""))


def test_two_themes_and_two_districts(page, register):
    page.goto(f"{page.base_url}/en/cases/")
    for name, value in [
        ("theme", "energy"),
        ("theme", "startups"),
        ("region", "miami"),
        ("region", "houston"),
    ]:
        box = page.locator(f"input[name={name}][value='{value}']")
        if not box.is_visible():
            box.locator("xpath=ancestor::details/summary").click()
        box.check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url("**theme=startups**")
    query = parse_qs(urlsplit(page.url).query)
    assert sorted(query["theme"]) == ["energy", "startups"]
    assert sorted(query["region"]) == ["houston", "miami"]

    titles = page.locator(".case-list .case-title").all_inner_texts()
    assert sorted(titles) == [
        "Houston start-ups",
        "Miami energy",
        "Miami energy and start-ups",
        "Oklahoma energy",
    ]
    regions = ["--region", "miami", "--region", "houston"]
    themes = ["--theme", "energy", "--theme", "startups"]
    assert (
        page.locator(".result-count")
        .inner_text()
        .startswith(f"{case_stats(*regions, *themes)['total']} cases")
    )
    by_theme = case_stats("--by", "theme", *regions)
    by_region = case_stats("--by", "region", *themes)
    by_state = case_stats("--by", "state", *regions, *themes)
    assert option_count(page, "theme", "energy") == by_theme["energy"] == 3
    assert option_count(page, "theme", "culture") == by_theme["culture"] == 1
    assert option_count(page, "region", "new-york") == by_region["new-york"] == 1
    assert option_count(page, "state", "OK") == by_state["OK"] == 1
    # The states offered are those of the two districts.
    assert page.locator("input[name=state][value='NY']").count() == 0

    # The address is a permalink: opened afresh it shows the same list.
    page.goto(page.url)
    assert sorted(page.locator(".case-list .case-title").all_inner_texts()) == sorted(titles)
