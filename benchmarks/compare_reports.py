"""Which cells two runs' reports found (known or failing), and which only one of them did.

For comparing profiles on one seed, e.g. the default (20 examples) against nightly (40):

    .venv/bin/python benchmarks/compare_reports.py /tmp/d6/conformance.json /tmp/d7/conformance.json
"""

from __future__ import annotations

import collections
import json
import sys

FOUND = {"known", "diverged", "error", "crash", "timeout", "malformed"}


def found(path: str) -> set[tuple[str, str, str]]:
    with open(path, encoding="utf-8") as handle:
        results = json.load(handle)["results"]
    return {(c["spec"], c["check"], c["adapter"]) for c in results if c["status"] in FOUND}


def main(first: str, second: str) -> int:
    a, b = found(first), found(second)
    print(f"cells found: {len(a)} by the first, {len(b)} by the second; both {len(a & b)}; "
          f"only the first {len(a - b)}; only the second {len(b - a)}")
    print("only the first, per check:", dict(collections.Counter(k[1] for k in a - b).most_common()))
    print("only the first, per adapter:", dict(collections.Counter(k[2] for k in a - b).most_common()))
    pairs_a, pairs_b = {(k[0], k[2]) for k in a}, {(k[0], k[2]) for k in b}
    print(f"(spec, adapter) pairs with a finding: {len(pairs_a)} / {len(pairs_b)}; "
          f"only the first {len(pairs_a - pairs_b)}; only the second {len(pairs_b - pairs_a)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
