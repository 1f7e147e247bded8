"""The Delta tables: created up front with their schemas (so streams can read a table that has
no rows yet and MERGE always has a target), and the idempotent writes each micro-batch makes.

Every write here is safe to repeat: foreachBatch is at-least-once (a batch that was running when
the job died runs again, with the same rows, after the restart), so
- silver and alerts take only rows whose key they lack (insert-only MERGE: first one wins);
- gold recomputes whole (device, minute) groups from silver and overwrites them (MERGE update),
  so a repeated or late batch yields the same rows, never a double count."""

from __future__ import annotations

from delta.tables import DeltaTable
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from .transforms import (
    ALERTS_SCHEMA,
    BRONZE_SCHEMA,
    GOLD_SCHEMA,
    SILVER_SCHEMA,
    gold_features,
    minute_keys,
)

TABLES = {
    "bronze": BRONZE_SCHEMA,
    "silver": SILVER_SCHEMA,
    "gold": GOLD_SCHEMA,
    "alerts": ALERTS_SCHEMA,
}


def ensure_tables(spark: SparkSession, table_path) -> None:
    """Creates each table at `table_path(name)` when it does not exist; leaves existing ones."""
    for name, schema in TABLES.items():
        (
            DeltaTable.createIfNotExists(spark)
            .location(table_path(name))
            .addColumns(schema)
            .property("delta.appendOnly", "true" if name == "bronze" else "false")
            .execute()
        )


def merge_silver(spark: SparkSession, silver_path: str, rows: DataFrame) -> None:
    """Inserts the readings whose reading_id silver does not have yet."""
    (
        DeltaTable.forPath(spark, silver_path)
        .alias("t")
        .merge(rows.alias("s"), "t.reading_id = s.reading_id")
        .whenNotMatchedInsertAll()
        .execute()
    )


def refresh_gold(spark: SparkSession, silver_path: str, gold_path: str, rows: DataFrame) -> None:
    """Recomputes the gold rows of every (device, minute) these silver rows touch, from all of
    silver's rows in those groups, and writes them over the old ones."""
    keys = minute_keys(rows)
    silver = DeltaTable.forPath(spark, silver_path).toDF()
    groups = silver.join(F.broadcast(keys), ["device_id", "minute"], "left_semi")
    features = gold_features(groups)
    (
        DeltaTable.forPath(spark, gold_path)
        .alias("t")
        .merge(
            features.alias("s"),
            "t.device_id = s.device_id AND t.minute = s.minute AND t.metric = s.metric",
        )
        .whenMatchedUpdateAll()
        .whenNotMatchedInsertAll()
        .execute()
    )


def merge_alerts(spark: SparkSession, alerts_path: str, rows: DataFrame) -> None:
    """Inserts the alert transitions whose (alert_id, state) the table does not have yet."""
    (
        DeltaTable.forPath(spark, alerts_path)
        .alias("t")
        .merge(rows.alias("s"), "t.alert_id = s.alert_id AND t.state = s.state")
        .whenNotMatchedInsertAll()
        .execute()
    )
