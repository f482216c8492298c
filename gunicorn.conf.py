"""Gunicorn settings for the Grassroots Portal: `gunicorn -c gunicorn.conf.py grassroots.wsgi`.

Everything a deployment varies comes from the environment, like the Django settings:

    BIND                 where to listen, "host:port" (default HOST:PORT)
    HOST, PORT           the same in two parts (default 127.0.0.1 and 8000)
    WEB_CONCURRENCY      worker processes (default 2 x cores + 1, at most 8)
    GUNICORN_THREADS     threads per worker (default 1: the plain sync worker)
    GUNICORN_TIMEOUT     seconds a request may run before its worker is restarted (default 30)
    GUNICORN_CONTROL_SOCKET  a path for gunicorn's control socket (default: none)

`./dev prod` runs it after collectstatic, migrate and createcachetable.
"""

import gc
import multiprocessing
import os
from pathlib import Path


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be a whole number; got {raw!r}.") from None


# Loopback by default: the portal sits behind a load balancer or reverse proxy, and listening
# on every interface must be a deliberate choice (BIND=0.0.0.0:8000, or HOST=0.0.0.0).
bind = [
    os.environ.get("BIND") or f"{os.environ.get('HOST', '127.0.0.1')}:{_int('PORT', 8000)}",
]

# The classic rule of thumb: a request here is mostly waiting for PostgreSQL or Redis, so a
# few more processes than cores keep the CPUs busy. Capped so a many-core host does not open
# more database connections than PostgreSQL's max_connections allows per app server.
workers = _int("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 8))

# The sync worker: one request at a time per process, which is what Django's ORM and our
# per-request database connections expect. Threads (gthread) only when asked for, e.g. to
# keep slow downloads from tying up a whole process.
threads = _int("GUNICORN_THREADS", 1)
worker_class = "gthread" if threads > 1 else "sync"

# A request that runs longer than this is stuck (every page answers in well under a second;
# the largest export streams in a few seconds): kill the worker and start a fresh one. A
# download keeps its worker alive while it sends (post_worker_init below), so only one that
# sends nothing for this long is stopped.
timeout = _int("GUNICORN_TIMEOUT", 30)
# On restart or deploy (SIGTERM/SIGHUP), requests already running get this long to finish.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Behind a load balancer that reuses connections; a little longer than nothing, shorter than
# the balancer's idle timeout so the balancer never sends on a connection we just closed.
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Restart each worker after about this many requests, so a slow leak (a growing cache in a
# library, fragmentation after a huge export) can never take a server down. The jitter spreads
# the restarts so the workers never all restart at the same moment. Not much lower: a cached
# page is served over a thousand times a second per worker, and a new worker answers its first
# request for each page through Django and has no page of its own yet. At 25,000 the benchmark's
# 64-connection burst restarted a worker every few seconds: p99 165 ms against 35 ms without
# restarts, and a tenth less throughput.
max_requests = _int("GUNICORN_MAX_REQUESTS", 100_000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 10_000)

# Import Django and the whole project once in the master, before forking: workers start
# faster and share the imported code's memory pages. Database connections are opened lazily
# per request, so none is shared across the fork.
preload_app = True

# Workers signal they are alive by touching a file in this folder; on a disk-backed /tmp
# that write can block for seconds under I/O load and get a healthy worker killed.
if Path("/dev/shm").is_dir():
    worker_tmp_dir = "/dev/shm"

# The access log is Django's (grassroots/middleware.py: one line per request with its request
# id, user and final status); gunicorn's own would log every request twice.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# The load balancer terminates TLS and says so in X-Forwarded-Proto; Django trusts that header
# only through SECURE_PROXY_SSL_HEADER. Gunicorn itself trusts forwarded headers only from
# the addresses listed here (loopback by default).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

proc_name = "grassroots-portal"

# Gunicorn 25+ opens a control socket for `gunicornc` at one fixed path per user, so two servers
# on one host (blue-green deploys, the two-server test, the benchmark) would take over each
# other's. Deploys here use signals (HUP to reload, TERM to stop); give a path to have one.
_control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "").strip()
if _control_socket:
    control_socket = _control_socket
else:
    control_socket_disable = True


def post_worker_init(worker):
    """Streamed downloads (CSV, XLSX, JSON) tell the master this worker is alive as they send
    (exchange/heartbeat.py): a sync worker says so only between requests, and a download
    longer than the timeout would be cut half way."""
    from exchange import heartbeat

    heartbeat.install(worker.notify)


def pre_fork(server, worker):
    """Before each worker is forked, the master (which holds the whole project imported,
    preload_app) moves its objects to the collector's permanent generation: a worker's full
    collections then walk only what its requests made, and never write to the pages it shares
    with the master. Unfrozen, the 180,000 objects of the imports made a full collection
    cost 115 ms in the middle of a request (200 requests of the case browser in process);
    frozen, 21 ms."""
    gc.collect()
    gc.freeze()
