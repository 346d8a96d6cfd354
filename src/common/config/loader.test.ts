import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ConfigurationError } from '../errors/index.js';
import { loadConfig, osloEnvName, type LoadConfigOptions } from './loader.js';
import { formatSource } from './source.js';

let dir: string;
let n = 0;
async function conf(text: string, name = `k${n++}.conf`): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}
/** loadConfig isolated from the machine: no /etc/kuryr, no real env, no real clouds.yaml. */
const load = (o: LoadConfigOptions) =>
  loadConfig({
    env: {},
    defaultConfigFiles: [],
    defaultConfigDirs: [],
    cwd: join(dir, 'nocwd'),
    home: join(dir, 'nohome'),
    ...o,
  });
const src = (r: Awaited<ReturnType<typeof load>>, g: string, k: string) =>
  formatSource(r.sources[g]![k]!);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kt-config-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('loadConfig: files', () => {
  test('no file at all ⇒ pure defaults, every source "default"', async () => {
    const r = await load({});
    assert.equal(r.config.neutron.vifPluggingTimeout, 0);
    assert.deepEqual(r.files, []);
    assert.equal(src(r, 'neutron', 'vif_plugging_timeout'), 'default');
  });

  test('a missing default file is fine, a missing explicit file is an error', async () => {
    const r = await load({ defaultConfigFiles: [join(dir, 'absent.conf')] });
    assert.deepEqual(r.files, []);
    await assert.rejects(load({ configFiles: [join(dir, 'absent.conf')] }), ConfigurationError);
    await assert.rejects(load({ configDirs: [join(dir, 'absentdir')] }), ConfigurationError);
  });

  test('default file is read when no explicit file is given', async () => {
    const f = await conf('[DEFAULT]\ndebug = true\n');
    const r = await load({ defaultConfigFiles: [f] });
    assert.equal(r.config.default.debug, true);
    assert.deepEqual(r.files, [f]);
  });

  test('typed values with file:line sources; secrets verbatim in the typed config', async () => {
    const f = await conf(
      '[DEFAULT]\ncapability_scope = global\n[neutron]\npassword = se=cr;et#1\nvif_plugging_timeout: 7\n' +
        'enable_dhcp = No\n[neutron_defaults]\nsubnet_mapping = nested-vlan:s1\n[kubernetes]\nenabled_handlers = vif, kuryrport\n',
    );
    const r = await load({ configFiles: [f] });
    assert.equal(r.config.default.capabilityScope, 'global');
    assert.equal(r.config.neutron.password, 'se=cr;et#1');
    assert.equal(r.config.neutron.vifPluggingTimeout, 7);
    assert.equal(r.config.neutron.enableDhcp, false);
    assert.deepEqual(r.config.neutronDefaults.subnetMapping, { 'nested-vlan': 's1' });
    assert.deepEqual(r.config.kubernetes.enabledHandlers, ['vif', 'kuryrport']);
    assert.equal(src(r, 'neutron', 'vif_plugging_timeout'), `${f}:5`);
  });

  test('later files win; repeated single-valued key: the last wins', async () => {
    const a = await conf(
      '[neutron]\nvif_plugging_timeout = 1\nvif_plugging_timeout = 2\nregion_name = A\n',
    );
    const b = await conf('[neutron]\nvif_plugging_timeout = 3\n');
    const r1 = await load({ configFiles: [a] });
    assert.equal(r1.config.neutron.vifPluggingTimeout, 2);
    assert.equal(src(r1, 'neutron', 'vif_plugging_timeout'), `${a}:3`);
    const r2 = await load({ configFiles: [a, b] });
    assert.equal(r2.config.neutron.vifPluggingTimeout, 3);
    assert.equal(r2.config.neutron.regionName, 'A');
  });

  test('--config-dir reads *.conf sorted, after --config-file', async () => {
    const d = join(dir, 'conf.d');
    await mkdir(d);
    await writeFile(join(d, '20-b.conf'), '[neutron]\nregion_name = B\n');
    await writeFile(join(d, '10-a.conf'), '[neutron]\nregion_name = A\nenable_dhcp = false\n');
    await writeFile(join(d, 'ignored.txt'), '[neutron]\nregion_name = X\n');
    const f = await conf('[neutron]\nregion_name = F\nvif_plugging_timeout = 4\n');
    const r = await load({ configFiles: [f], configDirs: [d] });
    assert.equal(r.config.neutron.regionName, 'B');
    assert.equal(r.config.neutron.enableDhcp, false);
    assert.equal(r.config.neutron.vifPluggingTimeout, 4);
    assert.deepEqual(r.files, [f, join(d, '10-a.conf'), join(d, '20-b.conf')]);
  });

  test('configOrder reads files and dirs interleaved as on the command line (oslo)', async () => {
    const d = join(dir, 'order.d');
    await mkdir(d);
    await writeFile(join(d, 'a.conf'), '[neutron]\nregion_name = DIR\n');
    const f = await conf('[neutron]\nregion_name = FILE\n');
    const dirThenFile = await load({
      configOrder: [
        { kind: 'dir', path: d },
        { kind: 'file', path: f },
      ],
    });
    assert.equal(dirThenFile.config.neutron.regionName, 'FILE');
    const fileThenDir = await load({
      configOrder: [
        { kind: 'file', path: f },
        { kind: 'dir', path: d },
      ],
    });
    assert.equal(fileThenDir.config.neutron.regionName, 'DIR');
  });

  test('unknown keys and sections warn, do not fail', async () => {
    const f = await conf('[DEFAULT]\nbogus = 1\n[neutron]\nbogus2 = x\n[weird]\na = 1\nb = 2\n');
    const r = await load({ configFiles: [f] });
    assert.deepEqual(r.warnings, [
      `${f}:2: [DEFAULT] bogus: unknown option, ignored`,
      `${f}:4: [neutron] bogus2: unknown option, ignored`,
      `${f}:6: unknown section [weird], ignored`,
    ]);
  });

  test('deprecated names work and warn', async () => {
    const f = await conf(
      '[DEFAULT]\nport_driver = kuryr_libnetwork.port_driver.drivers.vlan\n[binding]\ndriver = x\n',
    );
    const r = await load({ configFiles: [f] });
    assert.equal(r.config.default.defaultPortDriver, 'kuryr_libnetwork.port_driver.drivers.vlan');
    assert.equal(r.config.binding.defaultDriver, 'x');
    assert.match(r.warnings.join('\n'), /port_driver is deprecated, use default_port_driver/);
  });

  test('wrong types fail with file:line: [section] key: message (all errors at once)', async () => {
    const f = await conf(
      '[neutron]\nvif_plugging_timeout = soon\n[DEFAULT]\ncapability_scope = galaxy\n',
    );
    await assert.rejects(load({ configFiles: [f] }), (err: unknown) => {
      assert.ok(err instanceof ConfigurationError);
      assert.match(
        err.message,
        new RegExp(`${f}:2: \\[neutron\\] vif_plugging_timeout: expected an integer`),
      );
      assert.match(
        err.message,
        new RegExp(`${f}:4: \\[DEFAULT\\] capability_scope: must be one of local, global`),
      );
      return true;
    });
  });

  test('INI syntax errors carry file:line', async () => {
    const f = await conf('debug = true\n');
    await assert.rejects(load({ configFiles: [f] }), new RegExp(`${f}:1: Section must be started`));
  });

  test('oslo substitution: $$ is a literal $, $opt references resolve, unknown ones fail with file:line', async () => {
    const f = await conf(
      '[DEFAULT]\nlog_dir = $bindir/log\n[neutron]\npassword = pa$$word\nregion_name = ${host}-r\n',
    );
    const r = await load({ configFiles: [f], env: { OS_DEFAULT__HOST: 'n1' } });
    assert.equal(r.config.default.logDir, '/usr/libexec/kuryr/log');
    assert.equal(r.config.neutron.password, 'pa$word');
    assert.equal(r.config.neutron.regionName, 'n1-r');
    const bad = await conf('[neutron]\npassword = pa$word\n');
    await assert.rejects(
      load({ configFiles: [bad] }),
      new RegExp(`${bad}:2: \\[neutron\\] password: substitution failed`),
    );
  });

  test('group names are case-insensitive except DEFAULT', async () => {
    const f = await conf('[Neutron]\nregion_name = R\n');
    assert.equal((await load({ configFiles: [f] })).config.neutron.regionName, 'R');
  });
});

describe('loadConfig: environment and CLI', () => {
  test('oslo env name', () => {
    assert.equal(osloEnvName('neutron', 'password'), 'OS_NEUTRON__PASSWORD');
    assert.equal(osloEnvName('cni_daemon', 'bind_address'), 'OS_CNI_DAEMON__BIND_ADDRESS');
  });

  test('OS_<GROUP>__<OPT> overrides files; unknown ones warn', async () => {
    const f = await conf('[DEFAULT]\ndebug = false\n[neutron]\npassword = file\n');
    const r = await load({
      configFiles: [f],
      env: { OS_DEFAULT__DEBUG: 'yes', OS_NEUTRON__PASSWORD: 'env', OS_NEUTRON__NOPE: '1' },
    });
    assert.equal(r.config.default.debug, true);
    assert.equal(r.config.neutron.password, 'env');
    assert.equal(src(r, 'neutron', 'password'), 'env OS_NEUTRON__PASSWORD');
    assert.deepEqual(r.warnings, ['env OS_NEUTRON__NOPE: no such option, ignored']);
  });

  test('bad env value names the variable', async () => {
    await assert.rejects(
      load({ env: { OS_NEUTRON__VIF_PLUGGING_TIMEOUT: 'x' } }),
      /env OS_NEUTRON__VIF_PLUGGING_TIMEOUT: \[neutron\] vif_plugging_timeout: expected an integer/,
    );
  });

  test('legacy OS_KURYR_URI / CAPABILITY_SCOPE / K8S_API are defaults, files beat them (as in Python)', async () => {
    const env = {
      OS_KURYR_URI: 'http://127.0.0.1:2377',
      CAPABILITY_SCOPE: 'global',
      K8S_API: 'http://k:8080',
    };
    const r1 = await load({ env });
    assert.equal(r1.config.default.kuryrUri, 'http://127.0.0.1:2377');
    assert.equal(r1.config.default.capabilityScope, 'global');
    assert.equal(r1.config.kubernetes.apiRoot, 'http://k:8080');
    const f = await conf('[DEFAULT]\ncapability_scope = local\n');
    const r2 = await load({ env, configFiles: [f] });
    assert.equal(r2.config.default.capabilityScope, 'local');
  });

  test('CLI overrides beat env and files; unknown override is an error', async () => {
    const f = await conf('[DEFAULT]\ndebug = false\n');
    const r = await load({
      configFiles: [f],
      env: { OS_DEFAULT__DEBUG: 'false' },
      overrides: { DEFAULT: { debug: true } },
    });
    assert.equal(r.config.default.debug, true);
    assert.equal(src(r, 'DEFAULT', 'debug'), 'cli [DEFAULT] debug');
    await assert.rejects(load({ overrides: { DEFAULT: { nope: 1 } } }), ConfigurationError);
  });
});

describe('loadConfig: ambient OpenStack credentials', () => {
  const OPENRC = {
    OS_AUTH_URL: 'http://ks:5000/v3',
    OS_USERNAME: 'envuser',
    OS_PASSWORD: 'envpass',
    OS_PROJECT_NAME: 'envproj',
    OS_USER_DOMAIN_NAME: 'Default',
    OS_PROJECT_DOMAIN_NAME: 'Default',
    OS_REGION_NAME: 'RegionOne',
    OS_INTERFACE: 'internalURL',
  };

  test('plain OS_* variables fill [neutron] keystoneauth keys', async () => {
    const r = await load({ env: OPENRC });
    const n = r.config.neutron;
    assert.deepEqual(
      [
        n.authUrl,
        n.username,
        n.password,
        n.projectName,
        n.userDomainName,
        n.regionName,
        n.endpointType,
        n.authType,
      ],
      [
        'http://ks:5000/v3',
        'envuser',
        'envpass',
        'envproj',
        'Default',
        'RegionOne',
        'internal',
        'password',
      ],
    );
    assert.equal(src(r, 'neutron', 'password'), 'env OS_PASSWORD');
  });

  test('noauth: OS_ENDPOINT alone ⇒ auth_type none + endpoint_override', async () => {
    const r = await load({ env: { OS_ENDPOINT: 'http://127.0.0.1:9696' } });
    assert.equal(r.config.neutron.authType, 'none');
    assert.equal(r.config.neutron.endpointOverride, 'http://127.0.0.1:9696');
  });

  const CLOUDS =
    'clouds:\n  kt:\n    auth:\n      auth_url: http://cloud:5000/v3\n      username: clouduser\n' +
    '      password: cloudpass\n      project_name: cloudproj\n    region_name: R2\n    interface: admin\n' +
    '    verify: false\n    cacert: /ca.pem\n';

  test('OS_CLOUD reads clouds.yaml (OS_CLIENT_CONFIG_FILE) and beats plain OS_*', async () => {
    const yaml = await conf(CLOUDS, 'clouds-a.yaml');
    const r = await load({ env: { ...OPENRC, OS_CLOUD: 'kt', OS_CLIENT_CONFIG_FILE: yaml } });
    const n = r.config.neutron;
    assert.deepEqual(
      [n.authUrl, n.username, n.password, n.regionName, n.endpointType, n.insecure, n.cafile],
      ['http://cloud:5000/v3', 'clouduser', 'cloudpass', 'R2', 'admin', true, '/ca.pem'],
    );
    // keys clouds.yaml lacks still come from OS_*
    assert.equal(n.userDomainName, 'Default');
    assert.equal(src(r, 'neutron', 'password'), `${yaml} (cloud kt)`);
  });

  test('clouds.yaml is searched in ./ then ~/.config/openstack', async () => {
    const home = join(dir, 'home1');
    await mkdir(join(home, '.config/openstack'), { recursive: true });
    await writeFile(join(home, '.config/openstack/clouds.yaml'), CLOUDS);
    const r = await load({ env: { OS_CLOUD: 'kt' }, home });
    assert.equal(r.config.neutron.username, 'clouduser');
    const cwd = join(dir, 'cwd1');
    await mkdir(cwd);
    await writeFile(join(cwd, 'clouds.yaml'), CLOUDS.replace('clouduser', 'cwduser'));
    assert.equal(
      (await load({ env: { OS_CLOUD: 'kt' }, home, cwd })).config.neutron.username,
      'cwduser',
    );
  });

  test('OS_CLOUD naming a missing cloud or with no clouds.yaml is an error', async () => {
    const yaml = await conf(CLOUDS, 'clouds-b.yaml');
    await assert.rejects(
      load({ env: { OS_CLOUD: 'other', OS_CLIENT_CONFIG_FILE: yaml } }),
      /no cloud 'other'.*clouds: kt/,
    );
    await assert.rejects(load({ env: { OS_CLOUD: 'kt' } }), /no clouds.yaml found/);
  });

  test('kuryr.conf beats clouds.yaml and OS_*: ambient credentials are ignored once it selects an identity', async () => {
    const yaml = await conf(CLOUDS, 'clouds-c.yaml');
    const f = await conf(
      '[neutron]\nauth_type = password\nauth_url = http://file:5000/v3\nusername = fileuser\n',
    );
    const r = await load({
      configFiles: [f],
      env: { ...OPENRC, OS_CLOUD: 'kt', OS_CLIENT_CONFIG_FILE: yaml },
    });
    const n = r.config.neutron;
    assert.deepEqual(
      [n.authUrl, n.username, n.password, n.regionName],
      ['http://file:5000/v3', 'fileuser', undefined, undefined],
    );
  });

  test('full precedence chain: CLI > oslo env > file > clouds.yaml > OS_* > default', async () => {
    const yaml = await conf(CLOUDS, 'clouds-d.yaml');
    const env = { ...OPENRC, OS_CLOUD: 'kt', OS_CLIENT_CONFIG_FILE: yaml };
    // region_name: OS_* < clouds.yaml
    assert.equal((await load({ env })).config.neutron.regionName, 'R2');
    // file beats clouds for a non-auth key (identity not re-selected by the file)
    const f = await conf('[neutron]\nregion_name = FILE\n');
    const r1 = await load({ env, configFiles: [f] });
    assert.equal(r1.config.neutron.regionName, 'FILE');
    assert.equal(r1.config.neutron.username, 'clouduser');
    // oslo env beats file
    const r2 = await load({ env: { ...env, OS_NEUTRON__REGION_NAME: 'ENV' }, configFiles: [f] });
    assert.equal(r2.config.neutron.regionName, 'ENV');
    // CLI beats oslo env
    const r3 = await load({
      env: { ...env, OS_NEUTRON__REGION_NAME: 'ENV' },
      configFiles: [f],
      overrides: { neutron: { region_name: 'CLI' } },
    });
    assert.equal(r3.config.neutron.regionName, 'CLI');
    // default when nobody sets it
    assert.equal((await load({})).config.neutron.regionName, undefined);
  });
});
