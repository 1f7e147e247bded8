/** One running engine: the environment variables it contributes and how to stop it. */
export interface RunningEngine {
  /** `kafka`, `postgres`, `redis` or `cosmos`. */
  readonly name: string;
  /** Its part of the engine contract (e.g. `{ REDIS_URL: 'redis://127.0.0.1:16379' }`). */
  readonly env: Record<string, string>;
  /** Process id of the engine's process-group leader (for RSS measurements and debugging). */
  readonly pid: number;
  /** The engine's log file. */
  readonly logFile: string;
  /** Stops the engine and waits for it to exit. Idempotent. */
  stop(): Promise<void>;
  /**
   * Stops the engine, runs `whileDown`, and starts it again on the same data and address,
   * resolving once it answers (Kafka only; PostgreSQL and Redis restart by calling their start
   * function again with the same folder and port).
   */
  restart?(whileDown?: () => Promise<void>): Promise<void>;
}

/** What every engine starter gets. */
export interface EngineContext {
  /** A folder this engine may own (data, config, logs); removed by the caller afterwards. */
  readonly dir: string;
  /** The port to listen on, or undefined for any free loopback port. */
  readonly port?: number;
}
