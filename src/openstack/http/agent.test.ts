import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { isConfigurationError } from '../../common/errors/index.js';
import { createAgent } from './agent.js';
import { startDeadline } from './deadline.js';
import { TlsError } from './errors.js';
import { HttpTransport } from './transport.js';

const dir = mkdtempSync(join(tmpdir(), 'kc-tls-'));
const f = (name: string) => join(dir, name);
const silent = pino({ level: 'silent' });
let server: Server;
let url = '';

/** A CA, a server certificate for 127.0.0.1 and a client certificate, made with openssl. */
function makePki(): void {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  ssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '1',
    '-subj',
    '/CN=kc-test-ca',
  );
  writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  for (const who of ['server', 'client']) {
    ssl('req', ...ec, '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=kc-${who}`);
    ssl(
      'x509',
      '-req',
      '-in',
      `${who}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${who}.pem`,
      '-days',
      '1',
      ...(who === 'server' ? ['-extfile', 'san.ext'] : []),
    );
  }
}

before(async () => {
  makePki();
  server = createServer(
    {
      key: readFileSync(f('server.key')),
      cert: readFileSync(f('server.pem')),
      ca: readFileSync(f('ca.pem')),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

async function get(tls: Parameters<typeof createAgent>[0], log = silent): Promise<unknown> {
  const agent = createAgent(tls, { connectMs: 2000 }, log);
  try {
    const t = new HttpTransport({ dispatcher: agent, retries: { attempts: 1 } }, log);
    const d = startDeadline(5000, undefined, Date.now);
    try {
      return (await t.send('network', url, { method: 'GET', path: '/' }, d)).body;
    } finally {
      d.dispose();
    }
  } finally {
    await agent.close();
  }
}

test('CA file + client certificate: mutual TLS works', async () => {
  assert.deepEqual(
    await get({ caFile: f('ca.pem'), certFile: f('client.pem'), keyFile: f('client.key') }),
    {
      ok: true,
    },
  );
});

test('unknown CA: TlsError (a ConfigurationError), not retried as unavailable', async () => {
  await assert.rejects(
    get({ certFile: f('client.pem'), keyFile: f('client.key') }),
    (e: unknown) => {
      assert.ok(e instanceof TlsError, String(e));
      assert.ok(isConfigurationError(e));
      assert.match(e.message, /cafile/);
      return true;
    },
  );
});

test('insecure skips verification and logs a warning', async () => {
  const lines: string[] = [];
  const log = pino(
    { level: 'warn' },
    new Writable({
      write(c: Buffer, _e, cb) {
        lines.push(c.toString());
        cb();
      },
    }),
  );
  assert.deepEqual(
    await get({ insecure: true, certFile: f('client.pem'), keyFile: f('client.key') }, log),
    {
      ok: true,
    },
  );
  assert.match(lines.join(''), /verification .* DISABLED/);
});

test('server requiring a client certificate refuses us without one', async () => {
  await assert.rejects(get({ caFile: f('ca.pem') }));
});

test('unreadable files and a lone cert are configuration errors', () => {
  assert.throws(
    () => createAgent({ caFile: f('nope.pem') }, undefined, silent),
    /cannot read the CA file/,
  );
  assert.throws(
    () => createAgent({ certFile: f('client.pem') }, undefined, silent),
    /both certfile and keyfile/,
  );
});
