"""Search everywhere: one normal form for English and Japanese, every kind of result grouped
with its count, the same matching in the header search and the case browser."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cases import search
from cases.models import Case, CasePartner, CaseStatus, Partner, PartnerRole
from cases.normal_form import normalise, terms
from showcase.search import search_everything
from tests.test_showcase import make_page  # noqa: F401  (a fixture)


@pytest.mark.parametrize(
    ("typed", "normal"),
    [
        ("Palo Alto", "palo alto"),
        ("PALO   ALTO", "palo alto"),
        ("ＤＩＵ", "diu"),  # full-width Latin letters
        ("ﾊﾟﾛｱﾙﾄ", "パロアルト"),  # half-width katakana
        ("ぱろあると", "パロアルト"),  # hiragana read as katakana
        ("デュアルユース・テック", "デュアルユーステック"),  # the middle dot joins words
        ("国防総省", "国防総省"),  # kanji as they are
        ("Hagåtña", "hagåtña"),
    ],
)
def test_normal_form(typed, normal):
    assert normalise(typed) == normal


def test_a_query_splits_on_ascii_and_ideographic_spaces_only():
    assert terms("palo alto") == ["palo", "alto"]
    assert terms("日米　セミナー") == ["日米", "セミナー"]
    assert terms("日米セミナー") == ["日米セミナー"]
    assert terms("  ") == []
    assert terms("a" * 500) == ["a" * 100]


@pytest.fixture
def seminar(make_case, make_page):  # noqa: F811
    """The Palo Alto dual-use seminar: a public case with DIU speaking, and its story."""
    case = make_case(
        title_en="Japan-US dual-use technology seminar",
        title_ja="日米をつなぐデュアルユース・テック・セミナー",
        summary_ja="米国国防総省ディフェンス・イノベーション・ユニット（DIU）が登壇。",
        region="san-francisco",
        state="CA",
        city_en="Palo Alto",
        city_ja="パロアルト",
        start_date=datetime.date(2025, 3, 12),
    )
    diu = Partner.objects.create(
        name_en="Defense Innovation Unit (DIU)",
        name_ja="ディフェンス・イノベーション・ユニット",
        kind="federal",
    )
    CasePartner.objects.create(case=case, partner=diu, role=PartnerRole.SPEAKER)
    make_page(
        case=case,
        slug="dual-use-seminar",
        title_en="Dual-use technology seminar in Palo Alto",
        title_ja="デュアルユース・テック・セミナー（パロアルト）",
    )
    return case


def kinds(groups) -> dict[str, int]:
    return {group.kind: group.count for group in groups}


@pytest.mark.django_db
class TestSearchEverything:
    @pytest.mark.parametrize(
        "query", ["パロアルト", "palo alto", "PALO ALTO", "DIU", "デュアルユース"]
    )
    def test_finds_the_palo_alto_seminar(self, seminar, query):
        groups = {group.kind: group for group in search_everything(query)}
        assert seminar in groups["cases"].items
        assert [page.case_id for page in groups["best-practices"].items] == [seminar.pk]

    def test_a_partner_is_found_by_either_name_and_its_cases_with_it(self, seminar):
        for query in ("diu", "ディフェンス"):
            groups = {group.kind: group for group in search_everything(query)}
            assert [p.name_en for p in groups["partners"].items] == [
                "Defense Innovation Unit (DIU)"
            ]
            assert seminar in groups["cases"].items

    def test_every_term_must_match(self, seminar):
        assert kinds(search_everything("palo seminar"))["cases"] == 1
        assert kinds(search_everything("palo banquet"))["cases"] == 0

    def test_districts_and_states_in_both_languages(self, db):
        found = {group.kind: group for group in search_everything("サンフランシスコ")}
        assert [region.code for region in found["regions"].items] == ["san-francisco"]
        found = {group.kind: group for group in search_everything("florida")}
        assert [state.code for state in found["states"].items] == ["FL"]
        found = {group.kind: group for group in search_everything("フロリダ")}
        assert [state.code for state in found["states"].items] == ["FL"]

    def test_a_two_letter_state_code_matches_the_state_as_a_whole(self, db):
        found = {group.kind: group for group in search_everything("fl")}
        assert [state.code for state in found["states"].items] == ["FL"]

    def test_a_case_that_is_not_public_is_never_found(self, seminar, make_case):
        make_case(title_en="Hidden Palo Alto visit", is_public=False)
        make_case(title_en="Planned Palo Alto visit", status=CaseStatus.PLANNED, is_public=False)
        groups = {group.kind: group for group in search_everything("palo alto")}
        assert groups["cases"].items == [seminar]

    def test_partners_only_of_public_cases(self, make_case):
        hidden = make_case(title_en="Hidden", is_public=False)
        partner = Partner.objects.create(name_en="Quiet Partner Inc.", kind="us-company")
        CasePartner.objects.create(case=hidden, partner=partner, role=PartnerRole.SPONSOR)
        assert kinds(search_everything("quiet partner"))["partners"] == 0

    def test_the_document_follows_every_save(self, seminar):
        seminar.title_en = "Renamed: quantum meetup"
        seminar.save()
        assert kinds(search_everything("quantum"))["cases"] == 1
        partner = Partner.objects.get(name_en__startswith="Defense")
        partner.name_ja = "国防イノベーション"
        partner.save(update_fields=["name_ja"])
        assert kinds(search_everything("国防イノベーション"))["partners"] == 1

    def test_rebuild_repairs_a_write_that_bypassed_save(self, seminar):
        Case.objects.filter(pk=seminar.pk).update(title_en="Bypassed: zeppelin tour")
        assert kinds(search_everything("zeppelin"))["cases"] == 0
        out = io.StringIO()
        call_command("rebuild_search_documents", stdout=out)
        assert "1 search documents rewritten" in out.getvalue()
        assert kinds(search_everything("zeppelin"))["cases"] == 1

    def test_eight_queries_however_many_results(self, seminar, make_case):
        # Cases (count, page: their themes are named from their rows), pages (count, page),
        # partners (count, page), the districts and the states; on PostgreSQL one EXPLAIN
        # more, the planner's estimate of how many cases hold the term (search.is_rare),
        # which reads no row.
        with CaptureQueriesContext(connection) as few:
            search_everything("palo")
        for n in range(5):
            make_case(title_en=f"Palo Alto visit {n}")
        with CaptureQueriesContext(connection) as many:
            groups = search_everything("palo")
        assert kinds(groups)["cases"] == 6
        assert len(few) == len(many) == (9 if connection.vendor == "postgresql" else 8)


@pytest.mark.django_db
class TestSearchPage:
    def test_results_grouped_by_kind_with_counts(self, client, seminar):
        response = client.get("/en/search/", {"q": "palo alto"})
        html = response.content.decode()
        assert response.status_code == 200
        assert 'id="cases-heading">Cases <span class="count muted">(1)</span>' in html
        assert "Best practices <span" in html
        assert "Dual-use technology seminar in Palo Alto" in html
        assert f'href="/en/cases/{seminar.pk}/"' in html
        assert 'href="/en/showcase/dual-use-seminar/"' in html

    def test_japanese_page_in_japanese(self, client, seminar):
        html = client.get("/ja/search/", {"q": "パロアルト"}).content.decode()
        assert "デュアルユース・テック・セミナー（パロアルト）" in html
        assert "カリフォルニア州パロアルト" in html  # Japanese order, no English city
        assert "Palo Alto" not in html
        assert "Search the register" not in html
        english = client.get("/en/search/", {"q": "palo alto"}).content.decode()
        assert "Palo Alto, California" in english

    def test_no_query_no_results_and_never_an_error(self, client, db):
        for query in ("", "   ", "%", "_", "\\", "x" * 1000, "'; DROP TABLE cases_case; --"):
            response = client.get("/en/search/", {"q": query})
            assert response.status_code == 200

    def test_like_wildcards_are_literal(self, seminar):
        assert kinds(search_everything("%"))["cases"] == 0
        assert kinds(search_everything("_"))["cases"] == 0

    @pytest.mark.parametrize(
        "path", ["/en/", "/ja/", "/en/cases/", "/en/regions/", "/en/states/", "/en/dashboard/"]
    )
    def test_every_public_page_has_the_header_search(self, client, db, path):
        html = client.get(path).content.decode()
        assert 'class="header-search"' in html
        assert 'action="/{}/search/"'.format(path.split("/")[1]) in html

    def test_the_case_browser_matches_as_the_site_search_does(self, client, seminar):
        for query in ("ぱろあると", "ＤＩＵ", "デュアルユーステック"):
            html = client.get("/en/cases/", {"q": query}).content.decode()
            assert f'href="/en/cases/{seminar.pk}/"' in html, query


@pytest.fixture(scope="module")
def demo_register(django_db_setup, django_db_blocker):
    """The demo register (bulk-written: documents filled without save()), once per module."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.mark.django_db
class TestDemoRegister:
    @pytest.mark.parametrize("query", ["パロアルト", "palo alto", "DIU", "デュアルユース"])
    def test_the_palo_alto_seminar_is_found(self, demo_register, query):
        groups = {group.kind: group for group in search_everything(query)}
        titles = [page.title_en for page in groups["best-practices"].items]
        assert any("Palo Alto" in title for title in titles)
        assert any(
            case.city_en == "Palo Alto" and case.is_best_practice for case in groups["cases"].items
        )

    def test_bulk_written_documents_are_current(self, demo_register):
        assert search.rebuild() == 0


@pytest.mark.django_db
def test_migrate_writes_the_documents_a_migration_left_empty(make_case):
    """Rows that existed before the column are filled after `migrate` (cases.search.fill_missing),
    and a document already written is left as it is."""
    first, second = make_case(title_en="Sister city summit"), make_case(title_en="Robotics day")
    Case.objects.filter(pk=first.pk).update(search_document="")
    call_command("migrate", verbosity=0, interactive=False)
    first.refresh_from_db()
    second_document = second.search_document
    second.refresh_from_db()
    assert "sister city summit" in first.search_document
    assert second.search_document == second_document


@pytest.mark.django_db
class TestRareAndCommonTerms:
    """A term is matched row by row (common) or looked up as a set first (rare): the two forms
    find the same cases, whichever way a case holds the term."""

    @pytest.fixture
    def register(self, seminar, make_case):
        others = [
            make_case(title_en="Palo Alto reception"),  # its own text
            make_case(title_en="Trade mission", summary_en="With the DIU and others."),
            make_case(title_en="Hidden Palo Alto visit", is_public=False),  # never listed
            make_case(title_en="Rice festival"),  # no term at all
        ]
        partnered = make_case(title_en="Quiet visit")  # only through a partner's name
        CasePartner.objects.create(
            case=partnered,
            partner=CasePartner.objects.get(case=seminar).partner,
            role=PartnerRole.SPONSOR,
        )
        return [seminar, partnered, *others]

    @pytest.mark.parametrize(
        "query", ["palo alto", "diu", "ディフェンス", "dual-use", "パロアルト", "zzzyx", "%"]
    )
    def test_both_forms_find_the_same_cases(self, register, query):
        public = Case.objects.public().order_by("pk")
        common = list(search.matching_cases(public, query, rare=lambda word, using: False))
        rare = list(search.matching_cases(public, query, rare=lambda word, using: True))
        assert rare == common
        assert list(search.matching_cases(public, query)) == common

    def test_the_forms_are_what_they_say(self, register):
        public = Case.objects.public()
        row_by_row = str(search.matching_cases(public, "diu", rare=lambda w, u: False).query)
        as_a_set = str(search.matching_cases(public, "diu", rare=lambda w, u: True).query)
        assert "UNION" not in row_by_row
        assert " OR " in row_by_row
        assert "UNION" in as_a_set
        assert " OR " not in as_a_set

    def test_sqlite_matches_row_by_row_and_postgresql_asks_its_planner(self, register):
        if connection.vendor == "postgresql":
            # A term in no case is rare; one query, the EXPLAIN, reads no row.
            with CaptureQueriesContext(connection) as asked:
                assert search.is_rare("zzzyx")
            assert len(asked) == 1
            assert asked[0]["sql"].startswith("EXPLAIN")
        else:
            with CaptureQueriesContext(connection) as asked:
                assert not search.is_rare("zzzyx")
            assert len(asked) == 0

    def test_a_rare_term_on_postgresql_is_a_set(self, register, monkeypatch):
        monkeypatch.setattr(search, "RARE_BELOW", 10**9)
        query = str(search.matching_cases(Case.objects.public(), "palo").query)
        if connection.vendor == "postgresql":
            assert "UNION" in query
        else:
            assert "UNION" not in query

    def test_filters_ask_once_per_term_and_stay_equal(self, register):
        from cases import stats

        filters = stats.Filters(search="palo diu", public=True)
        with CaptureQueriesContext(connection) as asked:
            list(filters.narrow(Case.objects.all()))
            list(filters.without("region").narrow(Case.objects.all()))
        explains = [q for q in asked.captured_queries if q["sql"].startswith("EXPLAIN")]
        assert len(explains) == (2 if connection.vendor == "postgresql" else 0)
        fresh = stats.Filters(search="palo diu", public=True)
        assert fresh == filters
        assert hash(fresh) == hash(filters)
