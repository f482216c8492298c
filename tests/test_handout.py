"""The annual handout (issue 13, item 5): the FY2024 slides and printable page, in Japanese and
English, made from the register; their figures are case_stats'; the command and the admin page
refuse bad input with a message; only staff not limited by district may make it."""

import datetime
import io
import json
import os
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from pptx import Presentation

from audit.models import ExportLog
from cases.models import Case
from reports.handout import build_handout, summary_lines, write_pptx
from tests.office import pages_text, to_images, to_pdf

HANDOUT = "/{lang}/admin/reports/handout/"


@pytest.fixture(scope="class")
def demo_register(django_db_setup, django_db_blocker):
    """The demonstration register, loaded once for the class and rolled back after it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("load_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def case_stats(*args) -> dict:
    out = io.StringIO()
    call_command("case_stats", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def best_practice_titles(language: str) -> list[str]:
    cases = Case.objects.counted().filter(is_best_practice=True, fiscal_year=2024)
    return [case.title_ja if language == "ja" else case.title_en for case in cases]


def shape_texts(shapes):
    """Every text on a slide, in groups and tables too."""
    for shape in shapes:
        if shape.shape_type == 6:  # a group: the map
            yield from shape_texts(shape.shapes)
        if shape.has_text_frame:
            yield shape.text_frame.text
        if getattr(shape, "has_table", False) and shape.has_table:
            for row in shape.table.rows:
                yield "\t".join(cell.text for cell in row.cells)


def pptx_of(language: str, year: int = 2024) -> Presentation:
    target = io.BytesIO()
    write_pptx(build_handout(year, language), target)
    target.seek(0)
    return Presentation(target)


def slide_text(slide) -> str:
    return "\n".join(shape_texts(slide.shapes))


# --- Any register ----------------------------------------------------------------------------


def test_a_year_counts_only_held_reviewed_cases_and_its_own_best_practices(make_case):
    make_case(title_en="Held", start_date=datetime.date(2023, 6, 1))
    make_case(title_en="Best", start_date=datetime.date(2023, 7, 1), is_best_practice=True)
    make_case(title_en="Earlier", start_date=datetime.date(2019, 6, 1))
    make_case(title_en="Planned", start_date=datetime.date(2023, 8, 1), status="planned")
    make_case(
        title_en="Unreviewed best",
        start_date=datetime.date(2023, 9, 1),
        is_best_practice=True,
        is_public=False,
        publication="draft",
    )
    handout = build_handout(2023, "en")
    assert (handout.year_cases, handout.cumulative_cases) == (2, 3)
    assert [practice.title for practice in handout.best_practices] == ["Best"]
    assert handout.demo is False
    assert "DEMONSTRATION" not in "\n".join(slide_text(s) for s in pptx_of("en", 2023).slides)


def test_a_year_without_best_practices_says_so_on_its_slide(db):
    slides = list(pptx_of("en", 2020).slides)
    assert len(slides) == 2
    assert "No best practice of FY2020 is in the register yet." in slide_text(slides[1])


def test_a_summary_becomes_at_most_four_lines_without_splitting_at_a_title():
    text = (
        "A panel met. Dr. Maki Kano and Prof. A. Rigos spoke at the U.S. office. "
        "Questions followed. More came. And the last."
    )
    lines = summary_lines(text, "en")
    assert lines[1] == "Dr. Maki Kano and Prof. A. Rigos spoke at the U.S. office."
    assert len(lines) == 4
    assert lines[3] == "More came. And the last."
    assert summary_lines("一文目。二文目。", "ja") == ["一文目。", "二文目。"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fy", "2016"], "The register starts with FY2017"),
        (["--fy", "2999"], "FY2999 has not begun"),
        (["--fy", "abc"], "“abc” is not a fiscal year."),
        (["--fy", "2024", "--lang", "fr"], "The language must be “ja” (Japanese) or “en”"),
    ],
)
def test_the_command_refuses_a_bad_year_or_language(db, tmp_path, args, message):
    target = tmp_path / "handout.pptx"
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("handout", *args, "-o", str(target), stdout=io.StringIO())
    assert not target.exists()


def test_the_command_refuses_an_unknown_file_kind_or_folder(db, tmp_path):
    with pytest.raises(CommandError, match=r"\.pptx or \.html"):
        call_command("handout", "--fy", "2024", "-o", str(tmp_path / "h.pdf"))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("handout", "--fy", "2024", "-o", str(tmp_path / "no" / "h.pptx"))


def test_hq_staff_find_the_handout_in_the_reports_section(signed_in, hq_editor):
    client = signed_in(hq_editor)
    index = client.get("/en/admin/").text
    assert 'href="/en/admin/reports/handout/"' in index
    form = client.get(HANDOUT.format(lang="ja"))
    assert form.status_code == 200
    assert "年度別資料（案件実施状況）" in form.text
    assert not ExportLog.objects.exists()  # opening the form made nothing


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"fy": "2016", "lang": "ja"}, "The register starts with FY2017"),
        ({"fy": "2999", "lang": "ja"}, "FY2999 has not begun"),
        ({"fy": "20x4", "lang": "ja"}, "“20x4” is not a fiscal year."),
        ({"fy": "2024", "lang": "fr"}, "The language must be “ja” (Japanese)"),
        ({"fy": "2024", "lang": "ja", "format": "pdf"}, "Select a valid choice"),
    ],
)
def test_the_admin_page_answers_bad_input_with_a_message(signed_in, hq_editor, query, message):
    client = signed_in(hq_editor)
    response = client.get(HANDOUT.format(lang="en"), {"format": "html", **query})
    assert response.status_code == 200
    assert message in response.text
    assert not ExportLog.objects.exists()


def test_the_admin_page_answers_bad_input_in_japanese_on_a_japanese_page(signed_in, hq_editor):
    client = signed_in(hq_editor)
    response = client.get(
        HANDOUT.format(lang="ja"), {"fy": "1999", "lang": "ja", "format": "html"}
    )
    assert "登録対象は2017年度（2017年4月1日）以降です。" in response.text


def test_consulate_staff_and_strangers_cannot_make_the_handout(
    client, signed_in, editor_a, hq_editor
):
    query = {"fy": "2024", "lang": "en", "format": "pptx"}
    # A consulate editor's districts are a part of the national handout: not theirs to make.
    miami = signed_in(editor_a)
    assert miami.get(HANDOUT.format(lang="en"), query).status_code == 403
    index = miami.get("/en/admin/").text
    assert "/admin/reports/handout/" not in index
    assert "/admin/reports/region/" in index  # their own report stays
    anonymous = client.get(HANDOUT.format(lang="en"), query)
    assert anonymous.status_code == 302
    assert "/admin/login/" in anonymous["Location"]
    assert not ExportLog.objects.exists()


# --- FY2024 on the demonstration register (104 and 1,292) -----------------------------------


class TestTheFY2024Handout:
    """Loaded once for the class: the tests above see a register without demo data."""

    @pytest.mark.parametrize("language", ["ja", "en"])
    def test_the_fy2024_slides_state_104_and_1292_and_show_the_three_best_practices(
        self, demo_register, db, language
    ):
        slides = list(pptx_of(language).slides)
        assert len(slides) == 4  # the summary and one slide per best practice
        summary = slide_text(slides[0])
        if language == "ja":
            assert "2024年度実施案件104件、2017年度からの累計1,292件" in summary
            assert "2017年度－2024年度の案件実施状況（地域別累計実績）" in summary
            assert "投資・雇用創出への貢献の発信" in summary
            assert "データの日付" in summary
            assert "デモデータ" in summary
        else:
            assert "FY2024: 104 cases held; 1,292 in total since FY2017" in summary
            assert "Investment and job creation outreach" in summary
            assert "Data as of" in summary
            assert "DEMONSTRATION DATA" in summary
        titles = best_practice_titles(language)
        assert len(titles) == 3
        practice_texts = [slide_text(slide) for slide in slides[1:]]
        for title in titles:
            assert sum(title in text for text in practice_texts) == 1, title
        places = ("フロリダ州マイアミ", "ニューヨーク州ニューヨーク", "カリフォルニア州パロアルト")
        if language == "en":
            places = ("Miami, Florida", "New York, New York", "Palo Alto, California")
        for place in places:
            assert any(place in text for text in practice_texts), place
        miami = next(text for text in practice_texts if places[0] in text)
        assert ("2024年10月" if language == "ja" else "October 2024") in miami
        assert (
            "共催：広域マイアミ圏商工会" if language == "ja" else "Co-host: Greater Miami"
        ) in miami
        # Every slide says when its data was taken and, on demo data, that it is demo data.
        for text in practice_texts:
            assert ("データの日付" if language == "ja" else "Data as of") in text
            assert ("デモデータ" if language == "ja" else "DEMONSTRATION DATA") in text

    @pytest.mark.parametrize("language", ["ja", "en"])
    def test_the_slides_figures_equal_case_stats_for_the_same_years(
        self, demo_register, db, language
    ):
        by_region = case_stats("--by", "region", "--from-fy", "2017", "--to-fy", "2024")
        year = case_stats("--by", "fiscal-year", "--from-fy", "2024", "--to-fy", "2024")
        assert (year["total"], by_region["total"]) == (104, 1292)  # the published figures
        label = f"label_{language}"
        expected = {row[label]: f"{row['cases']:,}" for row in by_region["rows"]}
        summary = pptx_of(language).slides[0]
        # The table beside the map: a row per district and the total.
        table = next(shape for shape in summary.shapes if shape.has_table).table
        rows = {row.cells[0].text: row.cells[1].text for row in list(table.rows)[1:]}
        total_label = "合計" if language == "ja" else "Total"
        assert rows.pop(total_label) == f"{by_region['total']:,}"
        assert rows == expected
        # The figures on the map: one label per district, its name over its figure.
        group = next(shape for shape in summary.shapes if shape.shape_type == 6)
        labels = {}
        for shape in group.shapes:
            if shape.has_text_frame and shape.text_frame.text:
                name, figure = shape.text_frame.text.split("\n")
                labels[name] = figure
        assert labels == expected
        # Every district is drawn as a freeform shape of its own.
        named = {f"{name}: {figure}" for name, figure in expected.items()}
        assert named <= {shape.name for shape in group.shapes}
        sentence = slide_text(summary)
        assert f"{year['total']:,}" in sentence
        assert f"{by_region['total']:,}" in sentence

    @pytest.mark.parametrize("language", ["ja", "en"])
    def test_the_command_writes_the_slides_and_the_printable_page(
        self, demo_register, db, tmp_path, language
    ):
        out = io.StringIO()
        slides = tmp_path / "handout.pptx"
        call_command("handout", "--fy", "2024", "--lang", language, "-o", str(slides), stdout=out)
        assert "104" in out.getvalue()
        assert len(Presentation(str(slides)).slides) == 4
        page = tmp_path / "handout.html"
        call_command("handout", "--fy", "2024", "--lang", language, "-o", str(page), stdout=out)
        html = page.read_text(encoding="utf-8")
        assert f'<html lang="{language}"' in html
        assert "<style>" in html  # self-contained
        assert "1,292" in html
        assert ExportLog.objects.filter(kind__in=["handout.pptx", "handout.html"]).count() == 2

    @pytest.mark.parametrize("language", ["ja", "en"])
    def test_the_printable_page_opens_in_the_browser_in_both_languages(
        self, demo_register, signed_in, hq_editor, language
    ):
        client = signed_in(hq_editor)
        response = client.get(
            HANDOUT.format(lang=language), {"fy": "2024", "lang": language, "format": "html"}
        )
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/html")
        assert "attachment" not in response.get("Content-Disposition", "")
        page = response.text
        assert f'<html lang="{language}"' in page
        assert "data-print" in page
        assert "reports/print.js" in page
        assert "reports/handout.css" in page
        assert "<style>" not in page  # the page's CSP allows no inline style
        assert '<svg class="handout-map"' in page
        assert 'id="handout-total">1,292<' in page
        for title in best_practice_titles(language):
            assert title in page
        if language == "ja":
            assert "2024年度実施案件104件、2017年度からの累計1,292件" in page
            assert "データの日付" in page
            assert "デモデータ" in page
        else:
            assert "FY2024: 104 cases held; 1,292 in total since FY2017" in page
            assert "Data as of" in page
            assert "DEMONSTRATION DATA" in page
        log = ExportLog.objects.get()
        assert (log.kind, log.filters["to_fy"], log.rows) == ("handout.html", 2024, 1292)

    def test_the_slides_download_from_the_admin(self, demo_register, signed_in, viewer):
        client = signed_in(viewer)  # reading: a viewer may make it too
        response = client.get(
            HANDOUT.format(lang="en"), {"fy": "2024", "lang": "ja", "format": "pptx"}
        )
        assert response.status_code == 200
        assert "handout-FY2024-ja.pptx" in response["Content-Disposition"]
        slides = Presentation(io.BytesIO(b"".join(response.streaming_content))).slides
        assert "1,292" in slide_text(slides[0])

    @pytest.mark.libreoffice
    @pytest.mark.parametrize("language", ["ja", "en"])
    def test_libreoffice_opens_the_slides(self, demo_register, db, tmp_path, language):
        slides = tmp_path / f"handout-{language}.pptx"
        write_pptx(build_handout(2024, language), str(slides))
        pdf = to_pdf(slides, tmp_path)
        pages = pages_text(pdf)
        assert len(pages) == 4
        flat = [re.sub(r"\s+", "", page) for page in pages]
        assert "1,292" in flat[0]
        assert "104" in flat[0]
        for title in best_practice_titles(language):
            assert sum(re.sub(r"\s+", "", title) in page for page in flat[1:]) == 1, title
        keep = os.environ.get("PORTAL_KEEP_PRINTS")
        if keep:
            target = Path(keep)
            target.mkdir(parents=True, exist_ok=True)
            (target / pdf.name).write_bytes(pdf.read_bytes())
            to_images(pdf, target / f"handout-{language}", resolution=80)
