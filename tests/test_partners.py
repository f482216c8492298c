"""Partner pages: a directory by kind and state that can be searched, and a page per partner
listing exactly its public cases, with their districts, themes and years, and a download."""

import datetime
import io
import json

import pytest
from django.core.management import call_command

from cases.models import CasePartner, Partner, PartnerRole, Theme
from tests.test_downloads import csv_rows


@pytest.fixture
def chamber(make_case):
    """A Miami chamber with two public cases (one as co-host, one as sponsor), one non-public
    case, and another partner's case it has nothing to do with."""
    chamber = Partner.objects.create(
        name_en="Greater Miami Chamber of Commerce",
        name_ja="グレーター・マイアミ商工会議所",
        kind="chamber",
        state_id=None,
    )
    energy = Theme.objects.get(slug="energy")
    first = make_case(
        title_en="Transport workshop", start_date=datetime.date(2024, 10, 16), themes=[energy]
    )
    second = make_case(
        title_en="Energy seminar in Houston",
        region="houston",
        state="TX",
        start_date=datetime.date(2021, 6, 1),
    )
    hidden = make_case(title_en="Hidden meeting", is_public=False)
    CasePartner.objects.create(case=first, partner=chamber, role=PartnerRole.CO_HOST)
    CasePartner.objects.create(case=second, partner=chamber, role=PartnerRole.SPONSOR)
    CasePartner.objects.create(case=hidden, partner=chamber, role=PartnerRole.CO_HOST)
    other = Partner.objects.create(name_en="Other University", kind="university")
    unrelated = make_case(title_en="Unrelated lecture")
    CasePartner.objects.create(case=unrelated, partner=other, role=PartnerRole.SPEAKER)
    return chamber


@pytest.mark.django_db
class TestPartnerPage:
    def test_a_slug_is_made_from_the_english_name(self, chamber):
        assert chamber.slug == "greater-miami-chamber-of-commerce"
        twin = Partner.objects.create(name_en="Greater Miami Chamber of Commerce!", kind="other")
        assert twin.slug == "greater-miami-chamber-of-commerce-2"

    def test_lists_exactly_its_public_cases_newest_first(self, client, chamber):
        response = client.get(f"/en/partners/{chamber.slug}/")
        assert response.status_code == 200
        titles = [case.title_en for case in response.context["cases"]]
        assert titles == ["Transport workshop", "Energy seminar in Houston"]
        assert "Hidden meeting" not in response.text
        assert "Unrelated lecture" not in response.text

    def test_districts_themes_and_years(self, client, chamber):
        context = client.get(f"/en/partners/{chamber.slug}/").context
        assert [row["key"] for row in context["regions"]] == ["houston", "miami"] or [
            row["key"] for row in context["regions"]
        ] == ["miami", "houston"]
        assert [row["key"] for row in context["themes"]] == ["energy"]
        assert [row["key"] for row in context["years"]] == [2021, 2022, 2023, 2024]
        assert [row["cases"] for row in context["years"]] == [1, 0, 0, 1]

    def test_the_figures_equal_case_stats(self, client, chamber):
        out = io.StringIO()
        call_command(
            "case_stats", "--public", "--partner", chamber.slug, "--format", "json", stdout=out
        )
        assert json.loads(out.getvalue())["total"] == 2

    def test_in_japanese(self, client, chamber):
        html = client.get(f"/ja/partners/{chamber.slug}/").text
        assert "グレーター・マイアミ商工会議所" in html
        assert "Its public cases" not in html

    def test_its_own_download(self, client, chamber):
        html = client.get(f"/en/partners/{chamber.slug}/").text
        assert f'href="/en/cases/export.csv?partner={chamber.slug}"' in html
        response = client.get(f"/en/cases/export.csv?partner={chamber.slug}")
        assert len(csv_rows(response)) == 2

    def test_a_partner_without_public_cases_has_no_page(self, client, chamber):
        quiet = Partner.objects.create(name_en="Quiet Partner", kind="other")
        assert client.get(f"/en/partners/{quiet.slug}/").status_code == 404
        assert client.get("/en/partners/no-such-partner/").status_code == 404


@pytest.mark.django_db
class TestDirectory:
    def test_lists_partners_of_public_cases_with_their_counts(self, client, chamber):
        response = client.get("/en/partners/")
        names = [partner.name_en for partner in response.context["partners"]]
        assert names == ["Greater Miami Chamber of Commerce", "Other University"]
        assert response.context["partners"][0].case_count == 2

    def test_by_kind(self, client, chamber):
        names = [
            p.name_en for p in client.get("/en/partners/?kind=university").context["partners"]
        ]
        assert names == ["Other University"]

    def test_searchable_in_either_language(self, client, chamber):
        for query in ("miami chamber", "マイアミ"):
            response = client.get("/en/partners/", {"q": query})
            assert [p.name_en for p in response.context["partners"]] == [
                "Greater Miami Chamber of Commerce"
            ]

    def test_bad_filters_are_reported_not_an_error(self, client, chamber):
        response = client.get("/en/partners/?kind=nonsense&state=zz")
        assert response.status_code == 200
        assert "is not a kind of partner" in response.text
