import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigurationError } from '../common/errors/index.js';
import { connectionOptionsFromKeystoneauth } from './session-keystoneauth.js';

test('kuryr.conf [neutron] password section', () => {
  const o = connectionOptionsFromKeystoneauth({
    auth_type: 'password',
    auth_url: 'http://127.0.0.1:5000/v3',
    username: 'kuryr',
    password: 'pw',
    project_name: 'service',
    user_domain_name: 'Default',
    project_domain_name: 'Default',
    region_name: 'RegionOne',
    endpoint_type: 'internalURL',
    cafile: '/etc/ssl/ca.pem',
    insecure: 'False',
    timeout: '30',
    enable_dhcp: 'True',
  });
  assert.equal(o.auth.type, 'password');
  assert.equal(o.auth.username, 'kuryr');
  assert.equal(o.auth.projectDomainName, 'Default');
  assert.equal(o.regionName, 'RegionOne');
  assert.equal(o.interface, 'internal');
  assert.deepEqual(o.tls, {
    caFile: '/etc/ssl/ca.pem',
    certFile: undefined,
    keyFile: undefined,
    insecure: false,
  });
  assert.equal(o.timeouts?.headersMs, 30_000);
});

test('auth_type aliases', () => {
  const t = (auth_type: string, extra: Record<string, unknown> = {}) =>
    connectionOptionsFromKeystoneauth({ auth_type, auth_url: 'http://ks/v3', ...extra }).auth.type;
  assert.equal(t('v3password'), 'password');
  assert.equal(t('token'), 'token');
  assert.equal(t('v3token'), 'token');
  assert.equal(t('v3applicationcredential'), 'applicationcredential');
  assert.equal(t('none'), 'noauth');
  assert.equal(t('noauth'), 'noauth');
  assert.throws(
    () => t('v2password'),
    (e: unknown) => e instanceof ConfigurationError && /Keystone v2/.test(e.message),
  );
  assert.throws(() => t('v2token'), ConfigurationError);
  assert.throws(() => t('kerberos'), /not supported/);
});

test('auth type inferred when absent; nothing at all is an error', () => {
  assert.equal(
    connectionOptionsFromKeystoneauth({
      application_credential_id: 'a',
      application_credential_secret: 's',
      auth_url: 'x',
    }).auth.type,
    'applicationcredential',
  );
  assert.equal(connectionOptionsFromKeystoneauth({ token: 't', auth_url: 'x' }).auth.type, 'token');
  assert.throws(() => connectionOptionsFromKeystoneauth({}), /no OpenStack credentials configured/);
});

test('noauth with endpoint_override, system scope, booleans and defaults', () => {
  const o = connectionOptionsFromKeystoneauth({
    auth_type: 'none',
    endpoint_override: 'http://127.0.0.1:9697',
    insecure: true,
  });
  assert.deepEqual(o.endpointOverrides, { network: 'http://127.0.0.1:9697' });
  assert.equal(o.tls?.insecure, true);
  const s = connectionOptionsFromKeystoneauth({
    auth_type: 'password',
    auth_url: 'x',
    user_id: 'u',
    password: 'p',
    system_scope: 'all',
    default_domain_id: 'default',
    valid_interfaces: 'admin,public',
  });
  assert.equal(s.auth.systemScope, 'all');
  assert.equal(s.auth.userDomainId, 'default');
  assert.equal(s.interface, 'admin');
  assert.throws(
    () => connectionOptionsFromKeystoneauth({ auth_type: 'none', insecure: 'maybe' }),
    /not a boolean/,
  );
  assert.throws(
    () => connectionOptionsFromKeystoneauth({ auth_type: 'none', timeout: '-1' }),
    /positive/,
  );
});
