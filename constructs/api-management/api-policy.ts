import type { IConstruct } from 'constructs';
import { ValidationError, isUnresolved, validateRange } from '../core';

/** A call budget per subscription: `calls` in each window of `periodSeconds`. */
export interface CallBudget {
  /** Calls allowed in one window. */
  readonly calls: number;
  /** Length of the window in seconds. */
  readonly periodSeconds: number;
}

/** Retries of the forwarded request when the backend answers with a retryable status. */
export interface BackendRetryOptions {
  /**
   * Retries after the first attempt.
   * @default 2
   */
  readonly count?: number;
  /**
   * Seconds between attempts (the first retry waits this long too).
   * @default 1
   */
  readonly intervalSeconds?: number;
  /**
   * Backend statuses that are retried. Only retry what the backend documents as "nothing was
   * done, retry": a retried request must be idempotent.
   * @default [502, 503, 504]
   */
  readonly statusCodes?: number[];
  /**
   * Seconds APIM waits for the backend on each attempt.
   * @default 20
   */
  readonly timeoutSeconds?: number;
}

/**
 * Microsoft Entra ID tokens required on top of the subscription key (`validate-jwt` against the
 * tenant's OpenID configuration). For devices with an Entra identity (client credentials).
 */
export interface EntraJwtOptions {
  /** Tenant id (GUID) that issues the tokens. */
  readonly tenantId: string;
  /** Accepted `aud` values, e.g. `api://iot-ingest` or the API app's client id. */
  readonly audiences: string[];
  /**
   * App roles (`roles` claim) of which the token needs at least one, e.g. `Telemetry.Write`.
   * @default - any token for the audience from the tenant
   */
  readonly requiredRoles?: string[];
}

/** The request pipeline of an API, rendered by {@link apiPolicyXml}. */
export interface ApiPolicyOptions {
  /**
   * Short-term rate limit per subscription (`rate-limit-by-key` keyed on the subscription id):
   * a subscription over it gets 429 with `Retry-After`.
   * @default - no rate limit
   */
  readonly rateLimit?: CallBudget;
  /**
   * Long-term quota per subscription (`quota-by-key` keyed on the subscription id): over it,
   * 403 until the window renews.
   * @default - no quota
   */
  readonly quota?: CallBudget;
  /**
   * Largest request body accepted, in bytes: a request whose `Content-Length` is larger gets 413
   * at the gateway, before it crosses the network. Set it to the backend's own limit, which
   * stays the fence for bodies sent without a length (chunked). `validate-content` is not used:
   * its `max-size` is capped at 100 KB unless support raises it.
   * @default - no size check at the gateway
   */
  readonly maxRequestBodyBytes?: number;
  /**
   * Require a Microsoft Entra token as well as the subscription key.
   * @default - subscription key only
   */
  readonly entraJwt?: EntraJwtOptions;
  /**
   * Retry the forwarded request on transient backend answers.
   * @default - no retries
   */
  readonly retry?: BackendRetryOptions;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_BODY_BYTES = 64 * 1024 * 1024;
const ONE_YEAR_SECONDS = 365 * 24 * 3600;

function xmlAttr(value: string | number): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** Checks the options; throws a {@link ValidationError} naming `at`.<prop> on the first bad one. */
export function validateApiPolicy(scope: IConstruct, at: string, o: ApiPolicyOptions): void {
  const budget = (name: string, b: CallBudget | undefined, maxPeriod: number) => {
    if (!b) return;
    validateRange(scope, `${at}.${name}.calls`, b.calls, 1, 2_000_000_000);
    validateRange(scope, `${at}.${name}.periodSeconds`, b.periodSeconds, 1, maxPeriod, {
      unit: 'seconds',
    });
  };
  budget('rateLimit', o.rateLimit, 300);
  budget('quota', o.quota, ONE_YEAR_SECONDS);
  validateRange(scope, `${at}.maxRequestBodyBytes`, o.maxRequestBodyBytes, 1, MAX_BODY_BYTES, {
    unit: 'bytes',
  });
  if (o.retry) {
    validateRange(scope, `${at}.retry.count`, o.retry.count, 1, 10);
    validateRange(scope, `${at}.retry.intervalSeconds`, o.retry.intervalSeconds, 1, 30, {
      unit: 'seconds',
    });
    validateRange(scope, `${at}.retry.timeoutSeconds`, o.retry.timeoutSeconds, 1, 240, {
      unit: 'seconds',
    });
    const codes = o.retry.statusCodes ?? [];
    if (o.retry.statusCodes !== undefined && codes.length === 0) {
      throw new ValidationError(scope, `${at}.retry.statusCodes`, codes, 'at least one status');
    }
    codes.forEach((c, i) => {
      validateRange(scope, `${at}.retry.statusCodes[${i}]`, c, 500, 599, {
        unit: '(server errors only: a 4xx repeats identically)',
      });
    });
  }
  const jwt = o.entraJwt;
  if (jwt) {
    if (!isUnresolved(jwt.tenantId) && !GUID.test(jwt.tenantId)) {
      throw new ValidationError(
        scope,
        `${at}.entraJwt.tenantId`,
        jwt.tenantId,
        'a tenant id (guid)',
      );
    }
    if (jwt.audiences.length === 0) {
      throw new ValidationError(
        scope,
        `${at}.entraJwt.audiences`,
        jwt.audiences,
        'at least one audience: a token for any audience would be accepted otherwise',
      );
    }
    [...jwt.audiences, ...(jwt.requiredRoles ?? [])].forEach((v) => {
      if (!isUnresolved(v) && !/^[\w.:/-]{1,256}$/.test(v)) {
        throw new ValidationError(
          scope,
          `${at}.entraJwt`,
          v,
          'audiences and roles of letters, digits and . _ : / -',
        );
      }
    });
  }
}

/**
 * The policy document of an API: inbound checks in the order that rejects cheapest first
 * (token, then rate limit, then quota, then size), the backend picked by id, and the forward
 * wrapped in a retry when asked. Pure: tests read the XML it returns.
 */
export function apiPolicyXml(backendId: string | undefined, o: ApiPolicyOptions = {}): string {
  const inbound: string[] = ['<base />'];
  const jwt = o.entraJwt;
  if (jwt) {
    const login = `https://login.microsoftonline.com/${xmlAttr(jwt.tenantId)}`;
    inbound.push(
      '<validate-jwt header-name="Authorization" require-scheme="Bearer" failed-validation-httpcode="401" failed-validation-error-message="a valid Microsoft Entra bearer token is required" require-expiration-time="true" require-signed-tokens="true">',
      `  <openid-config url="${login}/v2.0/.well-known/openid-configuration" />`,
      '  <audiences>',
      ...jwt.audiences.map((a) => `    <audience>${xmlAttr(a)}</audience>`),
      '  </audiences>',
      '  <issuers>',
      `    <issuer>${login}/v2.0</issuer>`,
      `    <issuer>https://sts.windows.net/${xmlAttr(jwt.tenantId)}/</issuer>`,
      '  </issuers>',
      ...(jwt.requiredRoles && jwt.requiredRoles.length > 0
        ? [
            '  <required-claims>',
            '    <claim name="roles" match="any">',
            ...jwt.requiredRoles.map((r) => `      <value>${xmlAttr(r)}</value>`),
            '    </claim>',
            '  </required-claims>',
          ]
        : []),
      '</validate-jwt>',
    );
  }
  if (o.rateLimit) {
    inbound.push(
      `<rate-limit-by-key calls="${o.rateLimit.calls}" renewal-period="${o.rateLimit.periodSeconds}" counter-key="@(context.Subscription.Id)" />`,
    );
  }
  if (o.quota) {
    inbound.push(
      `<quota-by-key calls="${o.quota.calls}" renewal-period="${o.quota.periodSeconds}" counter-key="@(context.Subscription.Id)" />`,
    );
  }
  if (o.maxRequestBodyBytes !== undefined) {
    // The declared length, before the body is read; content types are the backend's to judge.
    const max = o.maxRequestBodyBytes;
    inbound.push(
      '<choose>',
      `  <when condition="@(long.Parse(context.Request.Headers.GetValueOrDefault(&quot;Content-Length&quot;, &quot;0&quot;)) &gt; ${max})">`,
      '    <return-response>',
      '      <set-status code="413" reason="Payload Too Large" />',
      '      <set-header name="Content-Type" exists-action="override">',
      '        <value>application/json</value>',
      '      </set-header>',
      `      <set-body>{"error":"request body exceeds the limit of ${max} bytes; split the batch"}</set-body>`,
      '    </return-response>',
      '  </when>',
      '</choose>',
    );
  }
  if (backendId !== undefined)
    inbound.push(`<set-backend-service backend-id="${xmlAttr(backendId)}" />`);

  const backend: string[] = [];
  if (o.retry) {
    const codes = o.retry.statusCodes ?? [502, 503, 504];
    const condition = codes.map((c) => `context.Response.StatusCode == ${c}`).join(' || ');
    backend.push(
      `<retry condition="@(context.Response != null &amp;&amp; (${condition.replace(/&/g, '&amp;')}))" count="${o.retry.count ?? 2}" interval="${o.retry.intervalSeconds ?? 1}" first-fast-retry="false">`,
      `  <forward-request buffer-request-body="true" timeout="${o.retry.timeoutSeconds ?? 20}" />`,
      '</retry>',
    );
  } else {
    backend.push('<base />');
  }

  const section = (name: string, lines: string[]) => [
    `  <${name}>`,
    ...lines.map((l) => `    ${l}`),
    `  </${name}>`,
  ];
  return [
    '<policies>',
    ...section('inbound', inbound),
    ...section('backend', backend),
    ...section('outbound', ['<base />']),
    ...section('on-error', ['<base />']),
    '</policies>',
  ].join('\n');
}
