"""Prints the lakehouse's Delta tables as JSON, one object per line: {"table": name, "row": {...}},
rows in key order, timestamps as ISO 8601 UTC. For people looking at a local run and for the
lakehouse test, which reads the tables back through it (a second Spark session, not the job's).

  spark-submit --properties-file data-science/spark-local.conf --jars <.cache/spark/jars/*.jar,>
    data-science/tools/dump_tables.py <lakehouse-path> [table ...]
"""

import json
import os
import sys
import time
from datetime import datetime

from pyspark.sql import SparkSession

ORDER = {
    "bronze": ["topic", "partition", "offset"],
    "silver": ["reading_id"],
    "gold": ["device_id", "minute", "metric"],
    "alerts": ["alert_id", "state"],
}


def _plain(value):
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "asDict"):
        return _plain(value.asDict())
    return value


def main(argv):
    # PySpark turns timestamps into naive datetimes in the process's time zone: make it UTC.
    os.environ["TZ"] = "UTC"
    time.tzset()
    if not argv:
        print("usage: dump_tables.py <lakehouse-path> [table ...]", file=sys.stderr)
        return 2
    root = argv[0].rstrip("/")
    tables = argv[1:] or list(ORDER)
    unknown = [t for t in tables if t not in ORDER]
    if unknown:
        print(f"unknown tables {unknown}: choose from {list(ORDER)}", file=sys.stderr)
        return 2
    spark = SparkSession.builder.appName("lakehouse-dump").getOrCreate()
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    spark.sparkContext.setLogLevel("WARN")
    for table in tables:
        df = spark.read.format("delta").load(f"{root}/{table}").orderBy(*ORDER[table])
        for row in df.toLocalIterator():
            print(json.dumps({"table": table, "row": _plain(row.asDict(recursive=True))}))
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
