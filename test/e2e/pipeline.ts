import { freshDatabase, redisDb, uniqueSuffix } from './fixtures';
import { startService } from './services';
import type { ServiceHandle, StartServiceOptions } from './services';

/** The four workloads running as child processes against the engines. */
export interface Pipeline {
  readonly ingest: ServiceHandle;
  readonly analysis: ServiceHandle;
  readonly processing: ServiceHandle;
  readonly web: ServiceHandle;
  /** The PostgreSQL database processing and web share (fresh for this pipeline). */
  readonly databaseUrl: string;
  /** The Redis URL (with its own logical database) processing and web share. */
  readonly redisUrl: string;
  /** Stops every service (SIGTERM) and drops the database. */
  stop(): Promise<void>;
}

/** Options of {@link startPipeline}. */
export interface PipelineOptions {
  /** Folder for the services' logs. */
  readonly logDir: string;
  /** Redis logical database (0-15) so two pipelines in one run don't read each other's keys. */
  readonly redisDb: number;
  /** Extra environment per service. */
  readonly env?: Partial<
    Record<'ingest' | 'analysis' | 'processing' | 'web', Record<string, string>>
  >;
  /** Run the compiled services (see {@link StartServiceOptions.compiled}). @default - tsx */
  readonly compiled?: StartServiceOptions['compiled'];
}

/**
 * Starts ingest → analysis → processing → web on the engines, isolated from other pipelines in
 * the same run: own consumer groups (every group reads the contract topics whole), own
 * PostgreSQL database, own Redis database. Shared topics are harmless: sinks dedupe by id.
 */
export async function startPipeline(options: PipelineOptions): Promise<Pipeline> {
  const suffix = uniqueSuffix();
  const db = await freshDatabase('pipeline');
  const redisUrl = redisDb(options.redisDb);
  const kafka = { KAFKA_BROKERS: process.env.KAFKA_BROKERS as string };
  const started: ServiceHandle[] = [];
  const start = async (
    name: 'ingest' | 'analysis' | 'processing' | 'web',
    env: Record<string, string>,
  ) => {
    const s = await startService(
      name,
      { ...env, ...options.env?.[name] },
      { logDir: options.logDir, compiled: options.compiled },
    );
    started.push(s);
    return s;
  };
  // allSettled, not all: when one service fails to start, the others may still be starting,
  // and each must be stopped once it is up rather than left running.
  const results = await Promise.allSettled([
    start('ingest', {
      ...kafka,
      COSMOS_ENDPOINT: process.env.COSMOS_ENDPOINT as string,
      COSMOS_KEY: process.env.COSMOS_KEY as string,
      COSMOS_CREATE_IF_MISSING: 'true',
    }),
    start('analysis', { ...kafka, CONSUMER_GROUP: `analysis-${suffix}` }),
    start('processing', {
      ...kafka,
      KAFKA_GROUP_ID: `processing-${suffix}`,
      DATABASE_URL: db.url,
      REDIS_URL: redisUrl,
    }),
    start('web', { DATABASE_URL: db.url, REDIS_URL: redisUrl }),
  ]);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await Promise.all(started.map((s) => s.stop()));
    await db.drop();
    throw failed.reason;
  }
  const [ingest, analysis, processing, web] = results.map(
    (r) => (r as PromiseFulfilledResult<ServiceHandle>).value,
  );
  return {
    ingest,
    analysis,
    processing,
    web,
    databaseUrl: db.url,
    redisUrl,
    stop: async () => {
      await Promise.all(started.map((s) => s.stop()));
      await db.drop();
    },
  };
}

/** Posts readings to ingest as a JSON array; returns the status and body. */
export async function postReadings(
  ingestUrl: string,
  readings: ReadonlyArray<{
    deviceId: string;
    ts: string;
    seq?: number;
    metrics: Record<string, number>;
  }>,
): Promise<{ status: number; body: { accepted?: number; rejected?: number } }> {
  const res = await fetch(`${ingestUrl}/v1/telemetry`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(readings),
  });
  return {
    status: res.status,
    body: (await res.json()) as { accepted?: number; rejected?: number },
  };
}
