/**
 * @module The `neutron.*` Docker options (COMPATIBILITY.md §3), read from `-o` (CreateNetwork generic options)
 * or `--ipam-opt` (RequestPool options), and the PoolID format.
 */
import { ValidationError } from '../../common/errors/index.js';

/** A reference to an existing Neutron object by id or unique name. */
export interface ObjectRef {
  id?: string;
  name?: string;
}

function str(opts: Record<string, unknown>, key: string): string | undefined {
  const v = opts[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new ValidationError(`option ${key} must be a string`);
  return v;
}

function ref(opts: Record<string, unknown>, base: string): ObjectRef | undefined {
  const id = str(opts, `${base}.uuid`);
  const name = str(opts, `${base}.name`);
  if (id === undefined && name === undefined) return undefined;
  return { id, name };
}

/** `neutron.net.uuid` / `neutron.net.name`. */
export const networkRef = (o: Record<string, unknown>) => ref(o, 'neutron.net');
/** `neutron.subnet[.v6].uuid|name`. */
export const subnetRef = (o: Record<string, unknown>, v6: boolean) =>
  ref(o, v6 ? 'neutron.subnet.v6' : 'neutron.subnet');
/** `neutron.pool[.v6].uuid|name`. */
export const poolRef = (o: Record<string, unknown>, v6: boolean) =>
  ref(o, v6 ? 'neutron.pool.v6' : 'neutron.pool');

/** `neutron.net.shared` as a boolean, or undefined when absent. @throws ValidationError */
export function sharedOption(o: Record<string, unknown>): boolean | undefined {
  const v = o['neutron.net.shared'];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  throw new ValidationError('option neutron.net.shared must be true or false');
}

/**
 * A Docker PoolID: the Neutron subnetpool id, or `<subnetpool id>:<cidr>` when a block was allocated from a
 * shared pool for a network created without `--subnet` (COMPATIBILITY.md §9 #5).
 */
export interface PoolId {
  subnetpoolId: string;
  cidr?: string;
}

export function parsePoolId(poolId: string): PoolId {
  const i = poolId.indexOf(':');
  if (i < 0) return { subnetpoolId: poolId };
  return { subnetpoolId: poolId.slice(0, i), cidr: poolId.slice(i + 1) };
}

export function formatPoolId(p: PoolId): string {
  return p.cidr === undefined ? p.subnetpoolId : `${p.subnetpoolId}:${p.cidr}`;
}
