import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConflictError,
  NotFoundError,
  NotReadyError,
  TimeoutError,
  ValidationError,
} from '../common/errors/index.js';
import { CniCodedError, toCniErrorReply } from './cni-errors.js';

test('error categories map to the daemon HTTP status and CNI code table', () => {
  assert.deepEqual(
    [
      toCniErrorReply(new ValidationError('x')).status,
      toCniErrorReply(new ValidationError('x')).body.code,
    ],
    [400, 4],
  );
  assert.equal(toCniErrorReply(new NotFoundError('x')).body.code, 3);
  assert.equal(toCniErrorReply(new NotReadyError('x')).body.code, 11);
  assert.equal(toCniErrorReply(new TimeoutError('x')).status, 504);
  assert.equal(toCniErrorReply(new ConflictError('x')).body.code, 999);
  assert.deepEqual(toCniErrorReply(new CniCodedError(7, 400, 'bad')).body, {
    code: 7,
    msg: 'bad',
    details: '',
  });
});

test('unknown errors never leak their message', () => {
  const r = toCniErrorReply(new Error('password=hunter2'));
  assert.equal(r.status, 500);
  assert.equal(r.body.code, 999);
  assert.ok(!JSON.stringify(r.body).includes('hunter2'));
});
