"""Build a Redis client from a URL."""

from __future__ import annotations

import redis


def connect_redis(url: str, *, timeout_seconds: float = 2.0) -> redis.Redis:
    """Return a client for a redis:// or rediss:// URL; it connects lazily."""
    if not url.startswith(("redis://", "rediss://", "unix://")):
        raise ValueError("REDIS_URL must start with redis://, rediss:// or unix://")
    return redis.Redis.from_url(
        url,
        socket_timeout=timeout_seconds,
        socket_connect_timeout=timeout_seconds,
        health_check_interval=30,
    )
