import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonStreamSplitter } from './json-rpc.js';

test('splits concatenated JSON values across chunk boundaries, braces inside strings ignored', () => {
  const s = new JsonStreamSplitter();
  assert.deepEqual(s.push('{"id":1,"result":["a}"'), []);
  assert.deepEqual(s.push(',"b\\"{"]}{"id":2'), ['{"id":1,"result":["a}","b\\"{"]}']);
  assert.deepEqual(s.push(',"x":[]}'), ['{"id":2,"x":[]}']);
});
