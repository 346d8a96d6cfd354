/**
 * Config → real Keystone/Neutron: credentials from openrc `OS_*`, from `OS_CLOUD` + clouds.yaml and from
 * kuryr.conf `[neutron]` go through loadConfig → snakeSection → the keystoneauth converter → a session, and
 * must yield a token for the expected user/project and a working Neutron call. Needs scripts/openstack.sh.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { AuthError } from '../../../src/common/errors/index.js';
import { loadConfig, type LoadedConfig } from '../../../src/common/config/loader.js';
import { snakeSection } from '../../../src/common/config/schema/index.js';
import { connectionOptionsFromKeystoneauth } from '../../../src/openstack/session-keystoneauth.js';
import { createOpenStackSession } from '../../../src/openstack/session.js';
import { requireOpenStackEnv, type OpenStackEnv } from '../../helpers/openstack-env.js';

let os: OpenStackEnv;
let dir: string;
let openrc: Record<string, string>;
const log = pino({ level: 'silent' });

/** loadConfig with only the given environment (never the machine's /etc/kuryr or clouds.yaml). */
const load = (env: Record<string, string>, configFiles: string[] = []) =>
  loadConfig({
    env,
    configFiles,
    defaultConfigFiles: [],
    defaultConfigDirs: [],
    cwd: dir,
    home: dir,
  });

/** Authenticate with what the config says and list one Neutron network. */
async function whoAmI(loaded: LoadedConfig) {
  const session = createOpenStackSession(
    connectionOptionsFromKeystoneauth(snakeSection(loaded.config, 'neutron')),
    log,
  );
  try {
    const user =
      session.identity.mode === 'keystone'
        ? (await session.identity.tokenInfo()).user?.name
        : undefined;
    const project =
      session.identity.mode === 'keystone'
        ? (await session.identity.tokenInfo()).project?.name
        : undefined;
    const nets = await session.client('network').request<{ networks: unknown[] }>({
      method: 'GET',
      path: '/v2.0/networks',
      query: { limit: 1 },
    });
    return {
      mode: session.identity.mode,
      user,
      project,
      status: nets.status,
      isList: Array.isArray(nets.body.networks),
    };
  } finally {
    await session.close();
  }
}

before(async () => {
  os = requireOpenStackEnv();
  assert.equal(os.authType, 'password', 'this suite needs the Keystone-backed bed');
  dir = await mkdtemp(join(tmpdir(), 'kt-it-cred-'));
  openrc = {
    OS_AUTH_URL: os.authUrl,
    OS_USERNAME: os.adminUser.username,
    OS_PASSWORD: os.adminUser.password,
    OS_PROJECT_NAME: os.adminUser.projectName,
    OS_USER_DOMAIN_NAME: os.userDomainName,
    OS_PROJECT_DOMAIN_NAME: os.projectDomainName,
    OS_REGION_NAME: os.region,
  };
});
after(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('config credentials against the real cloud', () => {
  test('openrc OS_* variables authenticate (auth_type inferred) and reach Neutron', async () => {
    const loaded = await load(openrc);
    assert.equal(loaded.config.neutron.authType, 'password');
    const me = await whoAmI(loaded);
    assert.deepEqual(me, {
      mode: 'keystone',
      user: os.adminUser.username,
      project: os.adminUser.projectName,
      status: 200,
      isList: true,
    });
  });

  test('OS_CLOUD + clouds.yaml beats openrc variables', async () => {
    const loaded = await load({
      ...openrc,
      OS_CLOUD: 'kuryr',
      OS_CLIENT_CONFIG_FILE: join(os.osDir, 'clouds.yaml'),
    });
    const me = await whoAmI(loaded);
    assert.equal(me.user, os.kuryrUser.username);
    assert.equal(me.project, os.kuryrUser.projectName);
    assert.equal(me.status, 200);
  });

  test('clouds.yaml noauth cloud: auth_type none + network_endpoint_override', async () => {
    const loaded = await load({
      OS_CLOUD: 'kuryr-noauth',
      OS_CLIENT_CONFIG_FILE: join(os.osDir, 'clouds.yaml'),
    });
    assert.equal(loaded.config.neutron.authType, 'none');
    const me = await whoAmI(loaded);
    assert.deepEqual([me.mode, me.status, me.isList], ['noauth', 200, true]);
  });

  test('kuryr.conf [neutron] credentials win over ambient ones', async () => {
    const file = join(dir, 'kuryr.conf');
    await writeFile(
      file,
      `[neutron]\nauth_type = password\nauth_url = ${os.authUrl}\nusername = ${os.kuryrUser.username}\n` +
        `password = ${os.kuryrUser.password}\nproject_name = ${os.kuryrUser.projectName}\n` +
        `user_domain_name = ${os.userDomainName}\nproject_domain_name = ${os.projectDomainName}\n` +
        `region_name = ${os.region}\n`,
      { mode: 0o600 },
    );
    const loaded = await load(openrc, [file]);
    assert.equal(loaded.sources.neutron!.password!.kind, 'file');
    const me = await whoAmI(loaded);
    assert.equal(me.user, os.kuryrUser.username);
    assert.equal(me.project, os.kuryrUser.projectName);
  });

  test('a wrong password in kuryr.conf is rejected by Keystone with an auth error', async () => {
    const file = join(dir, 'bad.conf');
    await writeFile(
      file,
      `[neutron]\nauth_type = password\nauth_url = ${os.authUrl}\nusername = ${os.kuryrUser.username}\n` +
        `password = kt-it-wrong\nproject_name = ${os.kuryrUser.projectName}\nuser_domain_name = Default\n` +
        `project_domain_name = Default\n`,
    );
    const loaded = await load({}, [file]);
    await assert.rejects(whoAmI(loaded), (err: Error) => {
      assert.ok(err instanceof AuthError, `${err.name}: ${err.message}`);
      assert.ok(!err.message.includes('kt-it-wrong'), 'password leaked into the error');
      return true;
    });
  });
});
