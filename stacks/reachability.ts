/**
 * Who can reach whom, computed from a synthesized stack's Kubernetes NetworkPolicies,
 * CiliumNetworkPolicies (toFQDNs), Istio PeerAuthentications and AuthorizationPolicies, the way
 * the cluster enforces them: a connection needs the source's egress (Kubernetes and Cilium
 * policies add their allows; no policy selecting the pod means no restriction), the
 * destination's ingress, and, into a sidecar, mTLS from a meshed peer when STRICT and an
 * AuthorizationPolicy that names the caller. Pure: it reads `cdk.tf.json`, nothing else.
 *
 * Modelled on purpose: only TCP/UDP ports (no named ports), `match_labels` selectors (what the
 * constructs write), the sidecar's own ports (15020/15021/15090) outside mTLS capture, and
 * Kubernetes ipBlocks matching addresses outside the pod network only (Cilium's behaviour).
 */

type Json = Record<string, unknown>;
type Labels = Record<string, string>;

/** A pod: in a namespace, with labels and the service account it runs as. */
export interface PodEndpoint {
  readonly kind: 'pod';
  readonly namespace: string;
  readonly labels: Labels;
  readonly serviceAccount?: string;
  /**
   * Whether the pod has an Istio proxy (sidecar or gateway) and so a mesh identity.
   * @default - whether its namespace carries `istio.io/rev` in the stack
   */
  readonly sidecar?: boolean;
}

/** An address outside the pod network (a subnet's host, the internet); `host` is its DNS name. */
export interface AddressEndpoint {
  readonly kind: 'address';
  readonly ip: string;
  readonly host?: string;
}

export type Endpoint = PodEndpoint | AddressEndpoint;

/** Where a connection goes. */
export interface Flow {
  readonly from: Endpoint;
  readonly to: Endpoint;
  readonly port: number;
  readonly protocol?: 'TCP' | 'UDP';
}

/** The answer, with the layer that decided it. */
export interface Verdict {
  readonly allowed: boolean;
  readonly reason: string;
}

/** Ports the Istio proxy serves itself, outside inbound capture (metrics, health, Envoy stats). */
const PROXY_OWN_PORTS = new Set([15020, 15021, 15090]);

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A block written as an object or a one-element list. */
const block = (v: unknown): Json | undefined =>
  Array.isArray(v) ? (isObj(v[0]) ? v[0] : undefined) : isObj(v) ? v : undefined;
const blocks = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObj) : isObj(v) ? [v] : []);
const strMap = (v: unknown): Labels => {
  const b = block(v);
  return b ? Object.fromEntries(Object.entries(b).map(([k, x]) => [k, String(x)])) : {};
};
/** An empty field of an AuthorizationPolicy rule constrains nothing. */
const listOrUndefined = (l: string[]) => (l.length > 0 ? l : undefined);
const selects = (selector: Labels | undefined, labels: Labels) =>
  Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v);

function ipToInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`not an IPv4 address: ${ip}`);
  }
  return parts.reduce((a, p) => a * 256 + p, 0);
}
function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const n = Number(bits);
  const size = 2 ** (32 - n);
  const start = Math.floor(ipToInt(base) / size) * size;
  const x = ipToInt(ip);
  return x >= start && x < start + size;
}

interface PortRule {
  readonly port?: string;
  readonly protocol: string;
}
const portMatches = (rules: PortRule[], port: number, protocol: string) =>
  rules.length === 0 ||
  rules.some((r) => r.protocol === protocol && (r.port === undefined || r.port === String(port)));

/** A NetworkPolicy peer, normalised. */
interface K8sPeer {
  readonly cidr?: string;
  readonly except?: string[];
  readonly namespaces?: Labels;
  readonly pods?: Labels;
}
interface K8sRule {
  readonly peers: K8sPeer[] | 'any';
  readonly ports: PortRule[];
}
interface K8sPolicy {
  readonly namespace: string;
  readonly selector: Labels;
  readonly ingress?: K8sRule[];
  readonly egress?: K8sRule[];
}
interface CiliumEgressRule {
  readonly endpoints?: Labels[];
  readonly fqdns?: { name?: string; pattern?: string }[];
  readonly ports: PortRule[];
}
interface CiliumPolicy {
  readonly namespace: string;
  readonly selector: Labels;
  readonly egress: CiliumEgressRule[];
}
interface AuthzRule {
  readonly principals?: string[];
  readonly namespaces?: string[];
  readonly ports?: string[];
}
interface AuthzPolicy {
  readonly namespace: string;
  readonly name: string;
  readonly selector?: Labels;
  readonly action: string;
  readonly rules: AuthzRule[];
}

/** The policies of one synthesized stack. */
export class Reachability {
  private readonly namespaceLabels = new Map<string, Labels>();
  private readonly k8s: K8sPolicy[] = [];
  private readonly cilium: CiliumPolicy[] = [];
  private readonly authz: AuthzPolicy[] = [];
  private readonly strict = new Set<string>();
  private readonly pods = new Map<string, PodEndpoint>();

  constructor(
    stack: Json,
    private readonly dns: ReadonlyMap<string, string> = new Map(),
  ) {
    const resources = (isObj(stack.resource) ? stack.resource : {}) as Record<string, Json>;
    const namespaces = new Map<string, string>();
    for (const [address, r] of Object.entries(resources.kubernetes_namespace_v1 ?? {})) {
      const meta = block((r as Json).metadata) ?? {};
      namespaces.set(address, String(meta.name));
      this.namespaceLabels.set(String(meta.name), strMap(meta.labels));
    }
    const resolve = (v: unknown): string => {
      const s = String(v);
      const m = /^\$\{kubernetes_namespace_v1\.([^.]+)\.metadata\[0\]\.name\}$/.exec(s);
      if (m) {
        const name = namespaces.get(m[1]);
        if (!name) throw new Error(`reference to an unknown namespace: ${s}`);
        return name;
      }
      if (s.includes('${')) throw new Error(`an expression the model cannot read: ${s}`);
      return s;
    };
    const nsOf = (meta: Json | undefined) =>
      meta?.namespace ? resolve(meta.namespace) : 'default';
    const ports = (v: unknown): PortRule[] =>
      blocks(v).map((p) => ({
        port: p.port === undefined ? undefined : resolve(p.port),
        protocol: String(p.protocol ?? 'TCP'),
      }));
    const k8sRules = (v: unknown, key: 'from' | 'to'): K8sRule[] =>
      blocks(v).map((rule) => {
        const peers = blocks(rule[key]);
        return {
          peers:
            peers.length === 0
              ? 'any'
              : peers.map((p) => {
                  const ipb = block(p.ip_block);
                  return {
                    cidr: ipb ? resolve(ipb.cidr) : undefined,
                    except: ipb && Array.isArray(ipb.except) ? ipb.except.map(resolve) : undefined,
                    namespaces:
                      p.namespace_selector !== undefined
                        ? strMap(block(p.namespace_selector)?.match_labels)
                        : undefined,
                    pods:
                      p.pod_selector !== undefined
                        ? strMap(block(p.pod_selector)?.match_labels)
                        : undefined,
                  };
                }),
          ports: ports(rule.ports),
        };
      });

    for (const r of Object.values(resources.kubernetes_network_policy_v1 ?? {}) as Json[]) {
      const spec = block(r.spec) ?? {};
      const types = Array.isArray(spec.policy_types) ? spec.policy_types.map(String) : ['Ingress'];
      this.k8s.push({
        namespace: nsOf(block(r.metadata)),
        selector: strMap(block(spec.pod_selector)?.match_labels),
        ingress: types.includes('Ingress') ? k8sRules(spec.ingress, 'from') : undefined,
        egress: types.includes('Egress') ? k8sRules(spec.egress, 'to') : undefined,
      });
    }
    for (const r of Object.values(resources.kubernetes_deployment_v1 ?? {}) as Json[]) {
      const meta = block(r.metadata) ?? {};
      const template = block(block(r.spec)?.template) ?? {};
      const pod = block(template.spec) ?? {};
      this.pods.set(String(meta.name), {
        kind: 'pod',
        namespace: nsOf(meta),
        labels: strMap(block(template.metadata)?.labels),
        serviceAccount: pod.service_account_name ? String(pod.service_account_name) : 'default',
      });
    }
    for (const r of Object.values(resources.kubernetes_manifest ?? {}) as Json[]) {
      const m = block(r.manifest) ?? {};
      const meta = block(m.metadata) ?? {};
      const spec = block(m.spec) ?? {};
      const namespace = nsOf(meta);
      if (m.kind === 'CiliumNetworkPolicy') {
        this.cilium.push({
          namespace,
          selector: strMap(block(spec.endpointSelector)?.matchLabels),
          egress: blocks(spec.egress).map((e) => ({
            endpoints: e.toEndpoints
              ? blocks(e.toEndpoints).map((x) => strMap(x.matchLabels))
              : undefined,
            fqdns: e.toFQDNs
              ? blocks(e.toFQDNs).map((f) => ({
                  name: f.matchName as string | undefined,
                  pattern: f.matchPattern as string | undefined,
                }))
              : undefined,
            ports: blocks(e.toPorts).flatMap((tp) => ports(tp.ports)),
          })),
        });
      } else if (m.kind === 'PeerAuthentication') {
        const mode = block(spec.mtls)?.mode;
        if (mode === 'STRICT' && spec.selector === undefined) this.strict.add(namespace);
      } else if (m.kind === 'AuthorizationPolicy') {
        this.authz.push({
          namespace,
          name: String(meta.name),
          selector: spec.selector ? strMap(block(spec.selector)?.matchLabels) : undefined,
          action: String(spec.action ?? 'ALLOW'),
          rules: blocks(spec.rules).map((rule) => {
            const source = blocks(rule.from).map((f) => block(f.source) ?? {});
            const op = blocks(rule.to).map((t) => block(t.operation) ?? {});
            return {
              principals: listOrUndefined(source.flatMap((s) => (s.principals as string[]) ?? [])),
              namespaces: listOrUndefined(source.flatMap((s) => (s.namespaces as string[]) ?? [])),
              ports: listOrUndefined(op.flatMap((o) => (o.ports as string[]) ?? [])),
            };
          }),
        });
      }
    }
  }

  /** The pod of a deployment in the stack, by deployment name. */
  pod(name: string): PodEndpoint {
    const p = this.pods.get(name);
    if (!p) throw new Error(`no deployment ${name} in the stack`);
    return p;
  }

  /** Whether `flow` is allowed, and which layer decided. */
  check(flow: Flow): Verdict {
    const protocol = flow.protocol ?? 'TCP';
    const egress = this.egress(flow, protocol);
    if (!egress.allowed) return egress;
    const ingress = this.ingress(flow, protocol);
    if (!ingress.allowed) return ingress;
    return this.mesh(flow);
  }

  private hasSidecar(p: PodEndpoint): boolean {
    return p.sidecar ?? this.namespaceLabels.get(p.namespace)?.['istio.io/rev'] !== undefined;
  }

  private namespaceLabelsOf(ns: string): Labels {
    return { ...(this.namespaceLabels.get(ns) ?? {}), 'kubernetes.io/metadata.name': ns };
  }

  private k8sPeerMatches(peer: K8sPeer, other: Endpoint, self: PodEndpoint): boolean {
    if (peer.cidr !== undefined) {
      return (
        other.kind === 'address' &&
        inCidr(other.ip, peer.cidr) &&
        !(peer.except ?? []).some((e) => inCidr(other.ip, e))
      );
    }
    if (other.kind !== 'pod') return false;
    const nsOk =
      peer.namespaces === undefined
        ? other.namespace === self.namespace
        : selects(peer.namespaces, this.namespaceLabelsOf(other.namespace));
    return nsOk && selects(peer.pods, other.labels);
  }

  private egress(flow: Flow, protocol: string): Verdict {
    const src = flow.from;
    if (src.kind !== 'pod') return { allowed: true, reason: 'source outside the pod network' };
    const k8s = this.k8s.filter(
      (p) => p.egress && p.namespace === src.namespace && selects(p.selector, src.labels),
    );
    const cilium = this.cilium.filter(
      (p) =>
        p.namespace === src.namespace && selects(p.selector, src.labels) && p.egress.length > 0,
    );
    if (k8s.length === 0 && cilium.length === 0) {
      return { allowed: true, reason: 'egress not restricted' };
    }
    for (const p of k8s) {
      for (const rule of p.egress!) {
        const peerOk =
          rule.peers === 'any' ||
          rule.peers.some((peer) => this.k8sPeerMatches(peer, flow.to, src));
        if (peerOk && portMatches(rule.ports, flow.port, protocol)) {
          return { allowed: true, reason: 'egress allowed by a NetworkPolicy' };
        }
      }
    }
    for (const p of cilium) {
      for (const rule of p.egress) {
        if (!portMatches(rule.ports, flow.port, protocol)) continue;
        const to = flow.to;
        if (rule.endpoints && to.kind === 'pod') {
          const labels: Labels = { 'io.kubernetes.pod.namespace': to.namespace, ...to.labels };
          const hit = rule.endpoints.some((sel) =>
            Object.entries(sel).every(([k, v]) => labels[k.replace(/^k8s:/, '')] === v),
          );
          if (hit) return { allowed: true, reason: 'egress allowed by a CiliumNetworkPolicy' };
        }
        if (rule.fqdns && to.kind === 'address' && to.host) {
          const host = to.host.toLowerCase();
          // FQDN allows work on what the pod resolved: the name must resolve to the address.
          const resolved = this.dns.get(host);
          const hit = rule.fqdns.some((f) =>
            f.name !== undefined
              ? f.name === host
              : new RegExp(
                  `^${f
                    .pattern!.split('*')
                    .map((s) => s.replace(/\./g, '\\.'))
                    .join('[a-z0-9-]*')}$`,
                ).test(host),
          );
          if (hit && resolved === to.ip) {
            return {
              allowed: true,
              reason: 'egress allowed by a CiliumNetworkPolicy toFQDNs rule',
            };
          }
        }
      }
    }
    return { allowed: false, reason: 'egress denied: no policy selecting the source allows it' };
  }

  private ingress(flow: Flow, protocol: string): Verdict {
    const dst = flow.to;
    if (dst.kind !== 'pod') return { allowed: true, reason: 'destination outside the pod network' };
    const policies = this.k8s.filter(
      (p) => p.ingress && p.namespace === dst.namespace && selects(p.selector, dst.labels),
    );
    if (policies.length === 0) return { allowed: true, reason: 'ingress not restricted' };
    for (const p of policies) {
      for (const rule of p.ingress!) {
        const peerOk =
          rule.peers === 'any' ||
          rule.peers.some((peer) => this.k8sPeerMatches(peer, flow.from, dst));
        if (peerOk && portMatches(rule.ports, flow.port, protocol)) {
          return { allowed: true, reason: 'ingress allowed by a NetworkPolicy' };
        }
      }
    }
    return { allowed: false, reason: 'ingress denied: no NetworkPolicy admits the source' };
  }

  private mesh(flow: Flow): Verdict {
    const dst = flow.to;
    if (dst.kind !== 'pod' || !this.hasSidecar(dst)) {
      return { allowed: true, reason: 'allowed (destination outside the mesh)' };
    }
    if (PROXY_OWN_PORTS.has(flow.port)) {
      return { allowed: true, reason: 'allowed (served by the proxy itself, outside mTLS)' };
    }
    const src = flow.from;
    const meshed = src.kind === 'pod' && this.hasSidecar(src);
    if (this.strict.has(dst.namespace) && !meshed) {
      return { allowed: false, reason: 'denied by STRICT mTLS: the source has no mesh identity' };
    }
    const applicable = this.authz.filter(
      (p) =>
        p.namespace === dst.namespace &&
        (p.selector === undefined || selects(p.selector, dst.labels)),
    );
    const principal =
      src.kind === 'pod' && meshed
        ? `cluster.local/ns/${src.namespace}/sa/${src.serviceAccount ?? 'default'}`
        : undefined;
    // Istio matches a principal exactly, or by prefix or suffix with one `*`.
    const principalMatches = (pattern: string) =>
      principal !== undefined &&
      (pattern.endsWith('*')
        ? principal.startsWith(pattern.slice(0, -1))
        : pattern.startsWith('*')
          ? principal.endsWith(pattern.slice(1))
          : principal === pattern);
    const matches = (rule: AuthzRule) =>
      (rule.principals === undefined || rule.principals.some(principalMatches)) &&
      (rule.namespaces === undefined ||
        (src.kind === 'pod' && meshed && rule.namespaces.includes(src.namespace))) &&
      (rule.ports === undefined || rule.ports.includes(String(flow.port)));
    const deny = applicable.find((p) => p.action === 'DENY' && p.rules.some(matches));
    if (deny) return { allowed: false, reason: `denied by AuthorizationPolicy ${deny.name}` };
    const allows = applicable.filter((p) => p.action === 'ALLOW');
    if (allows.length === 0) return { allowed: true, reason: 'allowed (no AuthorizationPolicy)' };
    const allow = allows.find((p) => p.rules.some(matches));
    return allow
      ? { allowed: true, reason: `allowed by AuthorizationPolicy ${allow.name}` }
      : { allowed: false, reason: 'denied: no AuthorizationPolicy names the caller' };
  }
}
