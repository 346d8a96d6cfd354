/**
 * Plumbing of the CNI e2e tests: exec a command asynchronously (the daemon under test runs in this
 * process), read the bed's runtime env (scripts/podman.sh, scripts/containerd.sh, scripts/cniclient.sh),
 * install kuryr-cni and a conflist in a runtime's private CNI dirs.
 *
 * @module test/e2e/cni/e2e-harness
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CNI_BIN, ROOT } from '../../integration/cni/cni-harness.js';

/** Result of {@link sh}. */
export interface ShResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs `cmd args` without blocking the event loop. */
export function sh(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number } = {},
): Promise<ShResult> {
  return new Promise((resolve, reject) => {
    const c = spawn(cmd, args, { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    c.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const t = setTimeout(() => c.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    c.on('error', reject);
    c.on('close', (code) => {
      clearTimeout(t);
      resolve({ status: code ?? -1, stdout, stderr });
    });
    c.stdin.end(opts.input ?? '');
  });
}

/** Parses the `export A="b" C="d"` lines a bed script prints for `env`. */
export function bedEnv(script: string): Record<string, string> {
  const out = execFileSync('bash', [join(ROOT, 'scripts', script), 'env'], { encoding: 'utf8' });
  const vars: Record<string, string> = {};
  for (const m of out.matchAll(/([A-Z_][A-Z0-9_]*)="([^"]*)"/g)) {
    vars[m[1]!] = m[2]!.replace('$PATH', process.env.PATH ?? '');
  }
  return vars;
}

/** Brings a runtime up with its bed script (`start` is idempotent) and returns its env. */
export function requireRuntime(script: string): Record<string, string> {
  try {
    execFileSync('bash', [join(ROOT, 'scripts', script), 'start'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (err) {
    throw new Error(
      `scripts/${script} start failed: the runtime is missing (${(err as Error).message})`,
    );
  }
  return bedEnv(script);
}

/** Links the built kuryr-cni into `binDir` and writes `<file>` with `conflist` into `confDir`. */
export function installCni(
  binDir: string,
  confDir: string,
  file: string,
  conflist: unknown,
): () => void {
  const link = join(binDir, 'kuryr-cni');
  if (!existsSync(link)) symlinkSync(CNI_BIN, link);
  const path = join(confDir, file);
  writeFileSync(path, JSON.stringify(conflist, null, 2));
  return () => rmSync(path, { force: true });
}
