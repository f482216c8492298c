"""Best-practice pages: what the public sees, what staff preview, what never gets out."""

import datetime
import io
import re
from html.parser import HTMLParser

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from cases.models import Case, CasePartner, CaseStatus, Partner, PartnerRole, Publication, Theme
from showcase.demo import DEMO_PAGES, load_showcase_demo
from showcase.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, render_markdown
from showcase.models import HeroIllustration, ShowcasePage
from showcase.views import related_cases
from tests.test_query_counts import assert_data_queries

PUBLISHED_AT = datetime.datetime(2025, 5, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def make_page(make_case):
    """Build and save a showcase page (published, about a new public held case by default)."""
    counter = iter(range(1, 10_000))

    def make(case=None, **fields):
        n = next(counter)
        case = case or make_case(title_en=f"Case {n}", title_ja=f"案件{n}")
        defaults = {
            "slug": f"page-{n}",
            "title_en": f"Best practice {n}",
            "title_ja": f"ベストプラクティス{n}",
            "lead_en": f"English lead {n}.",
            "lead_ja": f"日本語のリード{n}。",
            "body_en": "## What happened\n\nA **workshop** took place.",
            "body_ja": "## 概要\n\n**ワークショップ**を開催しました。",
            "hero_illustration": HeroIllustration.TRANSPORT,
            "hero_alt_en": "A train on an elevated guideway.",
            "hero_alt_ja": "高架を走る列車。",
            "hero_credit_en": "Illustration: Grassroots Portal",
            "hero_credit_ja": "イラスト：グラスルーツ・ポータル",
            "publication": Publication.PUBLISHED,
            "published_at": PUBLISHED_AT,
        }
        defaults.update(fields)
        page = ShowcasePage(case=case, **defaults)
        page.full_clean()
        page.save()
        return page

    return make


@pytest.fixture
def miami_workshop(make_case, make_page):
    """A published page about a Miami workshop with partners, themes and participants."""
    transport = Theme.objects.get(slug="transport-infrastructure")
    awareness = Theme.objects.get(slug="ap4-awareness")
    case = make_case(
        title_en="Transport infrastructure workshop",
        title_ja="輸送インフラに関するワークショップ",
        region="miami",
        state="FL",
        city_en="Miami",
        start_date=datetime.date(2024, 10, 15),
        participants=80,
        themes=[transport, awareness],
    )
    chamber = Partner.objects.create(
        name_en="Greater Miami Chamber of Commerce", name_ja="広域マイアミ圏商工会", kind="chamber"
    )
    airport = Partner.objects.create(name_en="Miami International Airport", kind="airport-port")
    CasePartner.objects.create(case=case, partner=chamber, role=PartnerRole.CO_HOST)
    CasePartner.objects.create(case=case, partner=airport, role=PartnerRole.PARTICIPANT)
    return make_page(
        case=case,
        slug="miami-workshop",
        title_en="Transport infrastructure workshop in Miami",
        title_ja="マイアミでの輸送インフラに関するワークショップ",
        lead_en="Rail, airports and the companies that build them.",
        lead_ja="鉄道、空港、そしてそれを支える企業。",
    )


@pytest.fixture
def staff_client(client, django_user_model):
    """A staff member the admin shows every showcase page to (the view permission)."""
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user(
        "editor", password="a-long-password-1", is_staff=True
    )
    user.user_permissions.add(Permission.objects.get(codename="view_showcasepage"))
    client.force_login(user)
    return client


# --- The index ----------------------------------------------------------------------------------


@pytest.mark.django_db
class TestIndex:
    def test_lists_published_pages_as_cards_in_english(self, client, miami_workshop):
        response = client.get("/en/showcase/")
        assert response.status_code == 200
        text = response.text
        assert "Transport infrastructure workshop in Miami" in text
        assert "Rail, airports and the companies that build them." in text
        assert "Miami, Florida" in text
        assert "15 October 2024" in text
        assert 'href="/en/showcase/miami-workshop/"' in text
        assert 'src="/static/showcase/demo/transport.png"' in text
        assert "1 best practice" in text

    def test_lists_the_same_pages_in_japanese(self, client, miami_workshop):
        response = client.get("/ja/showcase/")
        assert response.status_code == 200
        assert '<html lang="ja">' in response.text
        assert "マイアミでの輸送インフラに関するワークショップ" in response.text
        assert "2024年10月15日" in response.text
        assert 'href="/ja/showcase/miami-workshop/"' in response.text

    def test_newest_case_comes_first(self, client, make_case, make_page):
        make_page(case=make_case(start_date=datetime.date(2023, 5, 1)), title_en="Older one")
        make_page(case=make_case(start_date=datetime.date(2024, 5, 1)), title_en="Newer one")
        text = client.get("/en/showcase/").text
        assert text.index("Newer one") < text.index("Older one")

    def test_empty_index_says_so(self, client):
        response = client.get("/en/showcase/")
        assert response.status_code == 200
        assert "No best practices have been published yet." in response.text


@pytest.mark.django_db
class TestIndexFilters:
    @pytest.fixture
    def pages(self, make_case, make_page):
        stem = Theme.objects.get(slug="stem-women")
        energy = Theme.objects.get(slug="energy")
        make_page(
            case=make_case(region="miami", state="FL", start_date=datetime.date(2024, 10, 1)),
            title_en="Miami FY2024 energy",
        ).case.themes.set([energy])
        make_page(
            case=make_case(region="new-york", state="NY", start_date=datetime.date(2025, 3, 25)),
            title_en="New York FY2024 STEM",
        ).case.themes.set([stem, energy])
        make_page(
            case=make_case(region="new-york", state="NY", start_date=datetime.date(2023, 6, 1)),
            title_en="New York FY2023 STEM",
        ).case.themes.set([stem])

    def titles(self, response):
        return {page.title_en for page in response.context["pages"]}

    def test_by_fiscal_year(self, client, pages):
        response = client.get("/en/showcase/?fy=2024")
        assert self.titles(response) == {"Miami FY2024 energy", "New York FY2024 STEM"}

    def test_by_region(self, client, pages):
        response = client.get("/en/showcase/?region=new-york")
        assert self.titles(response) == {"New York FY2024 STEM", "New York FY2023 STEM"}

    def test_by_theme_lists_each_page_once(self, client, pages):
        response = client.get("/en/showcase/?theme=energy")
        assert [p.title_en for p in response.context["pages"]] == [
            "New York FY2024 STEM",
            "Miami FY2024 energy",
        ]

    def test_filters_combine(self, client, pages):
        response = client.get("/en/showcase/?fy=2024&region=new-york&theme=stem-women")
        assert self.titles(response) == {"New York FY2024 STEM"}
        assert "1 best practice" in response.text

    def test_fiscal_years_offered_are_those_with_pages_labelled_for_the_language(
        self, client, pages
    ):
        english = client.get("/en/showcase/").text
        assert '<option value="2024">FY2024</option>' in english
        assert '<option value="2023">FY2023</option>' in english
        assert '<option value="2022">' not in english
        japanese = client.get("/ja/showcase/").text
        assert '<option value="2024">2024年度（令和6年度）</option>' in japanese

    def test_no_match_says_so_and_offers_to_clear(self, client, pages):
        response = client.get("/en/showcase/?region=anchorage")
        assert response.status_code == 200
        assert "No best practice matches these filters." in response.text
        assert "Clear filters" in response.text

    @pytest.mark.parametrize(
        "query",
        [
            "fy=abc",
            "fy=1999",
            "region=atlantis",
            "theme=%3Cscript%3E",
            "fy=2024.5&region=",
            "region=miami&region=new-york&theme=" + "x" * 500,
        ],
    )
    def test_bad_values_are_reported_and_ignored_not_an_error(self, client, pages, query):
        response = client.get(f"/en/showcase/?{query}")
        assert response.status_code == 200
        assert "were not recognised and have been ignored" in response.text
        assert 'class="errorlist' in response.text
        assert "<script>" not in response.text

    def test_an_unknown_value_does_not_drop_the_valid_filters(self, client, pages):
        response = client.get("/en/showcase/?fy=2024&region=atlantis")
        assert self.titles(response) == {"Miami FY2024 energy", "New York FY2024 STEM"}

    @pytest.mark.parametrize("page", ["abc", "999", "-1", "0"])
    def test_a_bad_page_number_still_shows_a_page(self, client, pages, page):
        assert client.get(f"/en/showcase/?page={page}").status_code == 200

    def test_paginates_and_keeps_the_filters_in_page_links(self, client, make_case, make_page):
        for day in range(1, 15):
            make_page(case=make_case(start_date=datetime.date(2024, 10, day)))
        response = client.get("/en/showcase/?fy=2024")
        assert len(response.context["pages"]) == 12
        assert 'href="?fy=2024&amp;page=2"' in response.text
        second = client.get("/en/showcase/?fy=2024&page=2")
        assert len(second.context["pages"]) == 2


# --- The detail page ----------------------------------------------------------------------------


@pytest.mark.django_db
class TestDetail:
    def test_shows_title_lead_body_and_hero_with_alt_text_and_credit(self, client, miami_workshop):
        response = client.get("/en/showcase/miami-workshop/")
        assert response.status_code == 200
        text = response.text
        assert "<h1>Transport infrastructure workshop in Miami" in text
        assert "Rail, airports and the companies that build them." in text
        assert "<h2>What happened</h2>" in text
        assert "<strong>workshop</strong>" in text
        assert 'alt="A train on an elevated guideway."' in text
        assert 'width="1600" height="900"' in text
        assert "<figcaption>Illustration: Grassroots Portal</figcaption>" in text

    def test_key_facts_come_from_the_case(self, client, miami_workshop):
        text = client.get("/en/showcase/miami-workshop/").text
        facts = text[text.index('class="facts"') : text.index("</dl>")]
        for fact in [
            "15 October 2024",
            "FY2024",
            "Miami, Florida",
            "Consulate-General of Japan in Miami",
            "Workshop",
            "Greater Miami Chamber of Commerce",
            "(Co-host)",
            "Miami International Airport",
            "(Participant)",
            "Transport infrastructure",
            "Raising Americans&#x27; awareness of Japan&#x27;s contribution",
            "80",
        ]:
            assert fact in facts, fact

    def test_key_facts_link_to_the_region_and_state_pages(self, client, miami_workshop):
        text = client.get("/en/showcase/miami-workshop/").text
        assert '<a href="/en/regions/miami/">' in text
        assert '<a href="/en/states/FL/">' in text

    def test_key_facts_in_japanese(self, client, miami_workshop):
        text = client.get("/ja/showcase/miami-workshop/").text
        assert "<h1>マイアミでの輸送インフラに関するワークショップ" in text
        assert "2024年10月15日" in text
        assert "2024年度（令和6年度）" in text
        assert "在マイアミ日本国総領事館" in text
        assert "広域マイアミ圏商工会" in text
        assert "<h2>概要</h2>" in text
        assert 'alt="高架を走る列車。"' in text

    def test_a_date_range_shows_both_days(self, client, make_case, make_page):
        case = make_case(
            start_date=datetime.date(2024, 11, 4), end_date=datetime.date(2024, 11, 6)
        )
        make_page(case=case, slug="three-days")
        assert "4 November 2024 – 6 November 2024" in client.get("/en/showcase/three-days/").text

    def test_a_nationwide_case_has_no_single_state(self, client, make_case, make_page):
        make_page(case=make_case(region="washington-dc", state=None), slug="nationwide")
        assert "Nationwide (no single state)" in client.get("/en/showcase/nationwide/").text

    def test_missing_japanese_text_falls_back_to_english_with_a_marker(self, client, make_page):
        make_page(slug="english-only", title_ja="", lead_ja="", body_ja="", hero_alt_ja="")
        text = client.get("/ja/showcase/english-only/").text
        assert '<h1 lang="en">Best practice' in text
        assert '<span class="lang-fallback" lang="ja">英語のみ</span>' in text
        assert 'alt="A train on an elevated guideway." lang="en"' in text

    def test_missing_english_text_falls_back_to_japanese_with_a_marker(self, client, make_page):
        make_page(slug="japanese-only", title_en="", lead_en="", body_en="")
        text = client.get("/en/showcase/japanese-only/").text
        assert '<h1 lang="ja">ベストプラクティス' in text
        assert '<span class="lang-fallback" lang="en">Japanese only</span>' in text

    def test_no_marker_when_the_text_exists_in_the_page_language(self, client, miami_workshop):
        assert "lang-fallback" not in client.get("/ja/showcase/miami-workshop/").text

    def test_unknown_slug_is_404(self, client):
        assert client.get("/en/showcase/no-such-page/").status_code == 404

    def test_an_uploaded_hero_image_wins_over_the_illustration(
        self, client, make_page, settings, tmp_path
    ):
        from PIL import Image

        settings.MEDIA_ROOT = tmp_path
        buffer = io.BytesIO()
        Image.new("RGB", (1200, 600), (29, 63, 114)).save(buffer, format="PNG")
        page = make_page(slug="photo")
        page.hero_image = SimpleUploadedFile("photo.png", buffer.getvalue(), "image/png")
        page.save()
        text = client.get("/en/showcase/photo/").text
        assert re.search(r'src="/media/showcase/\d{4}/photo[^"]*\.png"', text)
        assert 'width="1200" height="600"' in text

    def test_open_graph_and_description_tags(self, client, miami_workshop):
        text = client.get("/en/showcase/miami-workshop/").text
        assert (
            '<meta name="description" content="Rail, airports and the companies that build them.">'
            in text
        )
        assert (
            '<meta property="og:title" content="Transport infrastructure workshop in Miami">'
            in text
        )
        assert '<meta property="og:type" content="article">' in text
        assert (
            '<meta property="og:image" content="http://testserver/static/showcase/og/'
            'transport.png">' in text
        )
        assert (
            '<meta property="og:url" content="http://testserver/en/showcase/miami-workshop/">'
            in text
        )
        assert (
            '<link rel="alternate" hreflang="ja" href="http://testserver/ja/showcase/miami-workshop/">'
            in text
        )
        assert '<meta property="og:locale" content="en_US">' in text

    def test_no_page_has_an_inline_script(self, client, miami_workshop):
        for url in ["/en/", "/en/showcase/", "/en/showcase/miami-workshop/", "/ja/showcase/"]:
            # Only data: the best practice's schema.org event, which no browser runs.
            for tag in re.findall(r"<script\b[^>]*>", client.get(url).text):
                assert tag == '<script type="application/ld+json">', url


@pytest.mark.django_db
class TestRelatedCases:
    def test_other_public_cases_of_the_same_region_or_theme(
        self, client, make_case, miami_workshop
    ):
        transport = Theme.objects.get(slug="transport-infrastructure")
        same_region = make_case(region="miami", state="FL", title_en="Another Miami case")
        same_theme = make_case(
            region="chicago", state="IL", title_en="Chicago rail forum", themes=[transport]
        )
        make_case(region="chicago", state="IL", title_en="Unrelated Chicago case")
        make_case(region="miami", state="FL", title_en="Private Miami case", is_public=False)
        make_case(region="miami", state="FL", title_en="Draft Miami case", status="draft")
        response = client.get("/en/showcase/miami-workshop/")
        related = {case.title_en for case in response.context["related"]}
        assert related == {"Another Miami case", "Chicago rail forum"}
        assert f'href="/en/cases/{same_region.pk}/"' in response.text
        assert f'href="/en/cases/{same_theme.pk}/"' in response.text
        assert "Private Miami case" not in response.text
        assert "Draft Miami case" not in response.text

    def test_chosen_by_region_then_shared_themes_and_shown_newest_first(
        self, client, make_case, miami_workshop
    ):
        transport = Theme.objects.get(slug="transport-infrastructure")
        awareness = Theme.objects.get(slug="ap4-awareness")
        newest = datetime.date(2025, 3, 1)
        make_case(region="chicago", state="IL", title_en="One theme", themes=[transport])
        make_case(
            region="chicago",
            state="IL",
            title_en="Two themes",
            themes=[transport, awareness],
            start_date=datetime.date(2024, 4, 2),
        )
        make_case(
            region="miami",
            state="FL",
            title_en="Same region, oldest",
            start_date=datetime.date(2024, 4, 1),
        )
        make_case(
            region="chicago",
            state="IL",
            title_en="Newest, one theme",
            start_date=newest,
            themes=[awareness],
        )
        response = client.get("/en/showcase/miami-workshop/")
        assert [case.title_en for case in response.context["related"]] == [
            "Newest, one theme",
            "One theme",
            "Two themes",
            "Same region, oldest",
        ]
        chosen = [c.title_en for c in related_cases(response.context["page"].case, limit=2)]
        assert chosen == ["Two themes", "Same region, oldest"]

    def test_the_page_own_case_is_not_related_to_itself(self, client, miami_workshop):
        response = client.get("/en/showcase/miami-workshop/")
        assert miami_workshop.case not in response.context["related"]

    def test_at_most_six(self, client, make_case, miami_workshop):
        for day in range(1, 10):
            make_case(region="miami", state="FL", start_date=datetime.date(2024, 9, day))
        assert len(client.get("/en/showcase/miami-workshop/").context["related"]) == 6


# --- What the public never sees ---------------------------------------------------------------


@pytest.mark.django_db
class TestDraftsAndNonPublicCases:
    @pytest.fixture
    def draft(self, make_page):
        return make_page(
            slug="secret-draft",
            title_en="Secret draft",
            publication=Publication.DRAFT,
            published_at=None,
        )

    @pytest.fixture
    def about_private_case(self, make_page):
        """Published while its case was public; the case was taken off the public site since."""
        page = make_page(slug="private-case", title_en="About a private case")
        Case.objects.filter(pk=page.case_id).update(is_public=False)
        return page

    @pytest.fixture
    def about_planned_case(self, make_page):
        """Published, then its case was put back to planned."""
        page = make_page(slug="planned-case", title_en="About a planned case")
        Case.objects.filter(pk=page.case_id).update(status=CaseStatus.PLANNED)
        return page

    @pytest.mark.parametrize("language", ["en", "ja"])
    def test_a_draft_is_404_for_the_public(self, client, draft, language):
        assert client.get(f"/{language}/showcase/secret-draft/").status_code == 404

    def test_a_draft_is_404_for_a_signed_in_user_who_is_not_staff(
        self, client, django_user_model, draft
    ):
        client.force_login(django_user_model.objects.create_user("reader", password="x" * 16))
        assert client.get("/en/showcase/secret-draft/").status_code == 404

    def test_staff_preview_a_draft_with_a_clear_notice(self, staff_client, draft):
        response = staff_client.get("/en/showcase/secret-draft/")
        assert response.status_code == 200
        assert "Draft preview" in response.text
        assert "The page is not published." in response.text
        assert '<meta name="robots" content="noindex, nofollow">' in response.text
        assert response["Cache-Control"] == "private, no-store"
        assert response["X-Robots-Tag"] == "noindex"
        assert f"/en/admin/showcase/showcasepage/{draft.pk}/change/" in response.text

    def test_staff_without_the_view_permission_get_a_404(self, client, django_user_model, draft):
        user = django_user_model.objects.create_user("bare", password="x" * 16, is_staff=True)
        client.force_login(user)
        assert client.get("/en/showcase/secret-draft/").status_code == 404

    @pytest.mark.parametrize(("editor_region", "status"), [("miami", 404), ("new-york", 200)])
    def test_a_consulate_editor_previews_only_their_districts_drafts(
        self, client, make_case, make_page, editor_region, status
    ):
        """A Miami editor's preview of a New York draft is a 404, as in the admin."""
        from django.contrib.auth import get_user_model
        from django.core.management import call_command

        call_command(
            "create_staff",
            "editor",
            "--role",
            "consulate",
            "--region",
            editor_region,
            stdout=io.StringIO(),
        )
        case = make_case(region="new-york", state="NY", title_en="New York case")
        make_page(
            case=case,
            slug="ny-draft",
            title_en="New York draft",
            publication=Publication.DRAFT,
            published_at=None,
        )
        client.force_login(get_user_model().objects.get(username="editor"))
        response = client.get("/en/showcase/ny-draft/")
        assert response.status_code == status
        admin = client.get("/en/admin/showcase/showcasepage/")
        assert ("New York draft" in admin.text) == (status == 200)
        if status == 404:
            assert "New York draft" not in response.text

    def test_staff_see_no_preview_notice_on_a_published_page(self, staff_client, miami_workshop):
        response = staff_client.get("/en/showcase/miami-workshop/")
        assert "Draft preview" not in response.text
        assert "Cache-Control" not in response or "no-store" not in response["Cache-Control"]

    def test_a_page_about_a_non_public_case_is_404_for_the_public(
        self, client, about_private_case
    ):
        assert client.get("/en/showcase/private-case/").status_code == 404

    def test_staff_preview_a_page_about_a_non_public_case(self, staff_client, about_private_case):
        response = staff_client.get("/en/showcase/private-case/")
        assert response.status_code == 200
        assert "Its case is not public." in response.text

    def test_a_page_whose_case_is_not_held_is_404(self, client, about_planned_case):
        assert client.get("/en/showcase/planned-case/").status_code == 404

    def test_none_of_them_appear_on_the_index_or_home(
        self, client, draft, about_private_case, about_planned_case, miami_workshop
    ):
        for url in ["/en/showcase/", "/ja/showcase/", "/en/", "/en/showcase/?fy=2024"]:
            text = client.get(url).text
            assert "Transport infrastructure workshop in Miami" in text or url == "/ja/showcase/"
            for hidden in ["Secret draft", "About a private case", "About a planned case"]:
                assert hidden not in text, (url, hidden)
            for slug in ["secret-draft", "private-case", "planned-case"]:
                assert slug not in text, (url, slug)

    def test_published_queryset_is_the_single_rule(
        self, draft, about_private_case, about_planned_case, miami_workshop
    ):
        assert list(ShowcasePage.objects.published()) == [miami_workshop]


# --- The model's rules --------------------------------------------------------------------------


@pytest.mark.django_db
class TestModelRules:
    def test_publishing_stamps_the_date_once(self, make_page):
        page = make_page(publication=Publication.DRAFT, published_at=None)
        assert page.published_at is None
        page.publication = Publication.PUBLISHED
        page.save()
        first = page.published_at
        assert first is not None
        page.title_en = "Changed"
        page.save()
        page.refresh_from_db()
        assert page.published_at == first

    def test_database_refuses_a_published_page_without_a_date(self, make_page):
        page = make_page(publication=Publication.DRAFT, published_at=None)
        with transaction.atomic(), pytest.raises(IntegrityError):
            ShowcasePage.objects.filter(pk=page.pk).update(publication=Publication.PUBLISHED)

    def test_database_refuses_a_page_without_any_title(self, make_page):
        page = make_page()
        with transaction.atomic(), pytest.raises(IntegrityError):
            ShowcasePage.objects.filter(pk=page.pk).update(title_en="", title_ja="")

    def test_database_refuses_an_image_without_a_description(self, make_page):
        page = make_page()
        with transaction.atomic(), pytest.raises(IntegrityError):
            ShowcasePage.objects.filter(pk=page.pk).update(hero_alt_en="", hero_alt_ja="")

    def test_database_refuses_an_unknown_status(self, make_page):
        page = make_page()
        with transaction.atomic(), pytest.raises(IntegrityError):
            ShowcasePage.objects.filter(pk=page.pk).update(publication="archived")

    @pytest.mark.parametrize("slug", ["Upper", "double--hyphen", "-leading", "trailing-"])
    def test_database_refuses_a_slug_that_is_not_lower_case_words(self, make_page, slug):
        page = make_page()
        with transaction.atomic(), pytest.raises(IntegrityError):
            ShowcasePage.objects.filter(pk=page.pk).update(slug=slug)

    def test_one_page_per_case(self, make_page):
        page = make_page()
        with transaction.atomic(), pytest.raises(IntegrityError):
            ShowcasePage.objects.create(case=page.case, slug="second", title_en="Second")

    def test_a_case_with_a_page_cannot_be_deleted(self, make_page):
        from django.db.models import ProtectedError

        page = make_page()
        with pytest.raises(ProtectedError):
            page.case.delete()

    def test_clean_refuses_to_publish_a_page_about_a_non_public_case(self, make_case):
        page = ShowcasePage(
            case=make_case(is_public=False),
            slug="nope",
            title_en="Nope",
            publication=Publication.PUBLISHED,
        )
        with pytest.raises(ValidationError) as excinfo:
            page.full_clean()
        assert "publication" in excinfo.value.message_dict

    def test_clean_asks_for_a_description_of_the_image(self, make_case):
        page = ShowcasePage(
            case=make_case(),
            slug="no-alt",
            title_en="No alt",
            hero_illustration=HeroIllustration.CHIP,
        )
        with pytest.raises(ValidationError) as excinfo:
            page.full_clean()
        assert "hero_alt_en" in excinfo.value.message_dict


# --- Markdown is sanitised ----------------------------------------------------------------------


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src=x onerror="alert(1)">',
    "<img src=/static/x.png onerror=alert(1)>",
    "<svg onload=alert(1)><circle r=1 /></svg>",
    '<iframe src="https://evil.example/"></iframe>',
    '<p style="background:url(javascript:alert(1))">styled</p>',
    '<div style="width: expression(alert(1))">old IE</div>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](  javascript:alert(1))",
    '<a href="jav&#x09;ascript:alert(1)">tab</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">ent</a>',
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![pixel](data:image/png;base64,iVBORw0KGgo=)",
    "![tracker](https://evil.example/pixel.gif)",
    "![scheme-relative](//evil.example/pixel.gif)",
    '<a href="https://example.org" onclick="alert(1)" target="_blank">hi</a>',
    "<body onload=alert(1)>",
    "<object data=x.swf></object><embed src=x.swf>",
    "<form action=https://evil.example><input name=q><button>go</button></form>",
    "<style>body{display:none}</style>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    "<details open ontoggle=alert(1)>",
    '<a href="vbscript:msgbox(1)">vb</a>',
    "<!--<script>alert(1)</script>-->",
    "<<script>script>alert(1)<</script>/script>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<base href=https://evil.example/>",
    '<table background="javascript:alert(1)"><tr><td>x</td></tr></table>',
]


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def _elements(html: str):
    collector = _Collector()
    collector.feed(html)
    return collector.elements


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_markdown_lets_no_script_through(payload):
    html = str(render_markdown(payload))
    added = {"a": {"rel"}, "img": {"loading"}, "table": {"class"}}
    for tag, attrs in _elements(html):
        assert tag in ALLOWED_TAGS, (payload, html)
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | added.get(tag, set())
        assert set(attrs) <= allowed, (payload, html)
        for name in ("href", "src"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("javascript:", "vbscript:", "data:", "//")), html
            if name == "src" and value:
                assert value.startswith(("/static/", "/media/")), html
    lowered = html.lower()
    for needle in ("<script", "<iframe", "<svg", "<style", "onerror", "onload", "javascript:"):
        assert needle not in lowered, (payload, html)


@pytest.mark.django_db
def test_a_malicious_body_is_sanitised_on_the_page(client, make_page):
    make_page(slug="hostile", body_en="\n\n".join(XSS_PAYLOADS))
    text = client.get("/en/showcase/hostile/").text
    body = text[text.index('class="showcase-body') : text.index('class="showcase-facts"')]
    assert "<script" not in body.lower()
    assert "onerror" not in body
    assert "onload" not in body
    assert "javascript:" not in body.lower()


def test_markdown_keeps_the_harmless_parts():
    html = str(
        render_markdown(
            "# Top\n\n## Section\n\n###### Deep\n\n"
            "Text with **bold**, *italic* and a [link](https://example.org/a?b=1).\n\n"
            "> A quotation.\n\n- one\n- two\n\n1. first\n\n`code`\n\n"
            "| a | b |\n|---|---|\n| 1 | 2 |\n\n![Map](/static/showcase/demo/chip.png)"
        )
    )
    assert "<h2>Top</h2>" in html
    assert "<h2>Section</h2>" in html
    assert "<h4>Deep</h4>" in html
    assert "<strong>bold</strong>" in html
    assert "<em>italic</em>" in html
    assert '<a href="https://example.org/a?b=1" rel="noopener noreferrer">link</a>' in html
    assert "<blockquote>" in html
    assert "<ul>" in html
    assert "<ol>" in html
    assert "<code>code</code>" in html
    assert '<table class="data-table">' in html
    assert 'src="/static/showcase/demo/chip.png"' in html


def test_line_breaks_inside_japanese_paragraphs_add_no_spaces():
    html = str(render_markdown("日本企業の\n**実績**を\n紹介しました。\n\nEnglish\ntext"))
    assert "日本企業の<strong>実績</strong>を紹介しました。" in html
    assert "English\ntext" in html


# --- Demo content -------------------------------------------------------------------------------


@pytest.fixture
def best_practice_cases(make_case):
    """The three real FY2024 best practices as fixtures/demo/best_practices.json records them."""
    return [
        make_case(
            external_ref="bp-2024-miami-transport",
            region="miami",
            state="FL",
            city_en="Miami",
            start_date=datetime.date(2024, 10, 15),
            is_best_practice=True,
        ),
        make_case(
            external_ref="bp-2024-new-york-stem-women",
            region="new-york",
            state="NY",
            city_en="New York",
            format="panel",
            start_date=datetime.date(2025, 3, 25),
            is_best_practice=True,
        ),
        make_case(
            external_ref="bp-2024-palo-alto-dual-use",
            region="san-francisco",
            state="CA",
            city_en="Palo Alto",
            format="seminar",
            start_date=datetime.date(2025, 3, 12),
            is_best_practice=True,
        ),
    ]


@pytest.mark.django_db
class TestDemoContent:
    def test_creates_three_published_bilingual_pages(self, client, best_practice_cases):
        assert load_showcase_demo() == 3
        pages = ShowcasePage.objects.published()
        assert pages.count() == 3
        for page in pages:
            for field in ["title", "lead", "body", "hero_alt", "hero_credit"]:
                assert getattr(page, f"{field}_en").strip(), (page.slug, field)
                assert getattr(page, f"{field}_ja").strip(), (page.slug, field)
            assert page.hero_illustration
        assert {p.case for p in pages} == set(best_practice_cases)
        text = client.get("/en/showcase/").text
        assert "3 best practices" in text
        assert "Transport infrastructure workshop in Miami" in text

    def test_running_twice_changes_nothing(self, best_practice_cases):
        assert load_showcase_demo() == 3
        before = list(ShowcasePage.objects.order_by("slug").values())
        assert load_showcase_demo() == 3
        assert list(ShowcasePage.objects.order_by("slug").values()) == before

    def test_does_nothing_without_the_cases(self):
        assert load_showcase_demo() == 0
        assert not ShowcasePage.objects.exists()

    def test_finds_the_cases_without_their_external_reference(self, best_practice_cases):
        Case.objects.update(external_ref="")
        assert load_showcase_demo() == 3

    def test_restores_a_page_staff_changed(self, best_practice_cases):
        load_showcase_demo()
        ShowcasePage.objects.filter(slug=DEMO_PAGES[0].slug).update(title_en="Edited")
        load_showcase_demo()
        assert ShowcasePage.objects.get(slug=DEMO_PAGES[0].slug).title_en != "Edited"

    def test_leaves_a_page_staff_wrote_for_the_case_alone(self, best_practice_cases, make_page):
        own = make_page(case=best_practice_cases[0], slug="our-own-page")
        assert load_showcase_demo() == 2
        own.refresh_from_db()
        assert own.slug == "our-own-page"
        assert not ShowcasePage.objects.filter(slug=DEMO_PAGES[0].slug).exists()

    def test_skips_a_case_that_is_not_public(self, best_practice_cases):
        Case.objects.filter(pk=best_practice_cases[1].pk).update(is_public=False)
        assert load_showcase_demo() == 2

    def test_demo_text_keeps_to_the_published_facts(self):
        english = " ".join(page.fields["body_en"] + page.fields["lead_en"] for page in DEMO_PAGES)
        for fact in [
            "Greater Miami Chamber of Commerce",
            "Miami International Airport",
            "Metrorail",
            "2016",
            "Nippon Club",
            "Japanese Medical Society of America",
            "Angeliki Rigos",
            "Maki Kano",
            "Defense Innovation Unit",
            "more than 100",
        ]:
            assert fact in english, fact
        japanese = " ".join(page.fields["body_ja"] + page.fields["lead_ja"] for page in DEMO_PAGES)
        for fact in ["広域マイアミ圏商工会", "メトロレール", "米国日本人医師会", "100名以上"]:
            assert fact in japanese, fact

    def test_demo_illustrations_are_shipped(self):
        from django.contrib.staticfiles import finders

        for choice in HeroIllustration:
            assert finders.find(choice.value), choice.value


# --- The home page ------------------------------------------------------------------------------


@pytest.mark.django_db
class TestHome:
    def test_shows_published_best_practices_as_cards(self, client, miami_workshop, make_page):
        make_page(slug="hidden", title_en="Hidden draft", publication="draft", published_at=None)
        text = client.get("/en/").text
        assert "Transport infrastructure workshop in Miami" in text
        assert 'href="/en/showcase/miami-workshop/"' in text
        assert 'href="/en/showcase/"' in text
        assert "Hidden draft" not in text

    def test_links_to_the_other_sections_that_exist(self, client):
        from django.urls import Resolver404, resolve

        text = client.get("/en/").text
        for path in ["/en/dashboard/", "/en/cases/", "/en/regions/"]:
            try:
                resolve(path)
            except Resolver404:
                assert f'href="{path}"' not in text, path
            else:
                assert f'href="{path}"' in text, path
        assert 'href="/en/about/"' in text

    def test_headline_figures_from_the_stats_module(self, client, make_case):
        make_case(start_date=datetime.date(2023, 6, 1))
        make_case(start_date=datetime.date(2024, 6, 1), is_public=False)
        text = client.get("/en/").text
        assert '<p class="figure-number">2</p>' in text
        assert "cases held in FY2024" in text


# --- The admin ----------------------------------------------------------------------------------


@pytest.mark.django_db
class TestAdmin:
    def test_changelist_with_filters_search_and_preview_links(self, hq_client, miami_workshop):
        response = hq_client.get("/en/admin/showcase/showcasepage/?q=Miami")
        assert response.status_code == 200
        assert "Transport infrastructure workshop in Miami" in response.text
        assert 'href="/en/showcase/miami-workshop/"' in response.text
        for heading in ["By publication", "By fiscal year", "By region"]:
            assert heading in response.text, heading

    def test_filter_by_region_and_fiscal_year(self, hq_client, miami_workshop, make_page):
        response = hq_client.get(
            "/en/admin/showcase/showcasepage/?case__region__id__exact="
            f"{miami_workshop.case.region_id}&case__fiscal_year=2024"
        )
        assert list(response.context["cl"].result_list) == [miami_workshop]

    def test_add_form_loads(self, hq_client):
        response = hq_client.get("/en/admin/showcase/showcasepage/add/")
        assert response.status_code == 200
        assert 'name="body_en"' in response.text

    def test_publish_action_skips_pages_about_non_public_cases(
        self, hq_client, make_case, make_page
    ):
        ready = make_page(slug="ready", publication="draft", published_at=None)
        blocked = make_page(
            case=make_case(is_public=False), slug="blocked", publication="draft", published_at=None
        )
        hq_client.post(
            "/en/admin/showcase/showcasepage/",
            {"action": "publish", "_selected_action": [ready.pk, blocked.pk]},
        )
        ready.refresh_from_db()
        blocked.refresh_from_db()
        assert ready.publication == Publication.PUBLISHED
        assert ready.published_at
        assert blocked.publication == Publication.DRAFT


# --- Query counts -------------------------------------------------------------------------------


def _grow(make_case, make_page, n):
    """n more published pages, each with partners and themes, and n related cases."""
    themes = list(Theme.objects.filter(slug__in=["energy", "startups", "ap4-awareness"]))
    for _ in range(n):
        case = make_case(region="miami", state="FL", themes=themes)
        partner = Partner.objects.create(name_en=f"Partner {case.pk}", kind="nonprofit")
        CasePartner.objects.create(case=case, partner=partner, role=PartnerRole.SPEAKER)
        make_page(case=case)
        make_case(region="miami", state="FL", themes=themes)


# Anonymous visitor. Index: demo banner, fiscal years, region and theme options, count, page.
# Detail: demo banner, page + case + region + state, themes, partner roles with partners,
# related cases. Every page: the data date in the footer.
INDEX_QUERIES = 7
INDEX_FILTERED_QUERIES = 9  # + looking up the region and theme given
DETAIL_QUERIES = 6
HOME_QUERIES = 4  # demo banner, figures by fiscal year, cards, data date


@pytest.mark.django_db
@pytest.mark.parametrize("size", [2, 12])
def test_query_counts_do_not_grow_with_the_data(
    client, make_case, make_page, miami_workshop, django_assert_num_queries, size
):
    _grow(make_case, make_page, size)
    with django_assert_num_queries(INDEX_QUERIES):
        assert client.get("/en/showcase/").status_code == 200
    with django_assert_num_queries(INDEX_FILTERED_QUERIES):
        response = client.get("/en/showcase/?fy=2024&region=miami&theme=energy")
        assert response.status_code == 200
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get("/en/showcase/miami-workshop/")
        assert response.status_code == 200
        assert len(response.context["related"]) == min(6, 2 * size)
    with assert_data_queries(HOME_QUERIES):  # the uncached home page
        assert client.get("/en/").status_code == 200


def test_published_at_fixture_is_aware():
    assert timezone.is_aware(PUBLISHED_AT)
