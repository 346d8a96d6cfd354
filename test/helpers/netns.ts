/**
 * Network namespaces and commands for the root-only binding e2e tests (names carry the test prefix).
 *
 * @module test/helpers/netns
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Path of a named netns. */
export const netnsPath = (name: string): string => `/var/run/netns/${name}`;

/** Creates a named netns (`ip netns add`) and returns its path. */
export function addNetns(name: string): string {
  execFileSync('ip', ['netns', 'add', name]);
  return netnsPath(name);
}

/** Deletes a named netns; missing = fine. */
export function delNetns(name: string): void {
  if (existsSync(netnsPath(name))) spawnSync('ip', ['netns', 'del', name]);
}

/** Runs `cmd` inside the netns; returns exit status and output. */
export function nsExec(name: string, cmd: string[]): { status: number; out: string } {
  const r = spawnSync('ip', ['netns', 'exec', name, ...cmd], { encoding: 'utf8', timeout: 20_000 });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/** Pings `ip` from inside the netns, up to `tries` single pings (ND/ARP may need a moment). */
export function ping(name: string, ip: string, tries = 5): boolean {
  for (let i = 0; i < tries; i++) {
    if (nsExec(name, ['ping', '-c', '1', '-W', '2', ip]).status === 0) return true;
  }
  return false;
}

/** Names of the links in the netns (or the root netns when `name` is undefined), via `ip -json`. */
export function linkNames(name?: string): string[] {
  const args = name === undefined ? ['-json', 'link'] : ['-n', name, '-json', 'link'];
  const out = execFileSync('ip', args, { encoding: 'utf8' });
  return (JSON.parse(out) as { ifname: string }[]).map((l) => l.ifname);
}

/** Whether the kernel can create `type` links (probe with a throw-away link of the prefix). */
export function kernelSupports(type: 'vlan' | 'macvlan', probeName: string): boolean {
  execFileSync('ip', [
    'link',
    'add',
    `${probeName}p`,
    'type',
    'veth',
    'peer',
    'name',
    `${probeName}q`,
  ]);
  try {
    const args = ['link', 'add', 'link', `${probeName}p`, 'name', `${probeName}c`, 'type', type];
    const r = spawnSync('ip', type === 'vlan' ? [...args, 'id', '7'] : [...args, 'mode', 'bridge']);
    return r.status === 0;
  } finally {
    spawnSync('ip', ['link', 'del', `${probeName}p`]);
  }
}
