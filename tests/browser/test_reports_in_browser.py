"""A consulate editor reaches the regional report from the admin index in one click, makes
the printable page, and it opens in the browser with its print button."""

import datetime
import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple 42"


def test_a_consulate_editor_reaches_the_report_in_one_click(
    page, make_case, settings, django_user_model
):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    make_case(title_en="Transit workshop", start_date=datetime.date(2024, 10, 1))
    call_command(
        "create_staff", "sato", "--role", "consulate", "--region", "miami", stdout=io.StringIO()
    )
    sato = django_user_model.objects.get(username="sato")
    sato.set_password(PASSWORD)
    sato.save()
    page.goto(f"{page.base_url}/en/admin/login/?next=/en/admin/")
    page.fill("input[name=username]", "sato")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/en/admin/")

    # One click from the index.
    page.locator("#content-main").get_by_role("link", name="Regional report").click()
    page.wait_for_url("**/en/admin/reports/region/")
    assert page.locator("#id_region option").all_inner_texts() == ["Miami"]

    page.select_option("#id_from", "2024")
    page.select_option("#id_to", "2024")
    page.get_by_role("button", name="Make the report").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Regional report")
    assert page.get_by_text("Transit workshop").is_visible()
    # The print button is there and is not printed.
    button = page.get_by_role("button", name="Print")
    assert button.is_visible()
    page.emulate_media(media="print")
    assert not button.is_visible()
