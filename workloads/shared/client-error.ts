/** A request error the client caused: the status to answer with and a message safe to show. */
export interface ClientError {
  readonly status: number;
  readonly message: string;
}

/**
 * The 4xx an error thrown while serving a request stands for, or undefined for a failure on our
 * side. A URIError is a path that is not valid percent-encoding (`/api/devices/%ZZ/latest`: the
 * router's parameter decoding throws it); body parsers, express.static and http-errors carry
 * their own 4xx `status`. Both express apps' error handlers start here, so bad input is a 4xx
 * naming what is wrong, never a 500.
 */
export function clientError(err: unknown): ClientError | undefined {
  if (err instanceof URIError) {
    return { status: 400, message: `malformed percent-encoding in the URL: ${err.message}` };
  }
  const status = (err as { status?: unknown } | null)?.status;
  if (typeof status === 'number' && Number.isInteger(status) && status >= 400 && status < 500) {
    return { status, message: err instanceof Error ? err.message : 'bad request' };
  }
  return undefined;
}
