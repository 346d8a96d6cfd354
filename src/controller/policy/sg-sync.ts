/**
 * @module Converges the ONE Neutron security group of a NetworkPolicy (`sg/<ns>-<policy>`) to a desired
 * rule list and returns the KuryrNetworkPolicy status shape. Rules are compared by a normalised key, so
 * unchanged rules keep their ids (no churn, no traffic gap); new rules are created (one bulk request)
 * BEFORE stale ones are deleted, so a change never opens a window where allowed traffic is dropped.
 *
 * Crash safety: every step is re-derived from Neutron on the next call. An SG created but not yet
 * stripped of Neutron's two default egress rules is found by name and the defaults are then simply
 * stale rules; a bulk create that landed before the crash is matched by key.
 */
import type { Logger } from 'pino';
import { KeyedMutex } from '../../common/keyed-mutex.js';
import { isConflictError } from '../../common/errors/index.js';
import type { KuryrNetworkPolicy, SgRuleFields } from '../../k8s/crds/types.js';
import type {
  NeutronClient,
  SecurityGroup,
  SecurityGroupRule,
  SecurityGroupRuleCreate,
} from '../../openstack/neutron/index.js';
import { normalizeCidr } from './cidr-set.js';

/** `status` of a KuryrNetworkPolicy. */
export type PolicySgStatus = Required<Pick<KuryrNetworkPolicy['status'], 'securityGroupId'>> &
  Pick<KuryrNetworkPolicy['status'], 'securityGroupRules'>;

/** Options of {@link PolicySgSync}. */
export interface PolicySgSyncOptions {
  /** Project owning the policy SGs (the namespace's project). */
  projectId: string;
  /** Deadline of each Neutron call; @default the session's request timeout. */
  timeoutMs?: number;
  /** Shared per-SG lock; pass the controller's so handlers and this class serialise together. */
  mutex?: KeyedMutex;
}

/** Neutron's SG name limit. */
const MAX_NAME = 255;

/** The policy SG name: `sg/<ns>-<policy>` (the policy name truncated first, never the namespace). */
export function policySgName(namespace: string, policy: string): string {
  const head = `sg/${namespace}-`;
  return `${head}${policy}`.slice(0, Math.max(MAX_NAME, head.length));
}

/** The identity of a rule: what Neutron compares, with equivalent spellings folded together. */
export function ruleKey(r: {
  direction?: string | null;
  ethertype?: string | null;
  protocol?: string | number | null;
  port_range_min?: number | null;
  port_range_max?: number | null;
  remote_ip_prefix?: string | null;
  remote_group_id?: string | null;
  remote_address_group_id?: string | null;
}): string {
  const protocol =
    r.protocol === null || r.protocol === undefined ? '' : String(r.protocol).toLowerCase();
  // The full range and "no range" mean the same to Neutron; so do `0.0.0.0/0` / `::/0` and no prefix.
  const full = r.port_range_min === 1 && r.port_range_max === 65535;
  const min = full ? '' : (r.port_range_min ?? '');
  const max = full ? '' : (r.port_range_max ?? '');
  const cidr = r.remote_ip_prefix ? normalizeCidr(r.remote_ip_prefix) : '';
  const prefix = cidr.endsWith('/0') ? '' : cidr;
  return [
    r.direction,
    r.ethertype,
    protocol,
    min,
    max,
    prefix,
    r.remote_group_id ?? '',
    r.remote_address_group_id ?? '',
  ].join('|');
}

/** Converges policy SGs. Safe to share; calls for one SG name are serialised. */
export class PolicySgSync {
  private readonly mutex: KeyedMutex;

  constructor(
    private readonly neutron: NeutronClient,
    private readonly log: Logger,
    private readonly options: PolicySgSyncOptions,
  ) {
    this.mutex = options.mutex ?? new KeyedMutex();
  }

  /**
   * Makes `sg/<namespace>-<policy>` hold exactly `rules` (duplicates by key are collapsed).
   * @returns the KuryrNetworkPolicy status (rules in the order of `rules`).
   */
  ensure(
    namespace: string,
    policy: string,
    rules: readonly SgRuleFields[],
    signal?: AbortSignal,
  ): Promise<PolicySgStatus> {
    const name = policySgName(namespace, policy);
    return this.mutex.run(`sg:${name}`, () => this.converge(name, rules, signal));
  }

  /**
   * Deletes the policy SG (idempotent: a missing SG is success).
   * @returns true when this call deleted it. @throws ConflictError while ports still use it.
   */
  remove(namespace: string, policy: string, signal?: AbortSignal): Promise<boolean> {
    const name = policySgName(namespace, policy);
    return this.mutex.run(`sg:${name}`, async () => {
      const sg = await this.find(name, signal);
      if (sg === undefined) return false;
      const gone = await this.neutron.securityGroups.deleteIfExists(sg.id, this.req(signal));
      this.log.info({ sg: sg.id, name }, 'deleted policy security group');
      return gone;
    });
  }

  /** Deletes a policy SG by id (what the KuryrNetworkPolicy status records); NotFound = success. */
  removeById(securityGroupId: string, signal?: AbortSignal): Promise<boolean> {
    return this.neutron.securityGroups.deleteIfExists(securityGroupId, this.req(signal));
  }

  private async converge(
    name: string,
    rules: readonly SgRuleFields[],
    signal?: AbortSignal,
  ): Promise<PolicySgStatus> {
    const desired = new Map<string, SgRuleFields>();
    for (const r of rules) if (!desired.has(ruleKey(r))) desired.set(ruleKey(r), r);

    let sg = await this.find(name, signal);
    let existing: SecurityGroupRule[];
    if (sg === undefined) {
      sg = await this.neutron.securityGroups.create(
        { name, project_id: this.options.projectId, description: 'Kuryr-Kubernetes NetPolicy SG' },
        this.req(signal),
      );
      this.log.info({ sg: sg.id, name }, 'created policy security group');
      // Neutron's default egress rules would allow all egress: the policy decides instead.
      await Promise.all(
        (sg.security_group_rules ?? []).map((r) =>
          this.neutron.securityGroupRules.deleteIfExists(r.id, this.req(signal)),
        ),
      );
      existing = [];
    } else {
      existing = await this.listRules(sg.id, signal);
    }

    let created: SecurityGroupRule[];
    try {
      created = await this.createMissing(sg.id, desired, existing, signal);
    } catch (error) {
      // A rule appeared meanwhile (a crashed earlier run's bulk request landing late): re-read once.
      if (!isConflictError(error)) throw error;
      existing = await this.listRules(sg.id, signal);
      created = await this.createMissing(sg.id, desired, existing, signal);
    }
    const stale = existing.filter((r) => !desired.has(ruleKey(r)));
    await Promise.all(
      stale.map((r) => this.neutron.securityGroupRules.deleteIfExists(r.id, this.req(signal))),
    );
    if (created.length > 0 || stale.length > 0) {
      this.log.info(
        { sg: sg.id, created: created.length, deleted: stale.length },
        'policy security group converged',
      );
    }

    const byKey = new Map<string, SecurityGroupRule>();
    for (const r of [...existing, ...created])
      if (desired.has(ruleKey(r))) byKey.set(ruleKey(r), r);
    const securityGroupRules = [...desired.keys()].flatMap((k) => {
      const r = byKey.get(k);
      return r === undefined ? [] : [statusRule(r)];
    });
    return { securityGroupId: sg.id, securityGroupRules };
  }

  private async createMissing(
    sgId: string,
    desired: ReadonlyMap<string, SgRuleFields>,
    existing: readonly SecurityGroupRule[],
    signal?: AbortSignal,
  ): Promise<SecurityGroupRule[]> {
    const have = new Set(existing.map(ruleKey));
    const bodies: SecurityGroupRuleCreate[] = [...desired]
      .filter(([k]) => !have.has(k))
      .map(([, r]) => createBody(sgId, r));
    if (bodies.length === 0) return [];
    return this.neutron.securityGroupRules.createBulk(bodies, this.req(signal));
  }

  private find(name: string, signal?: AbortSignal): Promise<SecurityGroup | undefined> {
    return this.neutron.securityGroups.findOne(
      { name, project_id: this.options.projectId },
      this.req(signal),
    );
  }

  private listRules(sgId: string, signal?: AbortSignal): Promise<SecurityGroupRule[]> {
    return this.neutron.securityGroupRules.listAll({ security_group_id: sgId }, this.req(signal));
  }

  private req(signal?: AbortSignal): { signal?: AbortSignal; timeoutMs?: number } {
    return {
      ...(signal === undefined ? {} : { signal }),
      ...(this.options.timeoutMs === undefined ? {} : { timeoutMs: this.options.timeoutMs }),
    };
  }
}

function createBody(sgId: string, r: SgRuleFields): SecurityGroupRuleCreate {
  const body: SecurityGroupRuleCreate = {
    security_group_id: sgId,
    direction: r.direction === 'egress' ? 'egress' : 'ingress',
    ethertype: r.ethertype === 'IPv6' ? 'IPv6' : 'IPv4',
  };
  if (r.description !== undefined) body.description = r.description;
  if (r.protocol !== undefined) body.protocol = r.protocol;
  if (r.port_range_min !== undefined) body.port_range_min = r.port_range_min;
  if (r.port_range_max !== undefined) body.port_range_max = r.port_range_max;
  if (r.remote_ip_prefix !== undefined) body.remote_ip_prefix = r.remote_ip_prefix;
  return body;
}

/** A Neutron rule in the status shape (nulls dropped: the CRD fields are optional, not nullable). */
function statusRule(r: SecurityGroupRule): PolicySgStatus['securityGroupRules'][number] {
  const out: PolicySgStatus['securityGroupRules'][number] = {
    id: r.id,
    description: r.description ?? '',
    direction: r.direction,
    ethertype: r.ethertype,
    security_group_id: r.security_group_id,
  };
  if (r.port_range_min !== null) out.port_range_min = r.port_range_min;
  if (r.port_range_max !== null) out.port_range_max = r.port_range_max;
  if (r.protocol !== null) out.protocol = r.protocol;
  if (r.remote_ip_prefix !== null) out.remote_ip_prefix = r.remote_ip_prefix;
  return out;
}
