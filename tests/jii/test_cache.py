"""The cache without its Redis: reads miss, writes are dropped, `add` succeeds (so rate limits let people
through), one warning is logged; nothing raises. Pages and forms therefore work while Redis is down."""

import logging
import socket

import pytest
from allauth.core import ratelimit
from django.test import RequestFactory

from jii import cache as jii_cache
from jii.cache import ReusingRedisCache


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens once the probe is closed


def test_every_cache_call_carries_on_without_redis_and_warns_once(caplog, monkeypatch):
    monkeypatch.setattr(jii_cache, "_last_warning", 0.0)
    cache = ReusingRedisCache(f"redis://127.0.0.1:{closed_port()}/0", {"OPTIONS": {"socket_connect_timeout": 1}})
    with caplog.at_level(logging.WARNING, logger="jii.cache"):
        assert cache.get("page", "missed") == "missed"
        assert cache.add("lock", True, 10) is True
        cache.set("page", "html", 10)
        assert cache.get_many(["a", "b"]) == {}
        assert cache.has_key("page") is False and cache.delete("page") is False
        cache.set_many({"a": 1}, 10)
        cache.delete_many(["a"])
        with pytest.raises(ValueError):  # a counter that cannot be read is missing (callers then set it)
            cache.incr("campaign:1:version")
    [warning] = caplog.records
    assert warning.getMessage().startswith("The cache (Redis) cannot be reached, carrying on without it")


def test_rate_limits_let_people_through_while_redis_is_away(monkeypatch, settings):
    settings.CACHES = {"default": {"BACKEND": "jii.cache.ReusingRedisCache",
                                   "LOCATION": f"redis://127.0.0.1:{closed_port()}/0"}}  # fmt: skip
    request = RequestFactory().post("/en/spot/request/")
    assert all(ratelimit.consume(request, action="public_form", key="lan@example.com") for _ in range(20))
