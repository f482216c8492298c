"""Django's own strings that its Japanese catalogue lacks (as of Django 6.1), or words
awkwardly (the change list's heading, 「変更する 案件 を選択」).

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
    # django/contrib/admin/views/main.py: a change list's heading, word for word in Django's
    # Japanese; a list page is named 「…一覧」.
    gettext_noop("Select %s to change"),
    gettext_noop("Select %s to view"),
]
