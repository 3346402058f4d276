"""Vectorised Arrow and numpy helpers shared by the simulation and the writers."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc


def fixed_width_strings(codes: np.ndarray) -> pa.Array:
    """An Arrow string array from an (n, width) matrix of ASCII codes, without a loop."""
    codes = np.ascontiguousarray(codes, dtype=np.uint8)
    n, width = codes.shape
    offsets = (np.arange(n + 1, dtype=np.int64) * width).astype(np.int32)
    return pa.Array.from_buffers(
        pa.string(), n, [None, pa.py_buffer(offsets), pa.py_buffer(codes.tobytes())]
    )


def arrow(values, type: pa.DataType | None = None, mask=None) -> pa.Array:
    """numpy values (or a list of strings) as an Arrow array.

    pa.array would do, but its check for pandas objects imports pandas, which costs more
    than a default generation takes; building from buffers does not.
    """
    if isinstance(values, list | tuple):
        return strings(values)
    values = np.ascontiguousarray(values)
    n = len(values)
    validity = None
    if mask is not None and np.any(mask):
        validity = pa.py_buffer(np.packbits(~np.asarray(mask, dtype=bool), bitorder="little"))
    if values.dtype == bool:
        bits = pa.py_buffer(np.packbits(values, bitorder="little"))
        return pa.Array.from_buffers(pa.bool_(), n, [validity, bits])
    if type is None:
        type = {"i": pa.int64(), "u": pa.uint64(), "f": pa.float64()}[values.dtype.kind]
        values = values.astype({"i": np.int64, "u": np.uint64, "f": np.float64}[values.dtype.kind])
    elif pa.types.is_timestamp(type) or type == pa.int64():
        values = values.astype(np.int64)
    elif type == pa.int32():
        values = values.astype(np.int32)
    return pa.Array.from_buffers(type, n, [validity, pa.py_buffer(values)])


def int_values(column: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """An integer column without nulls as numpy (to_numpy would import pandas too)."""
    column = flat(column)
    width = {pa.int32(): np.int32, pa.int64(): np.int64}[column.type]
    data = np.frombuffer(column.buffers()[1], dtype=width)
    return data[column.offset : column.offset + len(column)]


def strings(values) -> pa.Array:
    """A small list of Python strings (None for null) as an Arrow string array."""
    encoded = [b"" if v is None else str(v).encode() for v in values]
    offsets = np.r_[0, np.cumsum([len(b) for b in encoded])].astype(np.int32)
    missing = np.array([v is None for v in values], dtype=bool)
    validity = pa.py_buffer(np.packbits(~missing, bitorder="little")) if missing.any() else None
    return pa.Array.from_buffers(
        pa.string(),
        len(encoded),
        [validity, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))],
    )


def constant(text: str, n: int) -> pa.Array:
    """n copies of one string."""
    raw = np.frombuffer(text.encode(), dtype=np.uint8)
    if len(raw) == 0:
        return fixed_width_strings(np.zeros((n, 0), dtype=np.uint8))
    return fixed_width_strings(np.tile(raw, (n, 1)))


def choose(condition: np.ndarray, if_true, if_false) -> pa.Array:
    """Element-wise choice between two string arrays (or plain strings)."""
    n = len(condition)
    as_array = lambda v: constant(v, n) if isinstance(v, str) else v  # noqa: E731
    return flat(
        pc.if_else(arrow(np.asarray(condition, dtype=bool)), as_array(if_true), as_array(if_false))
    )


def flat(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One contiguous array (some kernels return chunked results on large inputs)."""
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


def with_nulls(values: pa.Array, missing: np.ndarray) -> pa.Array:
    """values, null where missing holds."""
    if not np.any(missing):
        return values
    keep = arrow(~np.asarray(missing, dtype=bool))
    return flat(pc.if_else(keep, values, pa.nulls(len(values), values.type)))


def int_strings(values: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    text = pc.cast(arrow(np.asarray(values, dtype=np.int64)), pa.string())
    return text if missing is None else with_nulls(text, missing)


def pick(vocabulary, index: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    """vocabulary[index] as an Arrow string array (null where missing)."""
    index = np.asarray(index, dtype=np.int64)
    if missing is not None:
        index = np.where(missing, 0, index)
    taken = flat(strings(list(vocabulary)).take(arrow(index)))
    return taken if missing is None else with_nulls(taken, missing)


def join(*parts, separator: str = "") -> pa.Array:
    """Element-wise concatenation of Arrow string arrays and plain strings."""
    n = next(len(p) for p in parts if not isinstance(p, str))
    arrays = [constant(p, n) if isinstance(p, str) else p for p in parts]
    return flat(pc.binary_join_element_wise(*arrays, constant(separator, n)))


def rank(created_at: np.ndarray, key: np.ndarray) -> np.ndarray:
    """0-based creation order (ties broken by key): the basis of sequential ids."""
    order = np.lexsort((key, created_at))
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = np.arange(len(order))
    return ranks


def ragged(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Expand per-parent counts: (parent index, position within parent) per child."""
    counts = np.asarray(counts, dtype=np.int64)
    parent = np.repeat(np.arange(len(counts)), counts)
    starts = np.cumsum(counts) - counts
    position = np.arange(len(parent)) - starts[parent]
    return parent, position
