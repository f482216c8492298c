"""One rule for the fiscal years a query may name, wherever the query arrives."""

import pytest

from cases import stats

FUTURE = stats.fiscal_year_span()[1] + 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        f"/api/v1/cases/?from={FUTURE}",
        f"/api/v1/stats/region/?to={FUTURE}",
        f"/en/cases/export.csv?to={FUTURE}",
        "/api/v1/cases/?from=2016",
        "/api/v1/stats/theme/?from=2016",
    ],
)
def test_a_year_outside_the_register_is_a_clear_400(client, url):
    response = client.get(url)
    assert response.status_code == 400
    text = response.content.decode()
    last = stats.fiscal_year_span()[1]
    # The API names the span; the downloads say what the one rule says (the latest year).
    assert ("2017" in text and str(last) in text) or f"latest fiscal year is FY{last}" in text


@pytest.mark.django_db
def test_the_dashboard_and_the_browser_offer_the_same_years(client):
    years = [year for year, _label in stats.fiscal_year_choices("en")]
    assert years[0] == 2017
    assert years[-1] == stats.fiscal_year_span()[1]
    for url in ("/en/cases/", "/en/dashboard/"):
        page = client.get(url).content.decode()
        assert f'value="{years[-1]}"' in page
        assert f'value="{FUTURE}"' not in page
