import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigurationError } from '../../common/errors/index.js';
import { authRequestBody, keystoneV3Base } from './auth-request.js';

test('auth URL normalised to the v3 base; v2.0 refused', () => {
  assert.equal(keystoneV3Base('http://ks:5000'), 'http://ks:5000/v3');
  assert.equal(keystoneV3Base('http://ks:5000/'), 'http://ks:5000/v3');
  assert.equal(keystoneV3Base('http://ks:5000/v3/'), 'http://ks:5000/v3');
  assert.equal(keystoneV3Base('https://x/identity'), 'https://x/identity/v3');
  assert.throws(() => keystoneV3Base('http://ks:5000/v2.0'), /v2.0 API, which no longer exists/);
  assert.throws(() => keystoneV3Base(undefined), ConfigurationError);
  assert.throws(() => keystoneV3Base('not a url'), ConfigurationError);
});

test('password, user and project by name with domains', () => {
  const body = authRequestBody({
    type: 'password',
    username: 'kuryr',
    password: 'pw',
    userDomainName: 'Default',
    projectName: 'service',
    projectDomainId: 'default',
  });
  assert.deepEqual(body, {
    auth: {
      identity: {
        methods: ['password'],
        password: { user: { name: 'kuryr', domain: { name: 'Default' }, password: 'pw' } },
      },
      scope: { project: { name: 'service', domain: { id: 'default' } } },
    },
  });
});

test('password by ids, domain scope, system scope, unscoped', () => {
  const base = { type: 'password' as const, userId: 'u1', password: 'pw' };
  assert.deepEqual(authRequestBody({ ...base, projectId: 'p1' }).auth, {
    identity: { methods: ['password'], password: { user: { id: 'u1', password: 'pw' } } },
    scope: { project: { id: 'p1' } },
  });
  assert.deepEqual(
    (authRequestBody({ ...base, domainName: 'Default' }).auth as { scope: unknown }).scope,
    { domain: { name: 'Default' } },
  );
  assert.deepEqual(
    (authRequestBody({ ...base, systemScope: 'all', projectId: 'p1' }).auth as { scope: unknown })
      .scope,
    { system: { all: true } },
  );
  assert.equal('scope' in (authRequestBody(base).auth as object), false);
});

test('token and application credential (id; name + user)', () => {
  assert.deepEqual(authRequestBody({ type: 'token', token: 't', projectId: 'p' }).auth, {
    identity: { methods: ['token'], token: { id: 't' } },
    scope: { project: { id: 'p' } },
  });
  assert.deepEqual(
    authRequestBody({
      type: 'applicationcredential',
      applicationCredentialId: 'ac',
      applicationCredentialSecret: 's',
      projectId: 'ignored',
    }).auth,
    {
      identity: {
        methods: ['application_credential'],
        application_credential: { id: 'ac', secret: 's' },
      },
    },
  );
  assert.deepEqual(
    authRequestBody({
      type: 'applicationcredential',
      applicationCredentialName: 'kc',
      applicationCredentialSecret: 's',
      username: 'kuryr',
      userDomainId: 'default',
    }).auth,
    {
      identity: {
        methods: ['application_credential'],
        application_credential: {
          name: 'kc',
          secret: 's',
          user: { name: 'kuryr', domain: { id: 'default' } },
        },
      },
    },
  );
});

test('missing fields are configuration errors naming the key', () => {
  assert.throws(
    () => authRequestBody({ type: 'password', username: 'x', userDomainId: 'd' }),
    /needs password/,
  );
  assert.throws(
    () => authRequestBody({ type: 'password', username: 'x', password: 'p' }),
    /user_domain_name/,
  );
  assert.throws(
    () => authRequestBody({ type: 'password', userId: 'x', password: 'p', projectName: 'p' }),
    /project_domain_name/,
  );
  assert.throws(() => authRequestBody({ type: 'token' }), /needs token/);
  assert.throws(
    () => authRequestBody({ type: 'applicationcredential', applicationCredentialId: 'a' }),
    /secret/,
  );
  assert.throws(
    () => authRequestBody({ type: 'password', userId: 'u', password: 'p', systemScope: 'x' }),
    /system_scope/,
  );
});
