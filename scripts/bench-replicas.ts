/**
 * How many ingest processes the ingest and concurrency benchmarks start (`--replicas N`): by
 * default as many as the dev environment deploys behind its Kubernetes Service
 * (stacks/environments/dev.ts, `workloads.ingest.replicas`), so the figures describe the
 * deployed shape; `--replicas 1` (or a variant with `REPLICAS=1`) measures one process.
 */
import { dev } from '../stacks/environments/dev';

/** The dev environment's ingest replica count (2 today). */
export const DEV_INGEST_REPLICAS: number = dev.workloads.ingest.replicas;

/**
 * A replica count from the command line or a variant; `fallback` when absent.
 * @throws Error unless an integer from 1 to 16 (the machine has 2 cores).
 */
export function parseReplicas(value: string | undefined, fallback = DEV_INGEST_REPLICAS): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 16)
    throw new Error(`--replicas must be an integer from 1 to 16, not ${JSON.stringify(value)}`);
  return n;
}
