"""The server's answer cache keeps what was used last and never holds more bytes than allowed."""

from __future__ import annotations

from mifi_rdf.serve.cache import ByteLRU


def test_least_recently_used_is_evicted_first():
    cache = ByteLRU(400)
    cache.put("a", b"A" * 100, 100)
    cache.put("b", b"B" * 100, 100)
    cache.put("c", b"C" * 100, 100)
    assert cache.get("a") == b"A" * 100  # now "b" is the least recently used
    cache.put("d", b"D" * 100, 100)
    cache.put("e", b"E" * 100, 100)
    assert cache.get("b") is None
    assert [cache.get(k) is not None for k in "acde"] == [True, True, True, True]
    assert cache.size == 400


def test_an_answer_too_large_is_not_kept():
    cache = ByteLRU(400)
    cache.put("a", b"A", 1)
    cache.put("big", b"x" * 101, 101)  # more than a quarter of the cache would evict too much
    assert cache.get("big") is None and cache.get("a") == b"A"


def test_a_zero_cache_keeps_nothing():
    cache = ByteLRU(0)
    cache.put("a", b"", 0)
    cache.put("b", b"B", 1)
    assert cache.get("b") is None
