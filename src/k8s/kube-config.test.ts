import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { isConfigurationError } from '../common/errors/index.js';
import { kubeConfigFromFile, kubeConfigFromOptions } from './kube-config.js';

test('api_root, CA and token file from kuryr.conf; missing files are ignored', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kk-kc-'));
  writeFileSync(join(dir, 'token'), 'secret-token');
  writeFileSync(join(dir, 'ca.crt'), 'not really a CA');
  const kc = kubeConfigFromOptions({
    apiRoot: 'https://10.0.0.1:6443',
    sslCaCrtFile: join(dir, 'ca.crt'),
    tokenFile: join(dir, 'token'),
    sslClientCrtFile: join(dir, 'missing.crt'),
    sslVerifyServerCrt: true,
  });
  const cluster = kc.getCurrentCluster()!;
  assert.equal(cluster.server, 'https://10.0.0.1:6443');
  assert.equal(cluster.caFile, join(dir, 'ca.crt'));
  assert.equal(cluster.skipTLSVerify, false);
  const user = kc.getCurrentUser()!;
  assert.equal(user.certFile, undefined);
  assert.equal(
    (user.authProvider as { config: { tokenFile: string } }).config.tokenFile,
    join(dir, 'token'),
  );
});

test('empty api_root ⇒ in-cluster service env; nothing at all ⇒ ConfigurationError', () => {
  const kc = kubeConfigFromOptions(
    { apiRoot: '' },
    { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '443' },
  );
  assert.equal(kc.getCurrentCluster()!.server, 'https://[fd00::1]:443');
  assert.throws(() => kubeConfigFromOptions({ apiRoot: '' }, {}), isConfigurationError);
});

test('plain http: allowed only without verification', () => {
  assert.equal(
    kubeConfigFromOptions({ apiRoot: 'http://127.0.0.1:8080' }).getCurrentCluster()!.skipTLSVerify,
    true,
  );
  assert.throws(
    () => kubeConfigFromOptions({ apiRoot: 'http://127.0.0.1:8080', sslVerifyServerCrt: true }),
    (e: Error) => isConfigurationError(e) && /plain http/.test(e.message),
  );
});

test('kubeconfig file missing ⇒ ConfigurationError naming KUBECONFIG', () => {
  assert.throws(
    () => kubeConfigFromFile('/nonexistent/kubeconfig'),
    (e: Error) => isConfigurationError(e) && /KUBECONFIG/.test(e.message),
  );
});
