-- Consumed Kafka positions, written in the same transaction as the effects of the messages
-- below them: the database, not Kafka, is the source of truth for "what has been applied".
CREATE TABLE kafka_offsets (
  group_id    text        NOT NULL,
  topic       text        NOT NULL,
  partition   integer     NOT NULL,
  next_offset bigint      NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (group_id, topic, partition)
);

-- Creates the one-day partition [day, day + 1) (UTC) of a table partitioned by range on
-- key_column, moving any rows the default partition already holds for that day into it first,
-- so a late partition never fails on rows that arrived before it existed. Idempotent.
CREATE FUNCTION iot_ensure_day_partition(parent text, key_column text, day date)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  part text := format('%s_p%s', parent, to_char(day, 'YYYYMMDD'));
  def  text := parent || '_default';
  lo   timestamptz := (day::timestamp AT TIME ZONE 'UTC');
  hi   timestamptz := ((day + 1)::timestamp AT TIME ZONE 'UTC');
BEGIN
  IF to_regclass(part) IS NOT NULL THEN
    RETURN false;
  END IF;
  -- Parent first, then default: the same order inserts take, so this cannot deadlock them.
  EXECUTE format('LOCK TABLE %I IN SHARE UPDATE EXCLUSIVE MODE', parent);
  EXECUTE format('LOCK TABLE %I IN ACCESS EXCLUSIVE MODE', def);
  IF to_regclass(part) IS NOT NULL THEN
    RETURN false;
  END IF;
  EXECUTE format('CREATE TABLE %I (LIKE %I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', part, parent);
  EXECUTE format(
    'WITH moved AS (DELETE FROM %I WHERE %I >= $1 AND %I < $2 RETURNING *) INSERT INTO %I SELECT * FROM moved',
    def, key_column, key_column, part
  ) USING lo, hi;
  EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', parent, part, lo, hi);
  RETURN true;
END
$$;

-- Drops whole day partitions that end on or before the cutoff (retention); never the default.
CREATE FUNCTION iot_drop_day_partitions_before(parent text, cutoff date)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  r record;
  dropped integer := 0;
BEGIN
  FOR r IN
    SELECT c.relname
      FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = parent::regclass
       AND c.relname ~ ('^' || parent || '_p[0-9]{8}$')
       AND to_date(right(c.relname, 8), 'YYYYMMDD') < cutoff
  LOOP
    EXECUTE format('DROP TABLE %I', r.relname);
    dropped := dropped + 1;
  END LOOP;
  RETURN dropped;
END
$$;
