"""WSGI entry point (gunicorn grassroots.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "grassroots.settings")
application = get_wsgi_application()

from grassroots.stored_pages import StoredPages  # noqa: E402 (needs Django set up)

# Anonymous visitors' stored figure pages are answered before Django (grassroots.stored_pages).
application = StoredPages(application)


def _warm_up() -> None:
    """Import every view and compile the main templates now, before gunicorn forks.

    gunicorn preloads this module in its master process (preload_app), so each worker starts
    with the views (and pandas, plotly's helpers...) imported and the templates compiled,
    instead of paying for them on its first request, which would show as a latency spike every
    time a worker is recycled. Nothing here touches the database or opens a connection: the
    cache backends' modules are imported (redis-py alone took 0.4 s of a new worker's first
    request), not their clients made.
    """
    from django.conf import settings
    from django.template.loader import get_template
    from django.urls import get_resolver
    from django.utils.module_loading import import_string

    get_resolver().url_patterns  # noqa: B018 (imports the URLconfs and with them the views)
    for alias in settings.CACHES.values():
        import_string(alias["BACKEND"])
    for name in (
        "base.html",
        "showcase/home.html",
        "dashboard/index.html",
        "cases/case_list.html",
        "cases/case_detail.html",
        "cases/region_detail.html",
        "cases/state_detail.html",
        "showcase/index.html",
        "showcase/detail.html",
    ):
        get_template(name)


_warm_up()
