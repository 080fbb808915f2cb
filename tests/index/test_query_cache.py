"""The query-vector LRU in front of the embedder: each normalised query text encoded once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from index.query_cache import CachedQueryEmbedder, query_key, with_query_cache
from tests.fakes import HashEmbedder


def queries_encoded(fake: HashEmbedder) -> list[str]:
    return [text for kind, texts in fake.calls if kind == "query" for text in texts]


def test_the_same_normalised_query_is_encoded_once() -> None:
    fake = HashEmbedder()
    cached = CachedQueryEmbedder(fake, maxsize=8)
    first = cached.encode_queries(["去年 GDP 增长了多少？"])
    again = cached.encode_queries(["  去年　GDP  增长了多少?"])  # full-width space and ？
    np.testing.assert_array_equal(first, again)
    np.testing.assert_array_equal(first, fake.encode_queries(["去年 GDP 增长了多少?"]))
    assert queries_encoded(fake)[:1] == ["去年 GDP 增长了多少?"]  # the normalised text
    assert (cached.hits, cached.misses) == (1, 1)


def test_a_batch_encodes_only_its_new_distinct_texts() -> None:
    fake = HashEmbedder()
    cached = CachedQueryEmbedder(fake, maxsize=8)
    cached.encode_queries(["a b", "c d"])
    out = cached.encode_queries(["c d", "e f", "e  f", "a b"])
    assert queries_encoded(fake) == ["a b", "c d", "e f"]
    assert out.shape == (4, fake.dim) and out.dtype == np.float32
    np.testing.assert_array_equal(out[1], out[2])
    assert cached.encode_queries([]).shape == (0, fake.dim)


def test_least_recently_used_entries_are_evicted() -> None:
    fake = HashEmbedder()
    cached = CachedQueryEmbedder(fake, maxsize=2)
    for text in ("q1", "q2", "q1", "q3", "q1", "q2"):  # q2 was evicted by q3; q1 was used
        cached.encode_queries([text])
    assert queries_encoded(fake) == ["q1", "q2", "q3", "q2"]


def test_passages_pass_through_and_cached_vectors_cannot_be_changed() -> None:
    fake = HashEmbedder()
    cached = CachedQueryEmbedder(fake, maxsize=4)
    cached.encode_passages(["p"])
    cached.encode_passages(["p"])
    assert [kind for kind, _ in fake.calls] == ["passage", "passage"]
    vector = cached.encode_queries(["乡村振兴"])
    vector[:] = 0  # the caller's copy
    assert np.linalg.norm(cached.encode_queries(["乡村振兴"])) == pytest.approx(1.0)


def test_it_describes_the_embedder_it_wraps_and_zero_turns_it_off() -> None:
    fake = HashEmbedder(model_id="m", backend="onnx", precision="int8")
    cached = with_query_cache(fake, 16)
    assert (cached.model_id, cached.dim, cached.backend, cached.precision) == (
        "m",
        64,
        "onnx",
        "int8",
    )
    assert with_query_cache(fake, 0) is fake


def test_concurrent_lookups_agree() -> None:
    cached = CachedQueryEmbedder(HashEmbedder(), maxsize=4)
    texts = [f"问题{i % 6}" for i in range(200)]
    with ThreadPoolExecutor(8) as pool:
        out = list(pool.map(lambda t: cached.encode_queries([t])[0], texts))
    for text, vector in zip(texts, out, strict=True):
        np.testing.assert_array_equal(vector, HashEmbedder().encode_queries([query_key(text)])[0])
