import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { BodyTooLargeError, readBody } from './read-body.js';

function request(...chunks: string[]): IncomingMessage {
  const s = new PassThrough();
  for (const c of chunks) s.write(c);
  s.end();
  return s as unknown as IncomingMessage;
}

test('the whole body, across chunks', async () => {
  assert.equal(await readBody(request('{"a":', '1}'), 100), '{"a":1}');
  assert.equal(await readBody(request(), 100), '');
});

test('a body past the limit is refused with BodyTooLargeError', async () => {
  await assert.rejects(readBody(request('x'.repeat(60), 'y'.repeat(60)), 100), (e: unknown) => {
    assert.ok(e instanceof BodyTooLargeError);
    assert.equal(e.limitBytes, 100);
    return true;
  });
});
