"""Django's own strings that its Japanese catalogue lacks (as of Django 6.1).

Nothing imports this module: it only lets `makemessages` put these messages into our catalogue,
whose translations take precedence over Django's (LOCALE_PATHS come first), so the admin shows
no English on a Japanese page. Drop an entry once Django ships its translation.
"""

from django.utils.translation import gettext_noop

DJANGO_MESSAGES = [
    # django/db/models/fields/__init__.py: the empty choice of a select.
    gettext_noop("- Select an option -"),
    # django/contrib/admin/templates/admin/date_hierarchy.html
    gettext_noop("Filter by %(field_name)s"),
]
