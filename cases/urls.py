from django.urls import path, re_path

from cases import partners, views

app_name = "cases"
urlpatterns = [
    path("cases/", views.case_list, name="list"),
    path("cases/<int:pk>/", views.case_detail, name="detail"),
    path("cases/<int:pk>/preview/", views.case_preview, name="preview"),
    path("regions/", views.region_list, name="region-list"),
    path("regions/<slug:code>/", views.region_detail, name="region-detail"),
    path("states/", views.state_list, name="state-list"),
    path("how-we-count/", views.how_we_count, name="how-we-count"),
    path("partners/", partners.partner_list, name="partner-list"),
    path("partners/<slug:slug>/", partners.partner_detail, name="partner-detail"),
    # USPS codes in either case; the view sends lower case on to the upper-case address.
    re_path(r"^states/(?P<code>[A-Za-z]{2})/$", views.state_detail, name="state-detail"),
]
