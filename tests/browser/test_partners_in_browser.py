"""A partner page in a real browser lists exactly that partner's public cases, and the
directory leads to it."""

import datetime

import pytest

from cases.models import CasePartner, Partner, PartnerRole

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_partner_page_lists_exactly_its_public_cases(page, make_case):
    chamber = Partner.objects.create(
        name_en="Greater Miami Chamber of Commerce", name_ja="マイアミ商工会議所", kind="chamber"
    )
    other = Partner.objects.create(name_en="Other University", kind="university")
    mine = []
    for n, public in enumerate([True, True, False, True]):
        case = make_case(
            title_en=f"Chamber case {n}",
            start_date=datetime.date(2023, 4, 1) + datetime.timedelta(days=30 * n),
            is_public=public,
        )
        CasePartner.objects.create(case=case, partner=chamber, role=PartnerRole.CO_HOST)
        if public:
            mine.append(case.title_en)
    unrelated = make_case(title_en="University lecture")
    CasePartner.objects.create(case=unrelated, partner=other, role=PartnerRole.SPEAKER)

    page.goto(f"{page.base_url}/en/partners/?kind=chamber")
    page.get_by_role("link", name="Greater Miami Chamber of Commerce").click()
    page.wait_for_url(f"**/en/partners/{chamber.slug}/")
    titles = page.locator(".case-list .case-title").all_inner_texts()
    assert sorted(titles) == sorted(mine)
    assert titles == sorted(mine, reverse=True)  # newest first
    assert "3" in page.locator(".figure-number").first.inner_text()
