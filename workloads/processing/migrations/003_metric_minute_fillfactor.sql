-- Every batch that carries readings of a minute updates that minute's metric_minute rows, in
-- place of the old version. With free space left on each page, PostgreSQL can make those updates
-- HOT (heap-only tuples: the new version goes on the same page, no new entry in the primary key's
-- index, dead versions pruned on the page without VACUUM), since no indexed column changes. A
-- partitioned table has no storage of its own, so the fillfactor is set on its partitions: the
-- default one and every day partition that exists; iot_ensure_day_partition below gives each new
-- partition the default partition's storage parameters. Existing pages keep their rows; the
-- setting applies to pages filled from now on. See ADR 0021.
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN
    SELECT c.relname
      FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'metric_minute'::regclass
  LOOP
    EXECUTE format('ALTER TABLE %I SET (fillfactor = 70)', r.relname);
  END LOOP;
END
$$;

-- As in 001, plus: a new partition gets the storage parameters (reloptions, e.g. fillfactor) of
-- the parent's default partition before any row goes in.
CREATE OR REPLACE FUNCTION iot_ensure_day_partition(parent text, key_column text, day date)
RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
  part text := format('%s_p%s', parent, to_char(day, 'YYYYMMDD'));
  def  text := parent || '_default';
  lo   timestamptz := (day::timestamp AT TIME ZONE 'UTC');
  hi   timestamptz := ((day + 1)::timestamp AT TIME ZONE 'UTC');
  opts text[];
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
  SELECT reloptions INTO opts FROM pg_class WHERE oid = def::regclass;
  IF opts IS NOT NULL THEN
    EXECUTE format('ALTER TABLE %I SET (%s)', part, array_to_string(opts, ', '));
  END IF;
  EXECUTE format(
    'WITH moved AS (DELETE FROM %I WHERE %I >= $1 AND %I < $2 RETURNING *) INSERT INTO %I SELECT * FROM moved',
    def, key_column, key_column, part
  ) USING lo, hi;
  EXECUTE format('ALTER TABLE %I ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', parent, part, lo, hi);
  RETURN true;
END
$$;
