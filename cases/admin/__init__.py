"""The staff application: the case register and the reference data it names.

Every list and form runs a fixed number of queries however many rows it shows: counts are
annotated in get_queryset, related rows come with select_related or prefetch_related, and the
partner inline labels its rows from the partners loaded with them.

One module per part: `filters` (the case list's filters), `case` (the case admin),
`reference` (districts, states, counties, themes, partners, published figures) and `review`
(the review queue). Importing this package registers them all.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cases.admin import case, reference, review  # noqa: F401  (registers the admins)

admin.site.site_header = _("Grassroots Portal staff")
admin.site.site_title = _("Grassroots Portal staff")
admin.site.index_title = _("Case register")
