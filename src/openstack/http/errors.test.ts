import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  isAuthError,
  isConflictError,
  isNotFoundError,
  isNotReadyError,
  isTimeoutError,
  isValidationError,
} from '../../common/errors/index.js';
import {
  BadRequest,
  Conflict,
  errorFromResponse,
  Forbidden,
  Immutable,
  IpAddressAlreadyAllocated,
  IpAddressGenerationFailure,
  MacAddressInUse,
  NotFound,
  OverQuota,
  PortInUse,
  PreconditionFailed,
  RequestTimeout,
  ServerError,
  ServiceUnavailable,
  SubnetInUse,
  Unauthorized,
} from './errors.js';

const neutron = (type: string, message: string) => ({
  NeutronError: { type, message, detail: '' },
});

test('Neutron 404 PortNotFound → NotFound with type, message and request id', () => {
  const e = errorFromResponse(
    404,
    neutron('PortNotFound', 'Port 5e0c-… could not be found.'),
    'req-abc',
    'network',
  );
  assert.ok(e instanceof NotFound);
  assert.ok(isNotFoundError(e));
  assert.equal(e.status, 404);
  assert.equal(e.type, 'PortNotFound');
  assert.equal(e.requestId, 'req-abc');
  assert.equal(e.serviceType, 'network');
  assert.equal(e.message, 'Port 5e0c-… could not be found.');
});

test('Neutron 409 types map to their own classes and categories', () => {
  const cases: [string, new (...a: never[]) => Error, (e: unknown) => boolean][] = [
    ['OverQuota', OverQuota, isNotReadyError],
    ['IpAddressAlreadyAllocated', IpAddressAlreadyAllocated, isConflictError],
    ['PortInUse', PortInUse, isConflictError],
    ['SubnetInUse', SubnetInUse, isConflictError],
    ['MacAddressInUse', MacAddressInUse, isConflictError],
    ['IpAddressGenerationFailure', IpAddressGenerationFailure, isNotReadyError],
    ['ParentPortInUse', Conflict, isConflictError],
  ];
  for (const [type, cls, guard] of cases) {
    const e = errorFromResponse(409, neutron(type, `${type} happened`), undefined, 'network');
    assert.ok(e instanceof cls, type);
    assert.ok(guard(e), type);
    assert.equal(e.type, type);
    assert.equal(e.message, `${type} happened`);
  }
});

test('Neutron detail is appended to the message', () => {
  const e = errorFromResponse(
    400,
    { NeutronError: { type: 'HTTPBadRequest', message: 'Invalid input', detail: 'cidr bad' } },
    undefined,
    'network',
  );
  assert.ok(e instanceof BadRequest);
  assert.ok(isValidationError(e));
  assert.equal(e.message, 'Invalid input (cidr bad)');
});

test('Octavia faultcode/faultstring bodies', () => {
  const nf = errorFromResponse(
    404,
    { faultcode: 'Client', faultstring: 'Load Balancer abc not found.', debuginfo: null },
    'req-o',
    'load-balancer',
  );
  assert.ok(nf instanceof NotFound);
  assert.equal(nf.type, 'Client');
  assert.equal(nf.message, 'Load Balancer abc not found.');
  const imm = errorFromResponse(
    409,
    {
      faultcode: 'Client',
      faultstring: 'Load Balancer abc is immutable and cannot be updated.',
      debuginfo: null,
    },
    undefined,
    'load-balancer',
  );
  assert.ok(imm instanceof Immutable);
  assert.ok(isNotReadyError(imm));
  const quota = errorFromResponse(
    403,
    {
      faultcode: 'Client',
      faultstring: 'Quota has been met for resources: Load Balancer',
      debuginfo: null,
    },
    undefined,
    'load-balancer',
  );
  assert.ok(quota instanceof OverQuota);
});

test('Keystone error bodies → Unauthorized / Forbidden (AuthError)', () => {
  const e = errorFromResponse(
    401,
    {
      error: {
        code: 401,
        message: 'The request you have made requires authentication.',
        title: 'Unauthorized',
      },
    },
    'req-k',
    'identity',
  );
  assert.ok(e instanceof Unauthorized);
  assert.ok(isAuthError(e));
  assert.equal(e.type, 'Unauthorized');
  assert.equal(e.message, 'The request you have made requires authentication.');
  const f = errorFromResponse(
    403,
    neutron('PolicyNotAuthorized', 'rule:create_port:binding:host_id is disallowed by policy'),
    undefined,
    'network',
  );
  assert.ok(f instanceof Forbidden);
  assert.ok(isAuthError(f));
});

test('5xx, 429 and 408 are retryable categories; empty bodies get a generic message', () => {
  for (const status of [429, 502, 503, 504]) {
    const e = errorFromResponse(status, undefined, undefined, 'network');
    assert.ok(e instanceof ServiceUnavailable);
    assert.ok(isNotReadyError(e));
    assert.equal(e.message, `network service replied HTTP ${status}`);
  }
  const s = errorFromResponse(
    500,
    neutron('HTTPInternalServerError', 'boom'),
    undefined,
    'network',
  );
  assert.ok(s instanceof ServerError);
  assert.ok(isNotReadyError(s));
  const t = errorFromResponse(408, undefined, undefined, 'network');
  assert.ok(t instanceof RequestTimeout);
  assert.ok(isTimeoutError(t));
});

test('412 from a stale If-Match revision is retryable (PreconditionFailed)', () => {
  const e = errorFromResponse(
    412,
    {
      NeutronError: {
        type: 'RevisionNumberConstraintFailed',
        message: 'Constrained to 1, but current revision is 2',
        detail: '',
      },
    },
    undefined,
    'network',
  );
  assert.ok(e instanceof PreconditionFailed);
  assert.ok(isNotReadyError(e));
  assert.equal(e.status, 412);
});

test('HTML error pages from proxies are reduced to text', () => {
  const e = errorFromResponse(
    502,
    '<html><body><h1>502 Bad Gateway</h1></body></html>',
    undefined,
    'network',
  );
  assert.ok(e instanceof ServiceUnavailable);
  assert.equal(e.message, '502 Bad Gateway');
});

test('webob JSON faults are understood', () => {
  const e = errorFromResponse(
    400,
    { badRequest: { message: 'Malformed request body', code: 400 } },
    undefined,
    'network',
  );
  assert.ok(e instanceof BadRequest);
  assert.equal(e.type, 'badRequest');
  assert.equal(e.message, 'Malformed request body');
});
