import { Testing } from 'cdktf';
import { Construct } from 'constructs';
import { apiPolicyXml, validateApiPolicy } from './api-policy';
import type { ApiPolicyOptions } from './api-policy';

/** Tag balance and escaping: what API Management's XML parser refuses first. */
function expectWellFormed(xml: string): void {
  const stack: string[] = [];
  for (const m of xml.matchAll(/<(\/?)([a-z-]+)((?:\s+[a-z-]+="[^"<]*")*)\s*(\/?)>/g)) {
    const [, close, name, , selfClose] = m;
    if (selfClose) continue;
    if (close) expect(stack.pop()).toBe(name);
    else stack.push(name);
  }
  expect(stack).toEqual([]);
  // every & starts an entity; no stray angle bracket inside an attribute
  expect(xml).not.toMatch(/&(?!amp;|quot;|lt;|gt;)/);
  const text = xml.replace(/<[^>]*>/g, '');
  expect(text).not.toMatch(/[<>]/);
}

const full: ApiPolicyOptions = {
  rateLimit: { calls: 600, periodSeconds: 60 },
  quota: { calls: 5_000_000, periodSeconds: 86_400 },
  maxRequestBodyBytes: 1_048_576,
  entraJwt: {
    tenantId: '11111111-2222-3333-4444-555555555555',
    audiences: ['api://iot-ingest'],
    requiredRoles: ['Telemetry.Write'],
  },
  retry: {},
};

describe('apiPolicyXml', () => {
  it('routes to the backend by id and otherwise inherits everything', () => {
    const xml = apiPolicyXml('ingest');
    expectWellFormed(xml);
    expect(xml).toContain('<set-backend-service backend-id="ingest" />');
    expect(xml).toMatch(/<backend>\s*<base \/>\s*<\/backend>/);
    expect(xml).not.toMatch(/rate-limit|quota|validate-|retry/);
  });

  it('limits rate and quota per subscription, not per gateway', () => {
    const xml = apiPolicyXml('ingest', full);
    expectWellFormed(xml);
    expect(xml).toContain(
      '<rate-limit-by-key calls="600" renewal-period="60" counter-key="@(context.Subscription.Id)" />',
    );
    expect(xml).toContain(
      '<quota-by-key calls="5000000" renewal-period="86400" counter-key="@(context.Subscription.Id)" />',
    );
  });

  it("refuses bodies declared over the limit at the edge with 413 and the backend's message", () => {
    const xml = apiPolicyXml('ingest', { maxRequestBodyBytes: 1_048_576 });
    expectWellFormed(xml);
    expect(xml).toContain(
      '<when condition="@(long.Parse(context.Request.Headers.GetValueOrDefault(&quot;Content-Length&quot;, &quot;0&quot;)) &gt; 1048576)">',
    );
    expect(xml).toContain('<set-status code="413" reason="Payload Too Large" />');
    expect(xml).toContain(
      '<set-body>{"error":"request body exceeds the limit of 1048576 bytes; split the batch"}</set-body>',
    );
    // validate-content caps max-size at 100 KB unless support raises it
    expect(xml).not.toContain('validate-content');
  });

  it('checks the entra token before spending rate limit, and before routing', () => {
    const xml = apiPolicyXml('ingest', full);
    const order = [
      '<validate-jwt',
      '<rate-limit-by-key',
      '<quota-by-key',
      '<choose>',
      '<set-backend-service',
    ].map((t) => xml.indexOf(t));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(xml).toContain(
      '<openid-config url="https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555/v2.0/.well-known/openid-configuration" />',
    );
    expect(xml).toContain('<audience>api://iot-ingest</audience>');
    expect(xml).toMatch(/<claim name="roles" match="any">\s*<value>Telemetry.Write<\/value>/);
    expect(xml).toContain('require-signed-tokens="true"');
  });

  it('retries only transient statuses, buffering the body so the retry resends it', () => {
    const xml = apiPolicyXml('ingest', { retry: {} });
    expectWellFormed(xml);
    expect(xml).toContain(
      '<retry condition="@(context.Response != null &amp;&amp; (context.Response.StatusCode == 502 || context.Response.StatusCode == 503 || context.Response.StatusCode == 504))" count="2" interval="1" first-fast-retry="false">',
    );
    expect(xml).toContain('<forward-request buffer-request-body="true" timeout="20" />');
    expect(xml).not.toMatch(/<backend>\s*<base \/>/);
  });

  it('escapes values it writes into attributes and elements', () => {
    const xml = apiPolicyXml('a"b', {
      entraJwt: { tenantId: 't', audiences: ['x<y&z'] },
    });
    expectWellFormed(xml);
    expect(xml).toContain('backend-id="a&quot;b"');
    expect(xml).toContain('<audience>x&lt;y&amp;z</audience>');
  });
});

describe('validateApiPolicy', () => {
  const scope = () => new Construct(Testing.app(), 'Scope');
  it('accepts the full pipeline', () => {
    expect(() => validateApiPolicy(scope(), 'policy', full)).not.toThrow();
  });

  it.each<[string, ApiPolicyOptions, RegExp]>([
    [
      'rate window',
      { rateLimit: { calls: 1, periodSeconds: 301 } },
      /policy.rateLimit.periodSeconds 301: allowed is an integer from 1 to 300/,
    ],
    ['quota calls', { quota: { calls: 0, periodSeconds: 60 } }, /policy.quota.calls 0/],
    [
      'size',
      { maxRequestBodyBytes: 65 * 1024 * 1024 },
      /policy.maxRequestBodyBytes 68157440: allowed is an integer from 1 to 67108864 bytes/,
    ],
    [
      'retry status',
      { retry: { statusCodes: [429] } },
      /policy.retry.statusCodes\[0\] 429: .*server errors only/,
    ],
    [
      'retry statuses',
      { retry: { statusCodes: [] } },
      /policy.retry.statusCodes \[\]: at least one status/,
    ],
    [
      'tenant',
      { entraJwt: { tenantId: 'contoso', audiences: ['a'] } },
      /policy.entraJwt.tenantId "contoso": a tenant id/,
    ],
    [
      'audiences',
      { entraJwt: { tenantId: '11111111-2222-3333-4444-555555555555', audiences: [] } },
      /policy.entraJwt.audiences \[\]: at least one audience/,
    ],
  ])('rejects a bad %s', (_what, options, message) => {
    expect(() => validateApiPolicy(scope(), 'policy', options)).toThrow(message);
  });
});
