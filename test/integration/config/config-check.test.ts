/**
 * Runs the real `kuryr` CLI (`node --import tsx src/cmd/kuryr.ts config check`) as operators do and checks
 * its output, masking and exit codes. The peer here is the CLI process itself: no cloud needed.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SECRET = 'kt-it-se=cr;et#1';
let dir: string;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Run the CLI with a clean environment (no ambient OS_* credentials, HOME in the temp dir). */
function kuryr(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cmd/kuryr.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function conf(name: string, text: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

interface Row {
  section: string;
  key: string;
  value: unknown;
  source: string;
  secret: boolean;
}
const row = (rows: Row[], section: string, key: string) =>
  rows.find((r) => r.section === section && r.key === key)!;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kt-it-config-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('kuryr config check (real CLI)', () => {
  test('--json: effective values, sources, masked secrets, unknown-key warning, exit 0', async () => {
    const file = await conf(
      'good.conf',
      `[DEFAULT]\nkuryr_uri = http://127.0.0.1:23751\nbogus_key = 1\n[neutron]\nauth_type = password\n` +
        `auth_url = http://127.0.0.1:5000/v3\npassword = ${SECRET}\nvif_plugging_timeout: 30\n` +
        `application_credential_secret = ${SECRET}-2\n[binding]\ndriver = kuryr.lib.binding.drivers.vlan\n`,
    );
    const r = await kuryr(['config', 'check', '--config-file', file, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes('kt-it-se') && !r.stderr.includes('kt-it-se'), 'secret leaked');
    const out = JSON.parse(r.stdout) as {
      ok: boolean;
      files: string[];
      options: Row[];
      warnings: string[];
    };
    assert.equal(out.ok, true);
    assert.deepEqual(out.files, [file]);
    assert.deepEqual(row(out.options, 'neutron', 'password'), {
      section: 'neutron',
      key: 'password',
      type: 'string',
      value: '***',
      source: `${file}:7`,
      secret: true,
    });
    assert.equal(row(out.options, 'neutron', 'application_credential_secret').value, '***');
    assert.equal(row(out.options, 'neutron', 'vif_plugging_timeout').value, 30);
    assert.equal(row(out.options, 'DEFAULT', 'kuryr_uri').value, 'http://127.0.0.1:23751');
    assert.equal(row(out.options, 'binding', 'default_driver').source, `${file}:11`);
    assert.equal(row(out.options, 'neutron', 'enable_dhcp').source, 'default');
    assert.ok(out.warnings.includes(`${file}:3: [DEFAULT] bogus_key: unknown option, ignored`));
    assert.ok(out.warnings.some((w) => w.includes('driver is deprecated, use default_driver')));
  });

  test('unusable credentials are reported as a warning', async () => {
    const file = await conf(
      'v2.conf',
      '[neutron]\nauth_type = v2password\nauth_url = http://127.0.0.1:5000/v2.0\n',
    );
    const r = await kuryr(['config', 'check', '--config-file', file, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { warnings: string[] };
    assert.ok(
      out.warnings.some((w) => /^\[neutron\] credentials: .*v2/.test(w)),
      out.warnings.join('\n'),
    );
  });

  test('text output masks secrets and prints warnings on stderr', async () => {
    const file = await conf('text.conf', `[neutron]\npassword = ${SECRET}\nnot_an_option = x\n`);
    const r = await kuryr(['config', 'check', '--config-file', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^password = \\*\\*\\*    # ${file}:2$`, 'm'));
    assert.match(r.stderr, /warning: .*not_an_option: unknown option/);
    assert.ok(!r.stdout.includes('kt-it-se') && !r.stderr.includes('kt-it-se'));
  });

  test('oslo env and --debug are reported with their origin', async () => {
    const file = await conf('env.conf', '[DEFAULT]\ndebug = false\n');
    const r = await kuryr(
      ['config', 'check', '--config-file', file, '--json', '--debug', '--changed'],
      {
        OS_NEUTRON__PASSWORD: SECRET,
        OS_CNI_DAEMON__BIND_ADDRESS: '127.0.0.1:15036',
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes('kt-it-se'));
    const out = JSON.parse(r.stdout) as { options: Row[] };
    assert.equal(row(out.options, 'neutron', 'password').source, 'env OS_NEUTRON__PASSWORD');
    assert.equal(row(out.options, 'cni_daemon', 'bind_address').value, '127.0.0.1:15036');
    assert.deepEqual(row(out.options, 'DEFAULT', 'debug'), {
      section: 'DEFAULT',
      key: 'debug',
      type: 'bool',
      value: true,
      source: 'cli [DEFAULT] debug',
      secret: false,
    });
    assert.equal(
      out.options.some((o) => o.source === 'default'),
      false,
      '--changed lists only non-defaults',
    );
  });

  test('wrong type: exit 1 with file:line: [section] key: message, no secret in the error', async () => {
    const file = await conf(
      'bad.conf',
      `[neutron]\npassword = ${SECRET}\nvif_plugging_timeout = soon\n`,
    );
    const r = await kuryr(['config', 'check', '--config-file', file, '--json']);
    assert.equal(r.code, 1);
    const out = JSON.parse(r.stdout) as { ok: boolean; errors: string[] };
    assert.equal(out.ok, false);
    assert.match(
      out.errors[0]!,
      new RegExp(`${file}:3: \\[neutron\\] vif_plugging_timeout: expected an integer`),
    );
    assert.ok(!r.stdout.includes('kt-it-se') && !r.stderr.includes('kt-it-se'));
    const text = await kuryr(['config', 'check', '--config-file', file]);
    assert.equal(text.code, 1);
    assert.match(text.stderr, /vif_plugging_timeout: expected an integer/);
  });

  test('syntax error and missing explicit file: exit 1', async () => {
    const file = await conf('syntax.conf', 'debug = true\n');
    const r = await kuryr(['config', 'check', '--config-file', file]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`${file}:1: Section must be started before assignment`));
    const missing = await kuryr([
      'config',
      'check',
      '--config-file',
      join(dir, 'absent.conf'),
      '--json',
    ]);
    assert.equal(missing.code, 1);
    assert.match(missing.stdout, /absent\.conf/);
  });

  test('--config-file and --config-dir are read in command-line order', async () => {
    const d = join(dir, 'conf.d');
    await mkdir(d);
    await writeFile(join(d, '10-region.conf'), '[neutron]\nregion_name = FROM_DIR\n');
    const file = await conf('order.conf', '[neutron]\nregion_name = FROM_FILE\n');
    const region = async (args: string[]) => {
      const r = await kuryr(['config', 'check', ...args, '--json']);
      assert.equal(r.code, 0, r.stderr);
      return row((JSON.parse(r.stdout) as { options: Row[] }).options, 'neutron', 'region_name')
        .value;
    };
    assert.equal(await region(['--config-dir', d, '--config-file', file]), 'FROM_FILE');
    assert.equal(await region(['--config-file', file, '--config-dir', d]), 'FROM_DIR');
  });

  test('config sample prints every option commented out; uncommenting it loads with the defaults', async () => {
    const r = await kuryr(['config', 'sample']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^#default_subnetpool_v4 = kuryr$/m);
    // Uncomment every option that has a concrete default: the result must load and change nothing.
    const active = r.stdout.replace(/^#([a-z0-9_]+ = (?!<).*)$/gm, '$1');
    const file = await conf('sample.conf', active);
    const check = await kuryr(['config', 'check', '--config-file', file, '--json']);
    assert.equal(check.code, 0, check.stdout + check.stderr);
    const out = JSON.parse(check.stdout) as { options: Row[]; warnings: string[] };
    assert.deepEqual(
      out.warnings.filter((w) => !w.startsWith('[neutron] credentials')),
      [],
    );
    assert.equal(row(out.options, 'neutron', 'vif_plugging_timeout').value, 0);
    assert.deepEqual(row(out.options, 'kubernetes', 'enabled_handlers').value, [
      'vif',
      'endpoints',
      'service',
      'kuryrloadbalancer',
      'kuryrport',
    ]);
  });

  test('--version prints the package version', async () => {
    const r = await kuryr(['--version']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^\d+\.\d+\.\d+/);
  });
});
