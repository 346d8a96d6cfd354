import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cloudsYamlCandidates, credentialsFromOsEnv } from './credentials.js';

const asMap = (env: NodeJS.ProcessEnv) =>
  Object.fromEntries(credentialsFromOsEnv(env).map((c) => [c.key, c.value]));

test('application credentials infer v3applicationcredential', () => {
  assert.deepEqual(
    asMap({
      OS_AUTH_URL: 'http://k/v3',
      OS_APPLICATION_CREDENTIAL_ID: 'id',
      OS_APPLICATION_CREDENTIAL_SECRET: 's',
    }),
    {
      auth_url: 'http://k/v3',
      application_credential_id: 'id',
      application_credential_secret: 's',
      auth_type: 'v3applicationcredential',
    },
  );
});

test('token without password infers token; explicit OS_AUTH_TYPE wins', () => {
  assert.equal(asMap({ OS_AUTH_URL: 'u', OS_TOKEN: 't' }).auth_type, 'token');
  assert.equal(
    asMap({ OS_AUTH_URL: 'u', OS_TOKEN: 't', OS_AUTH_TYPE: 'v3token' }).auth_type,
    'v3token',
  );
});

test('TLS, legacy tenant names, publicURL and the more specific network endpoint', () => {
  const m = asMap({
    OS_CACERT: '/ca',
    OS_CERT: '/c',
    OS_KEY: '/k',
    OS_INSECURE: 'true',
    OS_TENANT_NAME: 'old',
    OS_INTERFACE: 'publicURL',
    OS_ENDPOINT: 'http://generic',
    OS_NETWORK_ENDPOINT: 'http://neutron',
  });
  assert.deepEqual(
    [
      m.cafile,
      m.certfile,
      m.keyfile,
      m.insecure,
      m.project_name,
      m.endpoint_type,
      m.endpoint_override,
      m.auth_type,
    ],
    ['/ca', '/c', '/k', 'true', 'old', 'public', 'http://neutron', 'none'],
  );
});

test('nothing set ⇒ nothing folded; empty values ignored; OS_KURYR_URI is not a credential', () => {
  assert.deepEqual(credentialsFromOsEnv({}), []);
  assert.deepEqual(credentialsFromOsEnv({ OS_PASSWORD: '', OS_KURYR_URI: 'http://x' }), []);
});

test('clouds.yaml search order', () => {
  assert.deepEqual(cloudsYamlCandidates({}, '/w', '/h'), [
    '/w/clouds.yaml',
    '/h/.config/openstack/clouds.yaml',
    '/etc/openstack/clouds.yaml',
  ]);
  assert.equal(
    cloudsYamlCandidates({ OS_CLIENT_CONFIG_FILE: '/x.yaml' }, '/w', '/h')[0],
    '/x.yaml',
  );
});
