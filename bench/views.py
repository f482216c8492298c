"""A hello-world view for the benchmark suite: the ceiling every page is compared to.

It goes through the whole middleware stack like any page, but touches neither the database
nor the cache, so requests/s for it is what this gunicorn can serve at best on this machine.
Only the benchmark's own settings (bench/settings.py) route it; the portal's URLconf never does.
"""

from django.http import HttpResponse
from django.views.decorators.http import require_safe


@require_safe
def hello(request):
    """A constant, tiny plain-text answer."""
    return HttpResponse(b"hello", content_type="text/plain; charset=utf-8")
