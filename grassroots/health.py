"""`/healthz`: is this app server able to serve? For load balancers and uptime monitors.

It checks the database and the shared cache with the cheapest real operation on each. Only
the database decides: without it the server cannot serve (503, the balancer takes it out);
without the cache it serves every page from the database, slower (200, "degraded": taking
every server out because the cache they share is down would help nobody). The answer names the
part that failed but never why: the details (host names, error messages) go to the log, where
the request id links them to the check.
"""

import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

OK = "ok"
FAILED = "error"
DEGRADED = "degraded"


def database_ok() -> bool:
    """The default database answers a query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("Health check: the database is not answering.")
        return False


def cache_ok() -> bool:
    """The cache stores a value and gives it back.

    The cache backend turns its own failures into misses (grassroots/cache.py), so a cache
    that is down shows here as a value that did not come back.

    A random key and value per check, so two servers checking at once cannot pass on each
    other's write, and a cache that silently drops writes (a dummy backend, a full Redis with
    no eviction) fails.
    """
    key = f"healthz:{uuid.uuid4().hex}"
    value = uuid.uuid4().hex
    try:
        cache.set(key, value, timeout=30)
        stored = cache.get(key)
        cache.delete(key)
    except Exception:
        logger.exception("Health check: the cache is not answering.")
        return False
    if stored != value:
        logger.error("Health check: the cache did not return the value just stored.")
        return False
    return True


@never_cache
@require_safe
def healthz(request):
    """200 with {"status": "ok", "database": "ok", "cache": "ok"}; 200 with "degraded" for a
    failing cache; 503 with "error" when the database fails."""
    database = database_ok()
    cache_answers = cache_ok()
    body = {
        "status": (OK if cache_answers else DEGRADED) if database else FAILED,
        "database": OK if database else FAILED,
        "cache": OK if cache_answers else DEGRADED,
    }
    return JsonResponse(body, status=200 if database else 503)
