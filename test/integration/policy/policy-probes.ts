/**
 * Probes and settling assertions on a {@link PolicyWorld}: security group rules as comparable lines,
 * the SGs on a port, and waits on KuryrNetworkPolicy status; each wait ends in a real assert so a
 * timeout shows the last value read from Neutron or the apiserver.
 *
 * @module test/integration/policy/policy-probes
 */
import assert from 'node:assert/strict';
import { isNotFoundError } from '../../../src/common/errors/index.js';
import { KINDS } from '../../../src/k8s/kinds.js';
import type { SecurityGroupRule } from '../../../src/openstack/neutron/index.js';
import { waitFor } from '../k8s/kube-env.js';
import { WAIT_MS, type PolicyWorld } from './policy-world.js';

/** A rule as one comparable line: `direction ethertype protocol min-max remote`. */
export function ruleLine(r: {
  direction: string;
  ethertype: string;
  protocol?: string | null;
  port_range_min?: number | null;
  port_range_max?: number | null;
  remote_ip_prefix?: string | null;
}): string {
  const range =
    r.port_range_min === null || r.port_range_min === undefined
      ? 'all'
      : `${r.port_range_min}-${r.port_range_max ?? r.port_range_min}`;
  return [r.direction, r.ethertype, r.protocol ?? 'any', range, r.remote_ip_prefix ?? 'any'].join(
    ' ',
  );
}

/** The rules of SG `id` in Neutron, as sorted {@link ruleLine}s. */
export async function sgRuleLines(w: PolicyWorld, id: string): Promise<string[]> {
  const rules: SecurityGroupRule[] = await w.bed.neutron.securityGroupRules.listAll({
    security_group_id: id,
  });
  return rules.map(ruleLine).sort();
}

/** The SGs on the Neutron port, sorted. */
export async function portSgs(w: PolicyWorld, portId: string): Promise<string[]> {
  return [...(await w.bed.neutron.ports.get(portId)).security_groups].sort();
}

/** Waits until the KuryrNetworkPolicy `name` (in `namespace`) reports its SG; returns the SG id. */
export function policySgId(w: PolicyWorld, namespace: string, name: string): Promise<string> {
  return waitFor(
    `${name}: KuryrNetworkPolicy status.securityGroupId`,
    async () =>
      (await w.kube.get(KINDS.kuryrNetworkPolicy, name, namespace).catch(() => undefined))?.status
        ?.securityGroupId,
    WAIT_MS,
  );
}

/** Waits until the KuryrNetworkPolicy `name` is gone from the apiserver (NotFound). */
export async function knpGone(w: PolicyWorld, namespace: string, name: string, what: string) {
  await waitFor(
    what,
    async () =>
      w.kube.get(KINDS.kuryrNetworkPolicy, name, namespace).then(
        () => false,
        (e: unknown) => isNotFoundError(e),
      ),
    WAIT_MS,
  );
}

/** Waits until `read()` equals `want` (sorted), then asserts it (so a timeout shows the last value). */
async function expectSettled(read: () => Promise<string[]>, want: string[], what: string) {
  const sorted = [...want].sort();
  let got: string[] = [];
  await waitFor(
    what,
    async () => JSON.stringify((got = await read())) === JSON.stringify(sorted),
    WAIT_MS,
  ).catch(() => undefined);
  assert.deepEqual(got, sorted, what);
}

/** Waits until SG `id` holds exactly the rules `want` ({@link ruleLine}s, any order), then asserts it. */
export function expectRules(w: PolicyWorld, id: string, want: string[], what: string) {
  return expectSettled(() => sgRuleLines(w, id), want, what);
}

/** Waits until the Neutron port carries exactly the SGs `sgs` (any order), then asserts it. */
export function expectPortSgs(w: PolicyWorld, portId: string, sgs: string[], what: string) {
  return expectSettled(() => portSgs(w, portId), sgs, what);
}
