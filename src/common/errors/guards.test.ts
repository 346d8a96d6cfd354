import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConflictError, NotFoundError, NotReadyError } from './kuryr-error.js';
import { ignoreNotFound, isKuryrError, isNotFoundError, isNotReadyError } from './guards.js';

test('guards recognise categories and the base', () => {
  const e = new NotFoundError('gone', { details: { id: 'x' } });
  assert.equal(isNotFoundError(e), true);
  assert.equal(isKuryrError(e), true);
  assert.equal(isNotReadyError(e), false);
  assert.equal(e.name, 'NotFoundError');
  assert.deepEqual(e.details, { id: 'x' });
});

test('guards recognise an error from another module copy by name', () => {
  class NotReadyError2 extends Error {
    override name = 'NotReadyError';
  }
  assert.equal(isNotReadyError(new NotReadyError2('x')), true);
  assert.equal(isNotReadyError(new NotReadyError('x')), true);
});

test('ignoreNotFound treats NotFound as success and rethrows the rest', async () => {
  assert.equal(await ignoreNotFound(() => Promise.reject(new NotFoundError('x'))), false);
  assert.equal(await ignoreNotFound(() => Promise.resolve()), true);
  await assert.rejects(
    ignoreNotFound(() => Promise.reject(new ConflictError('c'))),
    ConflictError,
  );
});

test('cause is kept', () => {
  const root = new Error('socket hang up');
  const e = new NotReadyError('neutron unreachable', { cause: root });
  assert.equal(e.cause, root);
});

test('guards answer false for DOMException (abort/timeout) without throwing', () => {
  const abort = new DOMException('aborted', 'AbortError');
  assert.equal(isNotFoundError(abort), false);
  assert.equal(isKuryrError(abort), false);
});

test('a subclass from another module copy is recognised by its constructor chain', () => {
  class NotFoundError extends Error {}
  class PortNotFoundError extends NotFoundError {
    override name = 'PortNotFoundError';
  }
  assert.equal(isNotFoundError(new PortNotFoundError('x')), true);
  assert.equal(isNotReadyError(new PortNotFoundError('x')), false);
});
