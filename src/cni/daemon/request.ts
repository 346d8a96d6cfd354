/**
 * @module Decodes a daemon request body — the Python Kuryr shape `{CNI_COMMAND, CNI_CONTAINERID,
 * CNI_NETNS, CNI_IFNAME, CNI_ARGS, CNI_PATH, config_kuryr}` (COMPATIBILITY.md §8) — into a CniRequest.
 * Bad bodies are 400 / code 4 (env) or 7 (config), as both shims expect.
 */
import { z } from 'zod';
import { CniCodedError } from '../cni-errors.js';
import type { CniRequest, DaemonCommand } from './types.js';

const body = z.object({
  CNI_COMMAND: z.string().optional(),
  CNI_CONTAINERID: z.string().default(''),
  CNI_NETNS: z.string().default(''),
  CNI_IFNAME: z.string().default(''),
  CNI_ARGS: z.string().default(''),
  CNI_PATH: z.string().optional(),
  config_kuryr: z.record(z.string(), z.unknown()),
});

/** Decodes `K=V;K=V`. */
export function decodeCniArgs(raw: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of raw.split(';')) {
    const eq = item.indexOf('=');
    if (eq > 0) out.set(item.slice(0, eq).trim(), item.slice(eq + 1).trim());
  }
  return out;
}

/** Parses the body for `command` (the route decides the command; the body's CNI_COMMAND is informative). */
export function parseCniRequest(raw: unknown, command: DaemonCommand): CniRequest {
  const parsed = body.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CniCodedError(
      4,
      400,
      `invalid request: ${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'bad body'}`,
    );
  }
  const b = parsed.data;
  if (command === 'ADD' || command === 'DEL' || command === 'CHECK') {
    if (b.CNI_CONTAINERID === '' || b.CNI_IFNAME === '') {
      throw new CniCodedError(
        4,
        400,
        'invalid request: CNI_CONTAINERID and CNI_IFNAME are required',
      );
    }
    if (command !== 'DEL' && b.CNI_NETNS === '') {
      throw new CniCodedError(4, 400, 'invalid request: CNI_NETNS is required');
    }
  }
  const name = b.config_kuryr.name;
  if (typeof name !== 'string' || name === '') {
    throw new CniCodedError(7, 400, 'invalid network config: missing "name"');
  }
  return {
    command,
    containerId: b.CNI_CONTAINERID,
    netns: b.CNI_NETNS,
    ifName: b.CNI_IFNAME,
    args: decodeCniArgs(b.CNI_ARGS),
    config: b.config_kuryr,
    networkName: name,
  };
}
