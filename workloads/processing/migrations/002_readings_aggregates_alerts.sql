-- Reading ids already folded into the aggregates. The aggregate upsert only counts readings
-- this insert reports as new, so a reading delivered twice (Kafka redelivery, or analysis
-- publishing it again after its own restart) is counted once. Partitioned by day so retention
-- is a DROP TABLE; keep it longer than the topics' retention (see ADR 0004).
CREATE TABLE processed_readings (
  reading_id text        NOT NULL,
  ts         timestamptz NOT NULL,
  device_id  text        NOT NULL,
  PRIMARY KEY (reading_id, ts)
) PARTITION BY RANGE (ts);
CREATE TABLE processed_readings_default PARTITION OF processed_readings DEFAULT;

-- Per device, metric and minute (UTC). "last" is the value of the latest reading by
-- (ts, reading id), so it does not depend on arrival order.
CREATE TABLE metric_minute (
  device_id       text             NOT NULL,
  metric          text             NOT NULL,
  minute          timestamptz      NOT NULL,
  count           bigint           NOT NULL,
  sum             double precision NOT NULL,
  sumsq           double precision NOT NULL,
  min             double precision NOT NULL,
  max             double precision NOT NULL,
  last            double precision NOT NULL,
  last_ts         timestamptz      NOT NULL,
  last_reading_id text             NOT NULL,
  anomalous_count bigint           NOT NULL DEFAULT 0,
  updated_at      timestamptz      NOT NULL DEFAULT now(),
  PRIMARY KEY (device_id, metric, minute)
) PARTITION BY RANGE (minute);
CREATE TABLE metric_minute_default PARTITION OF metric_minute DEFAULT;

-- One row per alert transition; (alert_id, state) is the dedupe key of the contract and ts is
-- fixed by it, so the primary key can carry the partition column without weakening it.
-- notified_at is the outbox mark: set once the notification is on the Redis stream.
CREATE TABLE alerts (
  alert_id      text             NOT NULL,
  state         text             NOT NULL CHECK (state IN ('open', 'resolved')),
  device_id     text             NOT NULL,
  rule          text             NOT NULL,
  metric        text             NOT NULL,
  severity      text             NOT NULL CHECK (severity IN ('warning', 'critical')),
  value         double precision NOT NULL,
  threshold     double precision,
  score         double precision NOT NULL,
  episode_start timestamptz      NOT NULL,
  ts            timestamptz      NOT NULL,
  reading_id    text             NOT NULL,
  message       text             NOT NULL,
  received_at   timestamptz      NOT NULL DEFAULT now(),
  notified_at   timestamptz,
  PRIMARY KEY (alert_id, state, ts)
) PARTITION BY RANGE (ts);
CREATE TABLE alerts_default PARTITION OF alerts DEFAULT;
CREATE INDEX alerts_ts_idx ON alerts (ts DESC);
CREATE INDEX alerts_device_ts_idx ON alerts (device_id, ts DESC);
CREATE INDEX alerts_unnotified_idx ON alerts (received_at) WHERE notified_at IS NULL;

-- Latest state per device: the PostgreSQL fallback behind the Redis cache the dashboard reads.
CREATE TABLE devices (
  device_id   text             PRIMARY KEY,
  last_ts     timestamptz      NOT NULL,
  reading_id  text             NOT NULL,
  metrics     jsonb            NOT NULL,
  score       double precision NOT NULL,
  anomalous   boolean          NOT NULL,
  updated_at  timestamptz      NOT NULL DEFAULT now()
);
CREATE INDEX devices_last_ts_idx ON devices (last_ts DESC);

-- Messages processing could not parse, kept in the same transaction as the offsets that
-- skip them, so a poison message is neither retried forever nor silently dropped.
CREATE TABLE processing_rejects (
  id          bigserial   PRIMARY KEY,
  topic       text        NOT NULL,
  partition   integer     NOT NULL,
  "offset"    bigint      NOT NULL,
  reason      text        NOT NULL,
  key         text,
  value       text,
  at          timestamptz NOT NULL DEFAULT now(),
  UNIQUE (topic, partition, "offset")
);
