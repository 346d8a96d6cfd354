/**
 * @module Computes a KuryrNetworkPolicy spec (Neutron SG rules in the original's shape) from a
 * NetworkPolicy and a peer resolver. Pure: no I/O, the same input always gives the same rule list.
 *
 * Semantics follow upstream Kubernetes NetworkPolicy: a direction missing from `policyTypes` is not
 * isolated (allow-all rules), an empty peer list or an empty rule means "everywhere", no rules means
 * deny, peers are unioned, `ports` restrict every peer of their rule, named ports resolve on the
 * DESTINATION pod (the policy's pods for ingress, the peer pods for egress).
 */
import { ValidationError } from '../../common/errors/index.js';
import type { KnpSgRule, KuryrNetworkPolicy, SgRuleFields } from '../../k8s/crds/types.js';
import { cidrContains, normalizeCidr, parseCidr, subtract } from './cidr-set.js';
import type {
  NetworkPolicy,
  NetworkPolicyPeer,
  NetworkPolicyPort,
  PeerResolver,
  ResolvedPod,
} from './types.js';

/** Description Kuryr puts on every policy rule (recognisable in `openstack security group rule list`). */
export const POLICY_RULE_DESCRIPTION = 'Kuryr-Kubernetes NetPolicy SG rule';

type Direction = 'ingress' | 'egress';
type Ethertype = 'IPv4' | 'IPv6';

/** Where traffic may come from / go to: a prefix (none = anywhere) of one family, maybe one pod. */
interface Remote {
  ethertype: Ethertype;
  prefix?: string;
  pod?: ResolvedPod;
}

/** A parsed `ports` entry: no protocol = every protocol and port. */
interface PortSpec {
  protocol?: string;
  min?: number;
  max?: number;
  name?: string;
}

const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);
const ANYWHERE: readonly Remote[] = [{ ethertype: 'IPv4' }, { ethertype: 'IPv6' }];

/** The effective `policyTypes`: as given, else Ingress plus Egress when egress rules exist. */
export function effectivePolicyTypes(policy: NetworkPolicy): string[] {
  const given = policy.spec.policyTypes;
  if (given !== undefined && given.length > 0) return [...given];
  return (policy.spec.egress ?? []).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

/**
 * The KuryrNetworkPolicy spec for `policy`.
 * @throws ValidationError for a peer without selector/ipBlock, an unknown protocol, a bad port range
 *   or a bad CIDR (nothing is computed then).
 */
export function computePolicyRules(
  policy: NetworkPolicy,
  resolve: PeerResolver,
): KuryrNetworkPolicy['spec'] {
  const namespace = policy.metadata?.namespace;
  if (namespace === undefined || namespace === '') {
    throw new ValidationError(`NetworkPolicy ${policy.metadata?.name ?? '?'} has no namespace`);
  }
  const types = effectivePolicyTypes(policy);
  const ctx: Ctx = { policy, resolve, namespace };
  const ingress = types.includes('Ingress')
    ? (policy.spec.ingress ?? []).flatMap((r) => ruleFor(ctx, 'ingress', r.from, r.ports))
    : allowAll('ingress');
  const egress = types.includes('Egress')
    ? (policy.spec.egress ?? []).flatMap((r) => ruleFor(ctx, 'egress', r.to, r.ports))
    : allowAll('egress');
  return {
    ingressSgRules: dedupe(ingress),
    egressSgRules: dedupe(egress),
    podSelector: { ...policy.spec.podSelector },
    policyTypes: types,
  };
}

interface Ctx {
  policy: NetworkPolicy;
  resolve: PeerResolver;
  namespace: string;
}

function allowAll(direction: Direction): KnpSgRule[] {
  return ANYWHERE.map((r) => ({ sgRule: sgRule(direction, r, {}) }));
}

function ruleFor(
  ctx: Ctx,
  direction: Direction,
  peers: readonly NetworkPolicyPeer[] | undefined,
  ports: readonly NetworkPolicyPort[] | undefined,
): KnpSgRule[] {
  const remotes =
    peers === undefined || peers.length === 0 ? ANYWHERE : peers.flatMap((p) => remotesOf(ctx, p));
  const specs = ports === undefined || ports.length === 0 ? [{}] : ports.map(parsePort);
  const out: KnpSgRule[] = [];
  for (const spec of specs) {
    if (spec.name === undefined) {
      for (const r of remotes) out.push(withNamespace({ sgRule: sgRule(direction, r, spec) }, r));
    } else if (direction === 'ingress') {
      out.push(...namedIngress(ctx, remotes, spec));
    } else {
      out.push(...namedEgress(ctx, remotes, spec));
    }
  }
  return out;
}

/** Ingress named port: resolved on the policy's own pods; one rule set per distinct port number. */
function namedIngress(ctx: Ctx, remotes: readonly Remote[], spec: PortSpec): KnpSgRule[] {
  const targets = ctx.resolve(ctx.policy.spec.podSelector, undefined, ctx.namespace);
  const byPort = new Map<number, ResolvedPod[]>();
  for (const pod of targets) {
    const port = namedPort(pod, spec);
    if (port !== undefined) byPort.set(port, [...(byPort.get(port) ?? []), pod]);
  }
  const out: KnpSgRule[] = [];
  for (const [port, pods] of [...byPort].sort((a, b) => a[0] - b[0])) {
    const affectedPods = pods.map((p) => ({ podIP: p.ip, podNamespace: p.namespace }));
    for (const r of remotes) {
      const rule = {
        sgRule: sgRule('ingress', r, { ...spec, min: port, max: port }),
        affectedPods,
      };
      out.push(withNamespace(rule, r));
    }
  }
  return out;
}

/** Egress named port: resolved on each destination pod (pods inside an ipBlock/anywhere included). */
function namedEgress(ctx: Ctx, remotes: readonly Remote[], spec: PortSpec): KnpSgRule[] {
  const out: KnpSgRule[] = [];
  let everyone: readonly ResolvedPod[] | undefined;
  for (const r of remotes) {
    let pods: readonly ResolvedPod[];
    if (r.pod !== undefined) {
      pods = [r.pod];
    } else {
      everyone ??= ctx.resolve({}, {}, ctx.namespace);
      pods = everyone.filter(
        (p) =>
          familyOf(p.ip) === r.ethertype &&
          (r.prefix === undefined || cidrContains(r.prefix, p.ip)),
      );
    }
    for (const pod of pods) {
      const port = namedPort(pod, spec);
      if (port === undefined) continue;
      const remote = podRemote(pod);
      const rule = {
        sgRule: sgRule('egress', remote, { ...spec, min: port, max: port }),
        affectedPods: [{ podIP: pod.ip, podNamespace: pod.namespace }],
      };
      out.push(withNamespace(rule, remote));
    }
  }
  return out;
}

function namedPort(pod: ResolvedPod, spec: PortSpec): number | undefined {
  const cp = (pod.containerPorts ?? []).find(
    (c) => c.name === spec.name && (c.protocol ?? 'TCP').toLowerCase() === spec.protocol,
  );
  return cp?.containerPort;
}

function remotesOf(ctx: Ctx, peer: NetworkPolicyPeer): Remote[] {
  const selects = peer.podSelector !== undefined || peer.namespaceSelector !== undefined;
  if (peer.ipBlock !== undefined) {
    if (selects) throw new ValidationError('a peer sets ipBlock together with a selector');
    const family = parseCidr(peer.ipBlock.cidr).family;
    return subtract(peer.ipBlock.cidr, peer.ipBlock.except ?? []).map((prefix) => ({
      ethertype: family === 4 ? 'IPv4' : 'IPv6',
      prefix,
    }));
  }
  if (!selects)
    throw new ValidationError('a peer sets none of podSelector, namespaceSelector, ipBlock');
  return ctx
    .resolve(peer.podSelector, peer.namespaceSelector, ctx.namespace)
    .filter((p) => p.ip !== '')
    .map(podRemote);
}

function podRemote(pod: ResolvedPod): Remote {
  const ethertype = familyOf(pod.ip);
  return { ethertype, prefix: normalizeCidr(`${pod.ip}/${ethertype === 'IPv4' ? 32 : 128}`), pod };
}

function familyOf(ip: string): Ethertype {
  return parseCidr(ip).family === 4 ? 'IPv4' : 'IPv6';
}

function parsePort(p: NetworkPolicyPort): PortSpec {
  const protocol = (p.protocol ?? 'TCP').toLowerCase();
  if (!PROTOCOLS.has(protocol)) throw new ValidationError(`unsupported protocol '${p.protocol}'`);
  if (p.port === undefined) {
    if (p.endPort !== undefined) throw new ValidationError('endPort without port');
    return { protocol };
  }
  if (typeof p.port === 'string' && !/^\d+$/.test(p.port)) {
    if (p.endPort !== undefined) throw new ValidationError('endPort with a named port');
    return { protocol, name: p.port };
  }
  const min = Number(p.port);
  const max = p.endPort ?? min;
  if (!Number.isInteger(min) || min < 1 || max > 65535 || max < min) {
    throw new ValidationError(`bad port range ${p.port}-${p.endPort ?? p.port}`);
  }
  return { protocol, min, max };
}

function sgRule(direction: Direction, remote: Remote, spec: PortSpec): SgRuleFields {
  const rule: SgRuleFields = {
    description: POLICY_RULE_DESCRIPTION,
    direction,
    ethertype: remote.ethertype,
  };
  if (spec.protocol !== undefined) rule.protocol = spec.protocol;
  if (spec.min !== undefined) rule.port_range_min = spec.min;
  if (spec.max !== undefined) rule.port_range_max = spec.max;
  if (remote.prefix !== undefined) rule.remote_ip_prefix = remote.prefix;
  return rule;
}

function withNamespace(rule: KnpSgRule, remote: Remote): KnpSgRule {
  return remote.pod === undefined ? rule : { ...rule, namespace: remote.pod.namespace };
}

/** The identity of a rule in Neutron (description aside). */
export function sgRuleKey(r: SgRuleFields): string {
  const prefix = r.remote_ip_prefix === undefined ? '' : normalizeCidr(r.remote_ip_prefix);
  return [
    r.direction,
    r.ethertype,
    r.protocol ?? '',
    r.port_range_min ?? '',
    r.port_range_max ?? '',
    prefix,
  ].join('|');
}

/** Neutron refuses duplicate rules: merge equal ones (their affected pods are unioned). */
function dedupe(rules: KnpSgRule[]): KnpSgRule[] {
  const byKey = new Map<string, KnpSgRule>();
  for (const rule of rules) {
    const key = sgRuleKey(rule.sgRule);
    const seen = byKey.get(key);
    if (seen === undefined) {
      byKey.set(key, rule);
    } else if (rule.affectedPods !== undefined) {
      const pods = [...(seen.affectedPods ?? []), ...rule.affectedPods];
      const unique = [...new Map(pods.map((p) => [`${p.podNamespace}/${p.podIP}`, p])).values()];
      byKey.set(key, { ...seen, affectedPods: unique });
    }
  }
  return [...byKey.values()];
}
