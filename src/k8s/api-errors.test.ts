import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  isAuthError,
  isConflictError,
  isNotFoundError,
  isNotReadyError,
  isTimeoutError,
  isValidationError,
} from '../common/errors/index.js';
import { apiError, isResourceExpired, isStaleConflict, transportError } from './api-errors.js';

const call = { method: 'POST', path: '/api/v1/namespaces/x/pods' };

test('HTTP codes map onto the error categories', () => {
  assert.ok(isNotFoundError(apiError(404, { reason: 'NotFound' }, call)));
  assert.ok(isConflictError(apiError(409, { reason: 'AlreadyExists' }, call)));
  assert.ok(isValidationError(apiError(422, { reason: 'Invalid' }, call)));
  assert.ok(isValidationError(apiError(400, { reason: 'BadRequest' }, call)));
  assert.ok(isAuthError(apiError(401, {}, call)));
  assert.ok(isAuthError(apiError(403, { message: 'pods is forbidden: User cannot create' }, call)));
  assert.ok(isNotReadyError(apiError(500, {}, call)));
  assert.ok(isNotReadyError(apiError(503, {}, call)));
  assert.ok(isNotReadyError(apiError(429, {}, call)));
});

test('403 on a terminating namespace is a ConflictError, not an auth problem', () => {
  const err = apiError(
    403,
    {
      reason: 'Forbidden',
      message: 'unable to create new content in namespace x because it is being terminated',
    },
    call,
  );
  assert.ok(isConflictError(err));
  assert.match(err.message, /POST \/api\/v1\/namespaces\/x\/pods: unable to create/);
});

test('410 and stale 409 are recognisable; AlreadyExists is not stale', () => {
  assert.ok(isResourceExpired(apiError(410, { reason: 'Expired' }, call)));
  assert.ok(isNotReadyError(apiError(410, { reason: 'Expired' }, call)));
  assert.ok(isStaleConflict(apiError(409, { reason: 'Conflict' }, call)));
  assert.equal(isStaleConflict(apiError(409, { reason: 'AlreadyExists' }, call)), false);
});

test('transport failures: deadline ⇒ TimeoutError, connection errors ⇒ NotReadyError', () => {
  assert.ok(isTimeoutError(transportError(new Error('aborted'), call, true)));
  const e = transportError(
    new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') }),
    call,
    false,
  );
  assert.ok(isNotReadyError(e));
  assert.match(e.message, /unreachable \(connect ECONNREFUSED\)/);
});
