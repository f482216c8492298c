"""A streamed download keeps its gunicorn worker alive while it makes progress.

gunicorn's master restarts a worker that has not said it is alive for `timeout` seconds, and a
sync worker says so only between requests: a response that streams for longer than the timeout
is cut half way, however soon its first byte left. `gunicorn.conf.py` hands each worker's
`notify` to `install()`; the download writers call `beat()` as each chunk goes out, so a
download that keeps sending is not taken for a stuck request, while one that sends nothing for
the whole timeout still is. Outside gunicorn (tests, runserver) `beat()` does nothing.
"""

import time
from collections.abc import Callable, Iterable, Iterator

# Seconds between two notifications: a notification touches a file.
INTERVAL = 1.0

_notify: Callable[[], None] | None = None
_last = 0.0


def install(notify: Callable[[], None] | None) -> None:
    """Use `notify` (a gunicorn worker's) to say the worker is alive; None to stop."""
    global _notify, _last
    _notify, _last = notify, 0.0


def beat() -> None:
    """Say the worker is alive, at most once per INTERVAL."""
    global _last
    if _notify is None:
        return
    now = time.monotonic()
    if now - _last >= INTERVAL:
        _last = now
        _notify()


def beating[T](chunks: Iterable[T]) -> Iterator[T]:
    """The chunks of a streamed response, with a beat as each one goes out."""
    for chunk in chunks:
        beat()
        yield chunk
