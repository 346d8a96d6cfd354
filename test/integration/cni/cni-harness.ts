/**
 * Shared plumbing of the CNI integration/e2e tests: run the BUILT kuryr-cni executable with env + stdin,
 * connect to the real test-bed Neutron, manage `kx*` network namespaces.
 *
 * @module test/integration/cni/cni-harness
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { NeutronClient } from '../../../src/openstack/neutron/index.js';
import { createOpenStackSession, type OpenStackSession } from '../../../src/openstack/session.js';
import type { OpenStackConnectionOptions } from '../../../src/openstack/session-options.js';
import type { OpenStackEnv } from '../../helpers/openstack-env.js';

/** Repository root. */
export const ROOT = join(fileURLToPath(import.meta.url), '../../../..');
/** The wrapper a runtime would exec. */
export const CNI_BIN = join(ROOT, 'dist/kuryr-cni');

/** Builds dist/ (the test exercises what ships). */
export function buildCni(): void {
  execFileSync('node', [join(ROOT, 'scripts/build.mjs'), 'cni'], { stdio: 'inherit' });
  if (!existsSync(CNI_BIN)) throw new Error(`build did not produce ${CNI_BIN}`);
}

/** Outcome of one exec. */
export interface CniRun {
  status: number;
  stdout: string;
  stderr: string;
  json: Record<string, unknown> | undefined;
}

/**
 * Runs kuryr-cni with `env` (CNI_* only; PATH kept) and `stdin`. Asynchronous on purpose: the daemon under
 * test runs in this process, and a synchronous spawn would block it from answering.
 */
export function runCni(env: Record<string, string>, stdin: unknown): Promise<CniRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(CNI_BIN, [], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      let json: Record<string, unknown> | undefined;
      try {
        json = stdout.trim() === '' ? undefined : (JSON.parse(stdout) as Record<string, unknown>);
      } catch {
        json = undefined;
      }
      resolve({ status: code ?? -1, stdout, stderr, json });
    });
    child.stdin.end(typeof stdin === 'string' ? stdin : JSON.stringify(stdin));
  });
}

/** Session options for the bed's admin (binding:host_id needs admin). */
export function adminConnection(os: OpenStackEnv): OpenStackConnectionOptions {
  return {
    auth: {
      type: 'password',
      authUrl: os.authUrl,
      username: os.adminUser.username,
      password: os.adminUser.password,
      projectName: os.adminUser.projectName,
      userDomainName: os.userDomainName,
      projectDomainName: os.projectDomainName,
    },
    regionName: os.region,
  };
}

/** An admin Neutron client on the bed. */
export function adminNeutron(os: OpenStackEnv): {
  neutron: NeutronClient;
  session: OpenStackSession;
} {
  const session = createOpenStackSession(adminConnection(os), pino({ level: 'silent' }));
  return { neutron: new NeutronClient(session.client('network')), session };
}

/** `ip` with arguments; throws on failure. */
export function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8' });
}

/** Creates netns `name` and brings lo up; returns its path. */
export function addNetns(name: string): string {
  ip('netns', 'add', name);
  ip('-n', name, 'link', 'set', 'lo', 'up');
  return `/run/netns/${name}`;
}

/** Deletes netns `name` if present. */
export function delNetns(name: string): void {
  spawnSync('ip', ['netns', 'del', name]);
}

/** Addresses (CIDR) of `ifName` in netns `ns`. */
export function addressesIn(ns: string, ifName: string): string[] {
  const out = JSON.parse(ip('-n', ns, '-j', 'addr', 'show', 'dev', ifName)) as {
    addr_info: { local: string; prefixlen: number; scope: string }[];
  }[];
  return (out[0]?.addr_info ?? [])
    .filter((a) => a.scope === 'global')
    .map((a) => `${a.local}/${a.prefixlen}`);
}

/** Pings `dst` from netns `ns`, retrying up to `tries` times (ports go ACTIVE a few seconds after plug). */
export async function pingFrom(ns: string, dst: string, tries = 20): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const c = spawn('ip', ['netns', 'exec', ns, 'ping', '-c', '1', '-W', '1', dst], {
        stdio: 'ignore',
      });
      c.on('close', (code) => resolve(code === 0));
      c.on('error', () => resolve(false));
    });
    if (ok) return true;
  }
  return false;
}
