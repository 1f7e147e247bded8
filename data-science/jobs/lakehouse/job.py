"""The streaming queries and their lifecycle. Three queries, each with its own checkpoint:

  Kafka (readings + alerts topics) --bronze--> bronze (Delta append; exactly once by the Delta
                                               sink's checkpointed batch ids)
  bronze, readings topic ----------silver---> silver (insert-only MERGE by reading_id), then gold
                                               (recompute touched device-minutes, MERGE)
  bronze, alerts topic ------------alerts---> alerts (insert-only MERGE by alert_id + state)

With an interval trigger all three run until the job is stopped; with available-now, bronze runs
first and the other two then drain bronze, so one run moves everything that was in Kafka at its
start all the way to gold."""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from datetime import UTC, datetime

from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming import StreamingQuery, StreamingQueryListener

from .settings import Settings, kafka_source_options, redacted
from .tables import ensure_tables, merge_alerts, merge_silver, refresh_gold
from .transforms import parse_alerts, parse_readings, to_bronze


def log(event: str, **fields) -> None:
    """One JSON line on stdout (the job's own log; Spark's log4j goes to stderr)."""
    line = {"time": datetime.now(UTC).isoformat(), "event": event, **fields}
    print(json.dumps(line, default=str), flush=True)


class _ProgressLog(StreamingQueryListener):
    """A `batch` line per finished micro-batch: which stream, its batch id and input rows. The
    line is written after the batch's commit to the checkpoint."""

    def onQueryStarted(self, event):
        log("stream-started", stream=event.name, id=str(event.id), run=str(event.runId))

    def onQueryProgress(self, event):
        p = event.progress
        log(
            "batch",
            stream=p.name,
            batch=p.batchId,
            input_rows=p.numInputRows,
            duration_ms=p.durationMs.get("triggerExecution"),
        )

    def onQueryIdle(self, event):
        pass

    def onQueryTerminated(self, event):
        log("stream-terminated", stream=str(event.id), error=event.exception)


def _on_databricks() -> bool:
    return "DATABRICKS_RUNTIME_VERSION" in os.environ


def _writer(stream: DataFrame, name: str, settings: Settings):
    writer = stream.writeStream.queryName(name).option(
        "checkpointLocation", settings.checkpoint(name)
    )
    if settings.trigger.available_now:
        return writer.trigger(availableNow=True)
    return writer.trigger(processingTime=settings.trigger.interval)


def start_bronze(spark: SparkSession, settings: Settings) -> StreamingQuery:
    options = kafka_source_options(settings, "kafkashaded." if _on_databricks() else "")
    log("kafka-source", mode=settings.kafka_mode, options=redacted(options))
    source = spark.readStream.format("kafka").options(**options).load()
    return (
        _writer(to_bronze(source), "bronze", settings)
        .format("delta")
        .outputMode("append")
        .start(settings.table_path("bronze"))
    )


def _bronze_of(spark: SparkSession, settings: Settings, topic: str) -> DataFrame:
    return (
        spark.readStream.format("delta")
        .load(settings.table_path("bronze"))
        .where(F.col("topic") == topic)
    )


def start_silver(spark: SparkSession, settings: Settings) -> StreamingQuery:
    silver_path = settings.table_path("silver")
    gold_path = settings.table_path("gold")

    def upsert(batch: DataFrame, batch_id: int) -> None:
        rows = parse_readings(batch).persist()
        try:
            merge_silver(batch.sparkSession, silver_path, rows)
            refresh_gold(batch.sparkSession, silver_path, gold_path, rows)
        finally:
            rows.unpersist()

    source = _bronze_of(spark, settings, settings.readings_topic)
    return _writer(source, "silver", settings).foreachBatch(upsert).start()


def start_alerts(spark: SparkSession, settings: Settings) -> StreamingQuery:
    alerts_path = settings.table_path("alerts")

    def upsert(batch: DataFrame, batch_id: int) -> None:
        merge_alerts(batch.sparkSession, alerts_path, parse_alerts(batch))

    source = _bronze_of(spark, settings, settings.alerts_topic)
    return _writer(source, "alerts", settings).foreachBatch(upsert).start()


def _await_all(spark: SparkSession, queries: list, stop: threading.Event) -> bool:
    """Waits until every query ended (available-now) or `stop` is set (a signal). Returns False
    when a query failed; on stop, stops the rest."""
    while True:
        failed = [q for q in queries if not q.isActive and q.exception() is not None]
        if failed:
            for q in failed:
                log("stream-failed", stream=q.name, error=str(q.exception()))
            for q in queries:
                if q.isActive:
                    q.stop()
            return False
        if all(not q.isActive for q in queries):
            return True
        if stop.is_set():
            for q in queries:
                if q.isActive:
                    q.stop()
            return True
        time.sleep(0.5)


def run(spark: SparkSession, settings: Settings) -> int:
    """Runs the job to completion (available-now) or until SIGTERM/SIGINT. Returns the exit code."""
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    spark.streams.addListener(_ProgressLog())
    stop = threading.Event()

    def on_signal(signum, _frame):
        log("signal", signal=signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    ensure_tables(spark, settings.table_path)
    log(
        "start",
        pid=os.getpid(),
        lakehouse=settings.lakehouse_path,
        checkpoints=settings.checkpoint_path,
        trigger="available-now" if settings.trigger.available_now else settings.trigger.interval,
        topics=[settings.readings_topic, settings.alerts_topic],
    )
    started = time.monotonic()
    if settings.trigger.available_now:
        ok = _await_all(spark, [start_bronze(spark, settings)], stop)
        if ok and not stop.is_set():
            ok = _await_all(
                spark, [start_silver(spark, settings), start_alerts(spark, settings)], stop
            )
    else:
        queries = [
            start_bronze(spark, settings),
            start_silver(spark, settings),
            start_alerts(spark, settings),
        ]
        ok = _await_all(spark, queries, stop)
    log("stop", ok=ok, seconds=round(time.monotonic() - started, 3))
    return 0 if ok else 1


def main(argv: list, env: dict) -> int:
    from .settings import SettingsError, parse_settings

    try:
        settings = parse_settings(argv, env)
    except SettingsError as e:
        for problem in e.problems:
            log("bad-parameter", problem=problem)
        return 2
    spark = SparkSession.builder.appName("telemetry-lakehouse").getOrCreate()
    spark.sparkContext.setLogLevel("WARN")
    try:
        return run(spark, settings)
    except Exception as e:  # the reason, as one line, before Spark's stack trace on stderr
        log("failed", error=f"{type(e).__name__}: {e}")
        raise
    finally:
        sys.stdout.flush()
