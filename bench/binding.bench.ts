/**
 * Host binding benchmark (root): for N interfaces (default 100), bind + full L3 configuration (veth with
 * the peer created as eth0 directly in the container netns with MAC and MTU, IPv6 on, v4 + v6 address,
 * v4 + v6 default route, host end on a Linux bridge) and unbind, with the in-process netlink (`native`)
 * versus the same driver steps done by `ip` commands (`ip-batch`: one `ip` process per step), in the
 * same run. Writes bench/results/binding.md. Usage: `node --import tsx bench/binding.bench.ts [N]`
 * (or `bash scripts/bench.sh binding`).
 */
import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { VethBridgeDriver } from '../src/binding/drivers/veth-bridge.js';
import { IpBatchNetlink } from '../src/binding/netlink/ip-batch.js';
import { NativeNetlink } from '../src/binding/netlink/native.js';
import type { Netlink } from '../src/binding/netlink/types.js';
import type { BindTarget } from '../src/binding/types.js';
import { linuxBridgeName } from '../src/common/naming.js';

const N = Number(process.argv[2] ?? 100);
const NET_ID = `knbench-${randomUUID().slice(0, 4)}`; // brq name carries the kn prefix
const logger = pino({ level: 'silent' });

function quantile(sorted: number[], q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] ?? NaN;
}

interface Stats {
  median: number;
  p95: number;
  total: number;
}
const stats = (xs: number[]): Stats => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: quantile(s, 0.5), p95: quantile(s, 0.95), total: xs.reduce((a, b) => a + b, 0) };
};

async function run(nl: Netlink, tag: string): Promise<{ bind: Stats; unbind: Stats; cpu: number }> {
  const driver = new VethBridgeDriver({ netlink: nl, logger });
  const names = Array.from({ length: N }, (_, i) => `kn-bench-${tag}-${i}`);
  for (const n of names) execFileSync('ip', ['netns', 'add', n]);
  const targets: BindTarget[] = names.map((n, i) => ({
    port: {
      id: randomUUID(),
      network_id: NET_ID,
      mac_address: `02:6b:6e:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`,
      fixed_ips: [],
    },
    netns: `/var/run/netns/${n}`,
    ifName: 'eth0',
    mtu: 1450,
    ip: {
      addresses: [{ cidr: `10.230.${i >> 8}.${(i & 255) + 2}/16` }, { cidr: `fd30::${i + 2}/64` }],
      routes: [
        { dst: '0.0.0.0/0', gw: '10.230.0.1' },
        { dst: '::/0', gw: 'fd30::1' },
      ],
    },
  }));
  const bind: number[] = [];
  const unbind: number[] = [];
  const cpu0 = process.cpuUsage();
  try {
    for (const t of targets) {
      const t0 = performance.now();
      await driver.bind(t);
      bind.push(performance.now() - t0);
    }
    for (const t of targets) {
      const t0 = performance.now();
      await driver.unbind(t);
      unbind.push(performance.now() - t0);
    }
  } finally {
    for (const n of names) execFileSync('ip', ['netns', 'del', n]);
    await nl.deleteLink(linuxBridgeName(NET_ID));
  }
  const cpu = process.cpuUsage(cpu0);
  return { bind: stats(bind), unbind: stats(unbind), cpu: (cpu.user + cpu.system) / 1e6 };
}

const native = new NativeNetlink();
// Warm-up (module loading, koffi/libc, first socket) outside the measurement.
await run(native, 'w').catch(() => undefined);
const results = {
  native: await run(native, 'n'),
  'ip-batch': await run(new IpBatchNetlink(), 'i'),
};
native.close();

const f = (x: number): string => x.toFixed(2);
const rows = Object.entries(results).map(
  ([k, r]) =>
    `| ${k} | ${f(r.bind.median)} | ${f(r.bind.p95)} | ${f(r.unbind.median)} | ${f(r.unbind.p95)} | ${f(r.cpu)} |`,
);
const ratio = results['ip-batch'].bind.median / results.native.bind.median;
const md = `## Host binding (src/binding): bind + full L3, unbind — ${N} interfaces

Command: \`sudo node --import tsx bench/binding.bench.ts ${N}\` (or \`bash scripts/bench.sh binding\`);
${cpus().length} CPUs, load average ${loadavg()[0]?.toFixed(1)} at the end, ${new Date().toISOString()}. \`bridge\` driver: veth with the peer created as eth0 inside the
container netns (MAC, MTU 1450), IPv6 on, v4 + v6 address, v4 + v6 default route, host end on a
Linux bridge; unbind deletes the pair. Same driver code; only the \`Netlink\` implementation differs.
Parent (subprocess-side, ip-batch) CPU is not included in the CPU column for ip-batch.

| Netlink | bind+L3 median (ms) | bind+L3 p95 (ms) | unbind median (ms) | unbind p95 (ms) | CPU in process (s) |
|---|---|---|---|---|---|
${rows.join('\n')}

In-process netlink is **${ratio.toFixed(1)}×** faster than one \`ip\` process per step for bind + L3 (target ≤ 5 ms median).
`;
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/binding.md', md);
process.stdout.write(md);
