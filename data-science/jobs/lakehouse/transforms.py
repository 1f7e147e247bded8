"""The job's transformations: DataFrame in, DataFrame out, no I/O, so each is unit-tested on a
local SparkSession with rows built in the test. The message shapes are the contract in
workloads/shared/messages.ts (AnalyzedReading on telemetry.analyzed, AlertMessage on alerts)."""

from __future__ import annotations

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F
from pyspark.sql.types import (
    BooleanType,
    DoubleType,
    IntegerType,
    LongType,
    MapType,
    StringType,
    StructField,
    StructType,
    TimestampType,
)

# --- message schemas (what from_json reads; unknown fields are ignored) ---------------------------

FEATURES_SCHEMA = StructType(
    [
        StructField("mean", DoubleType()),
        StructField("std", DoubleType()),
        StructField("z", DoubleType()),
        StructField("ewma", DoubleType()),
        StructField("n", LongType()),
    ]
)

ANALYZED_READING_SCHEMA = StructType(
    [
        StructField("id", StringType()),
        StructField("deviceId", StringType()),
        StructField("ts", TimestampType()),
        StructField("seq", LongType()),
        StructField("metrics", MapType(StringType(), DoubleType())),
        StructField("receivedAt", TimestampType()),
        StructField("features", MapType(StringType(), FEATURES_SCHEMA)),
        StructField("score", DoubleType()),
        StructField("anomalous", BooleanType()),
        StructField("analyzedAt", TimestampType()),
    ]
)

ALERT_SCHEMA = StructType(
    [
        StructField("alertId", StringType()),
        StructField("deviceId", StringType()),
        StructField("rule", StringType()),
        StructField("metric", StringType()),
        StructField("state", StringType()),
        StructField("severity", StringType()),
        StructField("value", DoubleType()),
        StructField("threshold", DoubleType()),
        StructField("score", DoubleType()),
        StructField("episodeStart", TimestampType()),
        StructField("ts", TimestampType()),
        StructField("readingId", StringType()),
        StructField("message", StringType()),
    ]
)

# --- table schemas (the Delta tables' columns; data-science/README.md documents them) ------------

BRONZE_SCHEMA = StructType(
    [
        StructField("topic", StringType(), False),
        StructField("partition", IntegerType(), False),
        StructField("offset", LongType(), False),
        StructField("kafka_timestamp", TimestampType()),
        StructField("key", StringType()),
        StructField("value", StringType()),
        StructField("ingested_at", TimestampType(), False),
    ]
)

SILVER_SCHEMA = StructType(
    [
        StructField("reading_id", StringType(), False),
        StructField("device_id", StringType(), False),
        StructField("ts", TimestampType(), False),
        StructField("minute", TimestampType(), False),
        StructField("seq", LongType()),
        StructField("metrics", MapType(StringType(), DoubleType()), False),
        StructField("features", MapType(StringType(), FEATURES_SCHEMA)),
        StructField("score", DoubleType()),
        StructField("anomalous", BooleanType(), False),
        StructField("received_at", TimestampType()),
        StructField("analyzed_at", TimestampType()),
        StructField("kafka_partition", IntegerType(), False),
        StructField("kafka_offset", LongType(), False),
    ]
)

GOLD_SCHEMA = StructType(
    [
        StructField("device_id", StringType(), False),
        StructField("minute", TimestampType(), False),
        StructField("metric", StringType(), False),
        StructField("readings", LongType(), False),
        StructField("mean", DoubleType(), False),
        StructField("min", DoubleType(), False),
        StructField("max", DoubleType(), False),
        StructField("stddev", DoubleType(), False),
        StructField("anomalous_readings", LongType(), False),
        StructField("updated_at", TimestampType(), False),
    ]
)

ALERTS_SCHEMA = StructType(
    [
        StructField("alert_id", StringType(), False),
        StructField("state", StringType(), False),
        StructField("device_id", StringType(), False),
        StructField("rule", StringType()),
        StructField("metric", StringType()),
        StructField("severity", StringType()),
        StructField("value", DoubleType()),
        StructField("threshold", DoubleType()),
        StructField("score", DoubleType()),
        StructField("episode_start", TimestampType()),
        StructField("ts", TimestampType()),
        StructField("reading_id", StringType()),
        StructField("message", StringType()),
        StructField("kafka_partition", IntegerType(), False),
        StructField("kafka_offset", LongType(), False),
    ]
)

_JSON_OPTIONS = {"mode": "PERMISSIVE", "timestampFormat": "yyyy-MM-dd'T'HH:mm:ss[.SSS]XXX"}


def to_bronze(kafka_rows: DataFrame) -> DataFrame:
    """Kafka source rows -> bronze rows: the record as received, value and key as UTF-8 text,
    with its coordinates (topic, partition, offset) and when the job wrote it."""
    return kafka_rows.select(
        F.col("topic"),
        F.col("partition").cast(IntegerType()).alias("partition"),
        F.col("offset").cast(LongType()).alias("offset"),
        F.col("timestamp").alias("kafka_timestamp"),
        F.col("key").cast(StringType()).alias("key"),
        F.col("value").cast(StringType()).alias("value"),
        F.current_timestamp().alias("ingested_at"),
    )


def _first_per_key(rows: DataFrame, keys: list) -> DataFrame:
    """One row per key: the one seen first in Kafka (lowest partition, then offset), so a replay
    of the same batch keeps the same row."""
    order = Window.partitionBy(*keys).orderBy(F.col("kafka_partition"), F.col("kafka_offset"))
    return rows.withColumn("_n", F.row_number().over(order)).where("_n = 1").drop("_n")


def parse_readings(bronze_rows: DataFrame) -> DataFrame:
    """Bronze rows of the readings topic -> silver rows, one per reading id within these rows.
    A record that is not a valid AnalyzedReading (bad JSON, missing id, deviceId, ts or
    metrics, a metric that is not a finite number) is dropped here and stays in bronze only."""
    parsed = bronze_rows.select(
        F.from_json(F.col("value"), ANALYZED_READING_SCHEMA, _JSON_OPTIONS).alias("r"),
        F.col("partition").alias("kafka_partition"),
        F.col("offset").alias("kafka_offset"),
    )
    finite = F.forall(
        F.map_values(F.col("r.metrics")),
        lambda v: v.isNotNull() & ~F.isnan(v) & (F.abs(v) != F.lit(float("inf"))),
    )
    valid = parsed.where(
        F.col("r.id").isNotNull()
        & (F.length("r.id") > 0)
        & F.col("r.deviceId").isNotNull()
        & (F.length("r.deviceId") > 0)
        & F.col("r.ts").isNotNull()
        & F.col("r.metrics").isNotNull()
        & (F.size("r.metrics") > 0)
        & finite
    )
    rows = valid.select(
        F.col("r.id").alias("reading_id"),
        F.col("r.deviceId").alias("device_id"),
        F.col("r.ts").alias("ts"),
        F.date_trunc("minute", F.col("r.ts")).alias("minute"),
        F.col("r.seq").alias("seq"),
        F.col("r.metrics").alias("metrics"),
        F.col("r.features").alias("features"),
        F.col("r.score").alias("score"),
        F.coalesce(F.col("r.anomalous"), F.lit(False)).alias("anomalous"),
        F.col("r.receivedAt").alias("received_at"),
        F.col("r.analyzedAt").alias("analyzed_at"),
        "kafka_partition",
        "kafka_offset",
    )
    return _first_per_key(rows, ["reading_id"])


def parse_alerts(bronze_rows: DataFrame) -> DataFrame:
    """Bronze rows of the alerts topic -> alert rows, one per (alertId, state) within these rows
    (the contract: consumers dedupe on that pair). Invalid records stay in bronze only."""
    parsed = bronze_rows.select(
        F.from_json(F.col("value"), ALERT_SCHEMA, _JSON_OPTIONS).alias("a"),
        F.col("partition").alias("kafka_partition"),
        F.col("offset").alias("kafka_offset"),
    )
    valid = parsed.where(
        F.col("a.alertId").isNotNull()
        & F.col("a.deviceId").isNotNull()
        & F.col("a.state").isin("open", "resolved")
    )
    rows = valid.select(
        F.col("a.alertId").alias("alert_id"),
        F.col("a.state").alias("state"),
        F.col("a.deviceId").alias("device_id"),
        F.col("a.rule").alias("rule"),
        F.col("a.metric").alias("metric"),
        F.col("a.severity").alias("severity"),
        F.col("a.value").alias("value"),
        F.col("a.threshold").alias("threshold"),
        F.col("a.score").alias("score"),
        F.col("a.episodeStart").alias("episode_start"),
        F.col("a.ts").alias("ts"),
        F.col("a.readingId").alias("reading_id"),
        F.col("a.message").alias("message"),
        "kafka_partition",
        "kafka_offset",
    )
    return _first_per_key(rows, ["alert_id", "state"])


def minute_keys(silver_rows: DataFrame) -> DataFrame:
    """The (device_id, minute) groups these silver rows touch: what the gold table recomputes."""
    return silver_rows.select("device_id", "minute").distinct()


def gold_features(silver_rows: DataFrame) -> DataFrame:
    """Silver rows -> gold rows: per device, per minute of `ts` (UTC), per metric: the number of
    readings carrying the metric, mean, min, max, population standard deviation (0 for a single
    reading) and how many of those readings analysis flagged anomalous. Pass every silver row of
    the groups wanted: the result is the whole group, not an increment."""
    exploded = silver_rows.select(
        "device_id",
        "minute",
        "anomalous",
        F.explode("metrics").alias("metric", "value"),
    )
    return (
        exploded.groupBy("device_id", "minute", "metric")
        .agg(
            F.count(F.lit(1)).alias("readings"),
            F.avg("value").alias("mean"),
            F.min("value").alias("min"),
            F.max("value").alias("max"),
            F.stddev_pop("value").alias("stddev"),
            F.count(F.when(F.col("anomalous"), 1)).alias("anomalous_readings"),
        )
        .withColumn("updated_at", F.current_timestamp())
    )
