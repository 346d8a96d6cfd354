/** @module zod schemas of the IpamDriver calls (PROTOCOLS.md A.4). */
import { z } from 'zod';

const options = z.record(z.string(), z.unknown()).nullish();

export const RequestPoolRequest = z.looseObject({
  AddressSpace: z.string().optional(),
  Pool: z.string().optional(),
  SubPool: z.string().optional(),
  Options: options,
  V6: z.boolean().optional(),
});
export type RequestPoolRequest = z.infer<typeof RequestPoolRequest>;

export const ReleasePoolRequest = z.looseObject({ PoolID: z.string().min(1).max(200) });
export type ReleasePoolRequest = z.infer<typeof ReleasePoolRequest>;

export const RequestAddressRequest = z.looseObject({
  PoolID: z.string().min(1).max(200),
  Address: z.string().optional(),
  Options: options,
});
export type RequestAddressRequest = z.infer<typeof RequestAddressRequest>;

export const ReleaseAddressRequest = z.looseObject({
  PoolID: z.string().min(1).max(200),
  Address: z.string().min(1),
});
export type ReleaseAddressRequest = z.infer<typeof ReleaseAddressRequest>;
