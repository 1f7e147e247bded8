"""Prints the lakehouse's Delta tables as JSON, one object per line: {"table": name, "row": {...}},
rows in key order, timestamps as ISO 8601 UTC with milliseconds, maps as objects. It reads with
delta-rs (the `deltalake` package), not Spark: a second, independent implementation of the Delta
protocol, and no JVM, so it answers in about a second. For people looking at a local run, and
for the lakehouse test, which reads the tables back through it.

  .cache/python/spark/bin/python data-science/tools/dump_tables.py <lakehouse-path> [table ...]
"""

import json
import os
import sys
from datetime import UTC, datetime

from deltalake import DeltaTable

# Each table's key: the order rows are printed in (and what must be unique).
ORDER = {
    "bronze": ["topic", "partition", "offset"],
    "silver": ["reading_id"],
    "gold": ["device_id", "minute", "metric"],
    "alerts": ["alert_id", "state"],
}
# Map columns: Arrow gives a map as a list of (key, value) pairs.
MAPS = {"metrics", "features"}


def _plain(value):
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def rows(root: str, table: str) -> list:
    """The table's current rows as plain JSON-able dicts, sorted by its key."""
    data = DeltaTable(f"{root}/{table}").to_pyarrow_table().to_pylist()
    out = []
    for row in data:
        plain = {}
        for column, value in row.items():
            if column in MAPS and value is not None:
                value = {k: v for k, v in value}
            plain[column] = _plain(value)
        out.append(plain)
    return sorted(out, key=lambda r: tuple(r[k] for k in ORDER[table]))


def main(argv):
    if not argv:
        print("usage: dump_tables.py <lakehouse-path> [table ...]", file=sys.stderr)
        return 2
    root = argv[0].rstrip("/")
    tables = argv[1:] or list(ORDER)
    unknown = [t for t in tables if t not in ORDER]
    if unknown:
        print(f"unknown tables {unknown}: choose from {list(ORDER)}", file=sys.stderr)
        return 2
    for table in tables:
        for row in rows(root, table):
            print(json.dumps({"table": table, "row": row}))
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    sys.stdout.flush()
    # Skip interpreter teardown: delta-rs' runtime threads can abort the process there
    # ("terminate called without an active exception"), after all output was written.
    os._exit(code)
