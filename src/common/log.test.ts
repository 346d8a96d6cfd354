import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { createLogger, LOG_MASK, logFilePath, maskSecrets } from './log.js';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const destination = {
    write(chunk: string) {
      raw.push(chunk);
      lines.push(JSON.parse(chunk) as Record<string, unknown>);
    },
  };
  return { lines, raw, destination };
}

describe('createLogger', () => {
  test('level follows debug, explicit level wins', () => {
    assert.equal(createLogger({ destination: capture().destination }).level, 'info');
    assert.equal(createLogger({ debug: true, destination: capture().destination }).level, 'debug');
    assert.equal(
      createLogger({ debug: true, level: 'warn', destination: capture().destination }).level,
      'warn',
    );
  });

  test('JSON lines with name; child loggers carry their bindings', () => {
    const c = capture();
    const log = createLogger({ name: 'kt-test', destination: c.destination });
    log.child({ networkId: 'n1' }).info('hello');
    assert.equal(c.lines[0]!.name, 'kt-test');
    assert.equal(c.lines[0]!.networkId, 'n1');
    assert.equal(c.lines[0]!.msg, 'hello');
  });

  test('secrets are masked at the top level and nested, headers included', () => {
    const c = capture();
    const log = createLogger({ destination: c.destination });
    log.info(
      {
        password: 'p1',
        token: 't1',
        auth: { identity: { password: { user: { name: 'u', password: 'p2' } } } },
        req: { headers: { 'X-Auth-Token': 't2', 'x-subject-token': 't3', accept: 'json' } },
        cfg: { neutron: { application_credential_secret: 's1', credential: 'c1' } },
        secret: 's2',
      },
      'request',
    );
    log.child({ token: 't4' }).info('child');
    const text = c.raw.join('');
    for (const s of ['p1', 'p2', 't1', 't2', 't3', 't4', 's1', 's2', 'c1']) {
      assert.ok(!text.includes(`"${s}"`), `${s} leaked: ${text}`);
    }
    assert.match(text, /"accept":"json"/);
    // a whole `password` object (Keystone auth body) is masked as one
    assert.match(text, /"identity":\{"password":"\*\*\*"\}/);
    assert.match(text, /"msg":"request"/);
  });

  test('maskSecrets: any depth, any case, arrays, copy-on-write, non-plain objects untouched', () => {
    const input = {
      a: [{ b: { c: { d: { e: { Password: 'x' } } } } }],
      headers: { 'X-Subject-Token': 'y', 'content-type': 'json' },
      applicationCredentialSecret: 'z',
      tokenFile: '/path',
      empty: { password: '' },
    };
    const out = maskSecrets(input) as typeof input;
    assert.equal(out.a[0]!.b.c.d.e.Password, LOG_MASK);
    assert.equal(out.headers['X-Subject-Token'], LOG_MASK);
    assert.equal(out.headers['content-type'], 'json');
    assert.equal(out.applicationCredentialSecret, LOG_MASK);
    assert.equal(out.tokenFile, '/path', 'only keys ending in a secret word');
    assert.equal(out.empty.password, '');
    assert.equal(input.a[0]!.b.c.d.e.Password, 'x', 'input not mutated');
    const clean = { x: { y: [1, 2] } };
    assert.equal(maskSecrets(clean), clean, 'nothing to mask ⇒ same object');
    const err = Object.assign(new Error('e'), { password: 'p' });
    assert.equal(maskSecrets(err), err);
  });

  test('log_file / log_dir placement as oslo.log', () => {
    assert.equal(logFilePath({}), undefined);
    assert.equal(logFilePath({ logFile: '/var/log/k.log', logDir: '/x' }), '/var/log/k.log');
    assert.equal(logFilePath({ logFile: 'k.log', logDir: '/x' }), '/x/k.log');
    assert.equal(logFilePath({ logDir: '/x', name: 'kuryr-daemon' }), '/x/kuryr-daemon.log');
  });

  test('writes to log_dir/log_file, creating the directory', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kt-log-'));
    try {
      const log = createLogger({ logDir: join(dir, 'sub'), logFile: 'k.log' });
      log.info({ password: 'pw' }, 'to file');
      log.flush();
      const text = await readFile(join(dir, 'sub', 'k.log'), 'utf8');
      assert.match(text, /"msg":"to file"/);
      assert.ok(!text.includes('"pw"'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
