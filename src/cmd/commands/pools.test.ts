import { after, afterEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { addGlobalOptions } from './load-config.js';
import { registerPoolsCommand } from './pools.js';

const dir = mkdtempSync(join(tmpdir(), 'kpm-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  process.exitCode = undefined;
});

interface Seen {
  method: string;
  path: string;
  body: unknown;
}

/** A stand-in pool manager answering `status`/`text` and recording each request. */
async function stub(
  status: number,
  text: string,
): Promise<{ socket: string; seen: Seen[]; server: Server }> {
  const socket = join(dir, `s${Math.random().toString(16).slice(2)}.sock`);
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        path: req.url ?? '',
        body: body ? JSON.parse(body) : undefined,
      });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(text);
    });
  });
  await new Promise<void>((r) => server.listen(socket, r));
  return { socket, seen, server };
}

async function run(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  let out = '';
  let err = '';
  const program = addGlobalOptions(new Command('kuryr')).exitOverride();
  registerPoolsCommand(program, { out: (t) => (out += t), err: (t) => (err += t) });
  await program.parseAsync(['node', 'kuryr', ...args]);
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { out, err, code };
}

test('each sub-command sends its route and body; the reply text is printed', async () => {
  const s = await stub(200, 'Pools:\n["n",...] has 2 ports\n');
  try {
    const sock = ['pools', '--socket', s.socket];
    let r = await run(...sock, 'populate', '10.0.0.1', 'node-2', '-n', '3');
    assert.deepEqual(r, { out: 'Pools:\n["n",...] has 2 ports\n', err: '', code: 0 });
    await run(...sock, 'populate', 'node-1', '--namespace', 'team');
    await run(...sock, 'free', '10.0.0.1');
    await run(...sock, 'free');
    r = await run(...sock, 'list');
    assert.equal(r.code, 0);
    await run(...sock, 'show', '10.0.0.1', '--project', 'p1', '--sg', 'a', '--sg', 'b');
    assert.deepEqual(s.seen, [
      {
        method: 'POST',
        path: '/populatePool',
        body: { trunks: ['10.0.0.1', 'node-2'], num_ports: 3, namespace: 'default' },
      },
      {
        method: 'POST',
        path: '/populatePool',
        body: { trunks: ['node-1'], num_ports: 1, namespace: 'team' },
      },
      { method: 'POST', path: '/freePool', body: { trunks: ['10.0.0.1'] } },
      { method: 'POST', path: '/freePool', body: { trunks: [] } },
      { method: 'GET', path: '/listPools', body: undefined },
      { method: 'GET', path: '/showPool', body: { pool_key: ['10.0.0.1', 'p1', ['a', 'b']] } },
    ]);
  } finally {
    s.server.close();
  }
});

test('a non-2xx reply is printed on stderr with exit code 1', async () => {
  const s = await stub(400, 'Trunk port IP(s) missing.');
  try {
    const r = await run('pools', '--socket', s.socket, 'populate', 'x', '-n', 'many');
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
    assert.equal(r.err, 'kuryr pools: 400: Trunk port IP(s) missing.\n');
    // a count that is not an integer goes to the server as given: it refuses it with a 400
    assert.deepEqual(s.seen[0]?.body, { trunks: ['x'], num_ports: 'many', namespace: 'default' });
  } finally {
    s.server.close();
  }
});

test('no socket: a clear message and exit code 1', async () => {
  const r = await run('pools', '--socket', join(dir, 'missing.sock'), 'list');
  assert.equal(r.code, 1);
  assert.match(r.err, /no pool manager at .*missing\.sock.*enable_manager = True/);
});
