"""What makes this test run's resources its own.

Every database, Redis key space and folder the suite creates carries RUN_ID, so two runs of
the suite on one machine (two developers, two CI jobs, two worktrees) never meet, and each
run removes only what it created.
"""

import os
import uuid

RUN_ID = f"{os.getpid()}_{uuid.uuid4().hex[:8]}"


def cache_key_prefix(purpose: str = "suite") -> str:
    """A Redis key prefix for one purpose of this run; clearing it touches nothing else."""
    return f"test-{purpose}-{RUN_ID}"


def database_name(purpose: str) -> str:
    """A PostgreSQL database name for one purpose of this run (at most 63 characters)."""
    return f"test_{purpose}_{RUN_ID}"[:63]


def delete_redis_keys(url: str, prefix: str) -> None:
    """Remove the keys under `prefix` from the Redis database at `url`, and nothing else."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=3)
    try:
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        for start in range(0, len(keys), 1000):
            client.unlink(*keys[start : start + 1000])
    finally:
        client.close()
