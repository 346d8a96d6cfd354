/**
 * Runs the real `kuryr controller` as a child process against the test bed, for e2e tests and benches:
 * writes a kuryr.conf with the bed's admin credentials and the caller's pod network, and keeps the tail
 * of the controller's output for failure messages.
 *
 * @module test/helpers/controller-process
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OpenStackEnv } from './openstack-env.js';

const ROOT = join(fileURLToPath(import.meta.url), '../../..');

/** What the controller's `[neutron_defaults]` and `[kubernetes]` get. */
export interface ControllerSettings {
  projectId: string;
  podSubnetId: string;
  podSecurityGroupIds: string[];
  /** `[neutron_defaults] resource_tags`; none by default. */
  resourceTags?: string[];
  /** @default 'vif,kuryrport' */
  enabledHandlers?: string;
  /** @default 'noop' */
  vifPoolDriver?: string;
}

/** A running controller; `log()` is the last 4000 characters it printed. */
export interface ControllerProcess {
  child: ChildProcess;
  log(): string;
}

function controllerConf(os: OpenStackEnv, s: ControllerSettings): string {
  return [
    '[DEFAULT]',
    `host = ${os.bindingHost}`,
    '[neutron]',
    'auth_type = password',
    `auth_url = ${os.authUrl}`,
    `username = ${os.username}`,
    `password = ${os.password.replaceAll('$', '$$')}`,
    `project_name = ${os.projectName}`,
    `user_domain_name = ${os.userDomainName}`,
    `project_domain_name = ${os.projectDomainName}`,
    `region_name = ${os.region}`,
    '[kubernetes]',
    `enabled_handlers = ${s.enabledHandlers ?? 'vif,kuryrport'}`,
    'pod_vif_driver = neutron-vif',
    `vif_pool_driver = ${s.vifPoolDriver ?? 'noop'}`,
    '[neutron_defaults]',
    `project = ${s.projectId}`,
    `pod_subnet = ${s.podSubnetId}`,
    `pod_security_groups = ${s.podSecurityGroupIds.join(',')}`,
    ...(s.resourceTags?.length ? [`resource_tags = ${s.resourceTags.join(',')}`] : []),
    '[health_server]',
    'port = 0',
    '[prometheus_exporter]',
    'controller_exporter_port = 0',
    '',
  ].join('\n');
}

/** Starts `kuryr controller --kubeconfig <KUBECONFIG>` with a generated kuryr.conf. */
export function startController(os: OpenStackEnv, settings: ControllerSettings): ControllerProcess {
  const dir = mkdtempSync(join(tmpdir(), 'kt-controller-'));
  const conf = join(dir, 'kuryr.conf');
  writeFileSync(conf, controllerConf(os, settings), { mode: 0o600 });
  const kubeconfig = process.env.KUBECONFIG ?? '/tmp/kuryr-kube/kubeconfig';
  const args = ['--import', 'tsx', join(ROOT, 'src/cmd/kuryr.ts'), '--config-file', conf];
  const child = spawn(process.execPath, [...args, 'controller', '--kubeconfig', kubeconfig], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (d: Buffer) => (tail = (tail + d.toString()).slice(-4000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, log: () => tail };
}
