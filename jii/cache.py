"""Django's Redis cache, keeping one client per connection pool, and carrying on when Redis is away.

Django builds a new redis.Redis client (and its table of ~170 response callbacks) for every cache call; the
campaign page is served from one cache read, so that setup was a large share of its time. A client over a
shared pool is safe to reuse across threads.

The cache only ever saves work or counts (pages, rate limits): when Redis cannot be reached, a read misses (and
`incr` finds no key), a write is dropped and `add` succeeds, so pages are built afresh and limits let people
through, instead of every form answering 500 until Redis is back (tests/faults/). One warning a minute says so.
"""

import functools
import logging
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)
WARN_EVERY = 60  # seconds
_last_warning = 0.0


def carry_on(fallback):
    """Run a cache call; if Redis cannot be reached, warn (at most once a minute) and return `fallback`."""

    def decorate(method):
        @functools.wraps(method)
        def call(self, *args, **kwargs):
            global _last_warning
            try:
                return method(self, *args, **kwargs)
            except (RedisConnectionError, RedisTimeoutError) as error:
                if time.monotonic() - _last_warning > WARN_EVERY:
                    _last_warning = time.monotonic()
                    logger.warning("The cache (Redis) cannot be reached, carrying on without it: %s", error)
                return fallback(*args, **kwargs) if callable(fallback) else fallback

        return call

    return decorate


def missing(key, delta):
    raise ValueError(f"Key {key!r} not found: the cache (Redis) cannot be reached.")


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    add = carry_on(True)(RedisCacheClient.add)  # as if the key was free: a lock is taken, a limit not reached
    get = carry_on(lambda key, default: default)(RedisCacheClient.get)
    set = carry_on(None)(RedisCacheClient.set)
    touch = carry_on(False)(RedisCacheClient.touch)
    delete = carry_on(False)(RedisCacheClient.delete)
    get_many = carry_on({})(RedisCacheClient.get_many)
    has_key = carry_on(False)(RedisCacheClient.has_key)
    set_many = carry_on([])(RedisCacheClient.set_many)
    delete_many = carry_on(None)(RedisCacheClient.delete_many)
    clear = carry_on(None)(RedisCacheClient.clear)
    incr = carry_on(missing)(RedisCacheClient.incr)  # as for a key that is not there (callers set it then)


class ReusingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
