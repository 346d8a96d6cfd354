/**
 * The env.sh that scripts/openstack.sh writes parses into the typed object the suites use.
 *
 * @module test/integration/bed/openstack-env.test
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadOpenStackEnv, parseEnvSh, requireOpenStackEnv } from '../../helpers/openstack-env.js';
import { testPrefix } from '../../helpers/prefix.js';

test('env.sh of the running bed matches what loadOpenStackEnv returns', () => {
  const env = requireOpenStackEnv({});
  const vars = parseEnvSh(readFileSync(join(env.osDir, 'env.sh'), 'utf8'));
  assert.equal(env.neutronUrl, vars.NEUTRON_URL);
  assert.equal(env.bindingHost, vars.KURYR_BINDING_HOST);
  assert.equal(env.kuryrUser.username, vars.KURYR_OS_KURYR_USERNAME);
  assert.equal(env.password, vars.OS_PASSWORD);
});

test('parseEnvSh handles several exports per line and trailing comments', () => {
  const vars = parseEnvSh('# c\nexport A=1 B=two   # note\nexport C="x y"\nnot=this\n');
  assert.deepEqual(vars, { A: '1', B: 'two', C: 'x y' });
});

test('process env wins over the file; absent bed reads as undefined and require throws', () => {
  const env = loadOpenStackEnv({ NEUTRON_URL: 'http://127.0.0.1:1/', OS_AUTH_TYPE: 'none' });
  assert.equal(env?.neutronUrl, 'http://127.0.0.1:1');
  assert.equal(env?.neutronNoauthUrl, 'http://127.0.0.1:1');
  assert.equal(loadOpenStackEnv({ KURYR_OS_DIR: '/nonexistent-kb' }), undefined);
  assert.throws(
    () => requireOpenStackEnv({ KURYR_OS_DIR: '/nonexistent-kb' }),
    /real OpenStack not running: run scripts\/openstack.sh start/,
  );
});

test('testPrefix is unique per call and validates its base', () => {
  const a = testPrefix('kb-it');
  assert.match(a, /^kb-it-[0-9a-f]{6}$/);
  assert.notEqual(a, testPrefix('kb-it'));
  assert.throws(() => testPrefix('bad base!'));
});
