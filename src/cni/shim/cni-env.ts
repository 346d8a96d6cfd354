/**
 * @module Reads and validates the CNI environment (PROTOCOLS.md B.1): which variables each command needs,
 * their syntax, and the `K=V;K=V` CNI_ARGS. Failures are CNI code 4 (invalid necessary environment variables).
 */
import { CniCode, CniShimError } from './cni-error.js';

/** The commands of CNI 1.1. */
export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'VERSION' | 'GC' | 'STATUS';

const COMMANDS: readonly CniCommand[] = ['ADD', 'DEL', 'CHECK', 'VERSION', 'GC', 'STATUS'];

/** The validated environment of one invocation. */
export interface CniEnv {
  command: CniCommand;
  containerId: string;
  netns: string;
  ifName: string;
  /** Raw CNI_ARGS, forwarded unchanged to the daemon. */
  args: string;
  path: string;
}

// Same rules as libcni's ValidateContainerID / ValidateInterfaceName.
const CONTAINER_ID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;
const MAX_IFNAME = 15;

/** Parses `K=V;K=V` (empty items ignored; a value may contain `=`). Malformed items are code 4. */
export function parseCniArgs(raw: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of raw.split(';')) {
    if (item.trim() === '') continue;
    const eq = item.indexOf('=');
    if (eq <= 0) {
      throw new CniShimError(CniCode.INVALID_ENV, 'invalid CNI_ARGS', `item "${item}" is not K=V`);
    }
    out.set(item.slice(0, eq).trim(), item.slice(eq + 1).trim());
  }
  return out;
}

function need(env: NodeJS.ProcessEnv, name: string, command: string): string {
  const v = env[name];
  if (v === undefined || v === '') {
    throw new CniShimError(
      CniCode.INVALID_ENV,
      `missing ${name}`,
      `${name} must be set for ${command}`,
    );
  }
  return v;
}

/** Validates an interface name as the kernel would accept it. */
export function validateIfName(name: string): void {
  if (name.length > MAX_IFNAME || name === '.' || name === '..' || /[/\s:]/.test(name)) {
    throw new CniShimError(
      CniCode.INVALID_ENV,
      'invalid CNI_IFNAME',
      `"${name}" is not a valid interface name (at most ${MAX_IFNAME} characters, no '/', ':' or spaces)`,
    );
  }
}

/** Reads the environment for `CNI_COMMAND`, enforcing what that command requires. */
export function readCniEnv(env: NodeJS.ProcessEnv): CniEnv {
  const command = need(env, 'CNI_COMMAND', 'any command');
  if (!(COMMANDS as readonly string[]).includes(command)) {
    throw new CniShimError(
      CniCode.INVALID_ENV,
      `unknown CNI_COMMAND ${command}`,
      `expected one of ${COMMANDS.join(', ')}`,
    );
  }
  const cmd = command as CniCommand;
  const perContainer = cmd === 'ADD' || cmd === 'DEL' || cmd === 'CHECK';
  const containerId = perContainer
    ? need(env, 'CNI_CONTAINERID', cmd)
    : (env.CNI_CONTAINERID ?? '');
  if (perContainer && !CONTAINER_ID.test(containerId)) {
    throw new CniShimError(
      CniCode.INVALID_ENV,
      'invalid CNI_CONTAINERID',
      `"${containerId}" must start with a letter or digit and hold only letters, digits, '_', '.', '-'`,
    );
  }
  const ifName = perContainer ? need(env, 'CNI_IFNAME', cmd) : (env.CNI_IFNAME ?? '');
  if (perContainer) validateIfName(ifName);
  // DEL tolerates an empty netns: containerd sends '' once the task is gone.
  const netns =
    cmd === 'ADD' || cmd === 'CHECK' ? need(env, 'CNI_NETNS', cmd) : (env.CNI_NETNS ?? '');
  const args = env.CNI_ARGS ?? '';
  parseCniArgs(args);
  return { command: cmd, containerId, netns, ifName, args, path: env.CNI_PATH ?? '' };
}
