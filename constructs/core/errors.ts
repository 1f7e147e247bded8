import type { IConstruct } from 'constructs';

/**
 * The one error type constructs throw for bad props. It carries the construct path, the prop,
 * the value received and what is allowed, so a failing `cdktf synth` points straight at the
 * line to fix.
 */
export class ValidationError extends Error {
  /** Path of the construct that rejected the value, e.g. `dev/platform/KeyVault`. */
  public readonly constructPath: string;
  /** Name of the offending prop, dotted for nested props (`systemPool.nodeCount`). */
  public readonly prop: string;
  /** The value received. */
  public readonly value: unknown;
  /** What would have been accepted. */
  public readonly allowed: string;

  /**
   * @param scope the construct that rejects the value, or its path when the construct does
   * not exist yet (a constructor checking its id before `super`)
   */
  constructor(scope: IConstruct | string, prop: string, value: unknown, allowed: string) {
    const path = (typeof scope === 'string' ? scope : scope.node.path) || '<root>';
    super(`${path}: invalid ${prop} ${describe(value)}: ${allowed}`);
    this.name = 'ValidationError';
    this.constructPath = path;
    this.prop = prop;
    this.value = value;
    this.allowed = allowed;
  }
}

function describe(value: unknown): string {
  if (value === undefined) return '(undefined)';
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
