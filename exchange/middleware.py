"""Middleware of the open-data API."""

from exchange.api import ALLOWED_METHODS, method_not_allowed


class ReadOnlyApiMiddleware:
    """Under /api/, a method other than GET, HEAD or OPTIONS is a JSON 405 with `Allow`.

    It runs before the CSRF check, which would otherwise answer a POST with Django's HTML
    "CSRF verification failed" page (403), and before the trailing-slash redirect: the API
    changes nothing, so there is nothing for a CSRF token to protect.
    """

    PREFIX = "/api/"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(self.PREFIX) and request.method not in ALLOWED_METHODS:
            return method_not_allowed()
        return self.get_response(request)
