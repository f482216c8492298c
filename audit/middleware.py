"""Every request is a unit of work done by its user: admin requests with the source "admin"."""

from audit.context import audit_context


class AuditMiddleware:
    """Open an audit_context for each request (place after AuthenticationMiddleware).

    The user is read lazily, when an entry is written, so a request that changes nothing costs
    no query. Changes the view did not flush itself are written when the response is ready.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        source = "admin" if self._is_admin(request) else "web"
        with audit_context(getattr(request, "user", None), source=source):
            return self.get_response(request)

    @staticmethod
    def _is_admin(request) -> bool:
        # The admin sits under each language prefix (/en/admin/, /ja/admin/).
        parts = request.path_info.strip("/").split("/")
        return "admin" in parts[:2]
