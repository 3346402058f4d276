"""Random numbers as a pure function of (seed, stream, keys).

A stateful generator would make the world depend on how much of it is simulated: drawing
one more day shifts every later draw. Hashing (seed, what is drawn, who it is drawn for)
instead gives every person, session and e-mail its own numbers, so the first N days are
the same whatever the horizon, and everything stays vectorised.
"""

from __future__ import annotations

import hashlib

import numpy as np

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_SECOND = np.uint64(0xD1B54A32D192ED03)


def _mix(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser: a cheap, well-scrambling 64-bit hash."""
    x = x ^ (x >> np.uint64(30))
    x = x * np.uint64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> np.uint64(27))
    x = x * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _to_unit(h: np.ndarray) -> np.ndarray:
    """Uniform in the open interval (0, 1) from the top 53 bits."""
    return ((h >> np.uint64(11)).astype(np.float64) + 0.5) * 2.0**-53


class Dice:
    """Vectorised random draws keyed by stream name and integer keys (arrays broadcast)."""

    def __init__(self, seed: int):
        self.seed = int(seed)

    def hash(self, stream: str, *keys) -> np.ndarray:
        digest = hashlib.blake2b(f"{self.seed}/{stream}".encode(), digest_size=8).digest()
        arrays = np.broadcast_arrays(*[np.asarray(k, dtype=np.int64) for k in keys])
        shape = arrays[0].shape if arrays else ()
        h = np.full(shape, int.from_bytes(digest, "little"), dtype=np.uint64)
        for key in arrays:
            h = _mix(h ^ (key.astype(np.uint64) * _GOLDEN + _SECOND))
        return h

    def uniform(self, stream: str, *keys) -> np.ndarray:
        return _to_unit(self.hash(stream, *keys))

    def bernoulli(self, stream: str, p, *keys) -> np.ndarray:
        return self.uniform(stream, *keys) < p

    def integers(self, stream: str, n, *keys) -> np.ndarray:
        """Uniform integers in [0, n)."""
        return np.floor(self.uniform(stream, *keys) * n).astype(np.int64)

    def normal(self, stream: str, *keys) -> np.ndarray:
        h = self.hash(stream, *keys)
        u1, u2 = _to_unit(h), _to_unit(_mix(h ^ _SECOND))
        return np.sqrt(-2.0 * np.log(u1)) * np.cos(2.0 * np.pi * u2)

    def lognormal(self, stream: str, median, sigma, *keys) -> np.ndarray:
        return median * np.exp(sigma * self.normal(stream, *keys))

    def exponential(self, stream: str, mean, *keys) -> np.ndarray:
        return -np.log(self.uniform(stream, *keys)) * mean

    def geometric(self, stream: str, mean, *keys) -> np.ndarray:
        """Counts 0, 1, 2, ... with the given mean."""
        u = self.uniform(stream, *keys)
        mean = np.broadcast_to(np.asarray(mean, dtype=np.float64), u.shape)
        safe = np.maximum(mean, 1e-9)
        k = np.floor(np.log(u) / np.log(safe / (safe + 1.0)))
        return np.where(mean > 0, k, 0).astype(np.int64)

    def choice(self, stream: str, probs, *keys) -> np.ndarray:
        """Index drawn from probs (1-D: one table; 2-D: a table per row)."""
        u = self.uniform(stream, *keys)
        probs = np.asarray(probs, dtype=np.float64)
        cum = np.cumsum(probs, axis=-1)
        cum = cum / cum[..., -1:]
        if probs.ndim == 1:
            return np.minimum(np.searchsorted(cum, u, side="right"), len(probs) - 1)
        return np.minimum((u[:, None] >= cum).sum(axis=1), probs.shape[1] - 1)

    def poisson(self, stream: str, lam, *keys) -> np.ndarray:
        """Poisson counts by inverting the CDF (a normal approximation above 500)."""
        u = self.uniform(stream, *keys)
        lam = np.broadcast_to(np.asarray(lam, dtype=np.float64), u.shape)
        small = np.minimum(lam, 500.0)
        k = np.zeros(u.shape, dtype=np.int64)
        p = np.exp(-small)
        cdf = p.copy()
        k_max = int(small.max(initial=0) + 10 * np.sqrt(small.max(initial=0)) + 20)
        for i in range(1, k_max):
            more = u > cdf
            if not more.any():
                break
            k += more
            p = p * small / i
            cdf = cdf + p
        z = self.normal(stream + "/normal", *keys)
        big = np.maximum(np.round(lam + np.sqrt(lam) * z), 0).astype(np.int64)
        return np.where(lam > 500, big, k)
