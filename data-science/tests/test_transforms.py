"""The DataFrame transformations on a local SparkSession (no Kafka, no Delta)."""

import json
import os
import time
import unittest
from datetime import datetime

from lakehouse.transforms import BRONZE_SCHEMA, gold_features, parse_alerts, parse_readings
from pyspark.sql import SparkSession

os.environ["TZ"] = "UTC"
time.tzset()


def bronze_row(value, partition=0, offset=0, topic="telemetry.analyzed"):
    text = value if isinstance(value, str) else json.dumps(value)
    return (topic, partition, offset, datetime(2026, 12, 1), None, text, datetime(2026, 12, 1))


def reading(rid, device="d1", ts="2026-12-01T10:00:30.000Z", metrics=None, anomalous=False):
    return {
        "id": rid,
        "deviceId": device,
        "ts": ts,
        "seq": 1,
        "metrics": metrics if metrics is not None else {"temp": 20.5},
        "receivedAt": ts,
        "features": {"temp": {"mean": 20, "std": 1, "z": 0.5, "ewma": 20.1, "n": 3}},
        "score": 0.5,
        "anomalous": anomalous,
        "analyzedAt": ts,
    }


class Transforms(unittest.TestCase):
    spark: SparkSession

    @classmethod
    def setUpClass(cls):
        cls.spark = (
            SparkSession.builder.master("local[1]")
            .appName("lakehouse-unit")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "1")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .getOrCreate()
        )
        cls.spark.sparkContext.setLogLevel("ERROR")

    @classmethod
    def tearDownClass(cls):
        cls.spark.stop()

    def bronze(self, rows):
        return self.spark.createDataFrame(rows, BRONZE_SCHEMA)

    def test_parse_readings_types_dedupes_and_drops_invalid_records(self):
        rows = [
            bronze_row(reading("r1"), partition=1, offset=5),
            bronze_row(reading("r1", metrics={"temp": 99.0}), partition=0, offset=9),  # replay
            bronze_row(reading("r2", ts="2026-12-01T10:01:59.999+01:00"), offset=1),
            bronze_row("not json", offset=2),
            bronze_row({"deviceId": "d1", "ts": "2026-12-01T10:00:00Z", "metrics": {}}, offset=3),
            bronze_row(reading("r3", metrics={}), offset=4),
            bronze_row(reading("r4", metrics={"temp": "hot"}), offset=6),
        ]
        out = {r.reading_id: r for r in parse_readings(self.bronze(rows)).collect()}
        self.assertEqual(sorted(out), ["r1", "r2"])
        # The copy with the lowest (partition, offset) wins, so a replayed batch keeps its row.
        self.assertEqual(out["r1"].metrics, {"temp": 99.0})
        self.assertEqual((out["r1"].kafka_partition, out["r1"].kafka_offset), (0, 9))
        self.assertEqual(out["r2"].ts, datetime(2026, 12, 1, 9, 1, 59, 999000))
        self.assertEqual(out["r2"].minute, datetime(2026, 12, 1, 9, 1))
        self.assertEqual(out["r1"].features["temp"].n, 3)
        self.assertFalse(out["r1"].anomalous)

    def test_parse_alerts_keeps_one_row_per_alert_and_state(self):
        alert = {
            "alertId": "a1",
            "deviceId": "d1",
            "rule": "zscore",
            "metric": "temp",
            "state": "open",
            "severity": "warning",
            "value": 40,
            "score": 4.1,
            "episodeStart": "2026-12-01T10:00:00.000Z",
            "ts": "2026-12-01T10:00:00.000Z",
            "readingId": "r1",
            "message": "m",
        }
        rows = [
            bronze_row(alert, offset=0, topic="alerts"),
            bronze_row(alert, offset=1, topic="alerts"),
            bronze_row({**alert, "state": "resolved"}, offset=2, topic="alerts"),
            bronze_row({**alert, "state": "maybe"}, offset=3, topic="alerts"),
        ]
        out = sorted(
            (r.alert_id, r.state, r.kafka_offset) for r in parse_alerts(self.bronze(rows)).collect()
        )
        self.assertEqual(out, [("a1", "open", 0), ("a1", "resolved", 2)])

    def test_gold_features_per_device_minute_metric(self):
        rows = [
            bronze_row(reading("r1", metrics={"temp": 1.0, "hum": 10.0}, anomalous=True), offset=0),
            bronze_row(
                reading("r2", ts="2026-12-01T10:00:59.000Z", metrics={"temp": 3.0}), offset=1
            ),
            bronze_row(
                reading("r3", ts="2026-12-01T10:01:00.000Z", metrics={"temp": 7.0}), offset=2
            ),
            bronze_row(reading("r4", device="d2", metrics={"temp": 5.0}), offset=3),
        ]
        gold = gold_features(parse_readings(self.bronze(rows))).collect()
        got = {
            (g.device_id, g.minute.strftime("%H:%M"), g.metric): (
                g.readings,
                g.mean,
                g.min,
                g.max,
                g.stddev,
                g.anomalous_readings,
            )
            for g in gold
        }
        self.assertEqual(
            got,
            {
                ("d1", "10:00", "temp"): (2, 2.0, 1.0, 3.0, 1.0, 1),
                ("d1", "10:00", "hum"): (1, 10.0, 10.0, 10.0, 0.0, 1),
                ("d1", "10:01", "temp"): (1, 7.0, 7.0, 7.0, 0.0, 0),
                ("d2", "10:00", "temp"): (1, 5.0, 5.0, 5.0, 0.0, 0),
            },
        )


if __name__ == "__main__":
    unittest.main()
