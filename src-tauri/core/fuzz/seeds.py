#!/usr/bin/env python3
"""Seed the cargo-fuzz corpora with shaped inputs: for each target, every pathological shape
of its kind (folio::fuzzing::SHAPES) at a few sizes. A shaped input is 0xFE, the shape's index
among the target's shapes, the size (u16 little-endian, spread quadratically up to
folio::fuzzing::FUZZ_MAX_SIZE), the seed (u64 LE), which payload slot, then the payload
(see folio::fuzzing::shapes::from_fuzz_among).

    python3 src-tauri/core/fuzz/seeds.py   # writes src-tauri/core/fuzz/corpus/<target>/shape-*
"""
import math, os, struct

HERE = os.path.dirname(os.path.abspath(__file__))
MAX_SIZE = 150_000
# Shapes per target (an index past the count wraps around, so a few extra are harmless).
TARGETS = {"bibtex": 9, "ris": 6, "results_text": 1, "json": 5, "aux": 1, "query": 1, "import": 21}
SIZES = [0, 3, 40, 500, 9_000]
PAYLOADS = [b"", b"Fill", b"\\emph{x}", b"{\\'e}", "Müller".encode(), b"\xe9", b"\"", b"}"]

for target, count in TARGETS.items():
    out = os.path.join(HERE, "corpus", target)
    os.makedirs(out, exist_ok=True)
    n = 0
    for index in range(count):
        for size in SIZES:
            raw = min(65535, int(math.ceil(math.sqrt(size / MAX_SIZE) * 65535)))
            payload = PAYLOADS[n % len(PAYLOADS)]
            data = bytes([0xFE, index]) + struct.pack("<HQB", raw, n * 7919, n % 3) + payload
            with open(os.path.join(out, f"shape-{index:02}-{size}"), "wb") as f:
                f.write(data)
            n += 1
    print(f"{target}: {n} seeds in {out}")
