/**
 * Shared set-up of the Neutron and Octavia integration suites (neutron.test.ts, neutron-l3.test.ts,
 * octavia.test.ts): one session per auth mode (Keystone password as admin, or the bed's noauth twins), a
 * request-counting client, the project every object is created in, a unique prefix and a cleanup stack.
 *
 * @module test/integration/openstack/openstack-modes
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { NeutronClient } from '../../../src/openstack/neutron/index.js';
import { createOpenStackSession, type OpenStackSession } from '../../../src/openstack/session.js';
import { CleanupStack } from '../../../src/openstack/testing/cleanup-stack.js';
import { CountingClient } from '../../../src/openstack/testing/counting-client.js';
import { requireOpenStackEnv, type OpenStackEnv } from '../../helpers/openstack-env.js';
import { testPrefix } from '../../helpers/prefix.js';

/** The two ways the suites reach Neutron. */
export const OPENSTACK_MODES = ['keystone', 'noauth'] as const;
export type OpenStackMode = (typeof OPENSTACK_MODES)[number];

/** What a suite needs in one mode. */
export interface NeutronCtx {
  session: OpenStackSession;
  http: CountingClient;
  neutron: NeutronClient;
  /** Project of every created object (the admin project, or a throw-away id in noauth mode). */
  projectId: string;
  prefix: string;
  env: OpenStackEnv;
  cleanup: CleanupStack;
}

/**
 * A session in `mode` and the project to create objects in. In noauth mode the Neutron and (when the bed
 * runs it) Octavia noauth twins are used, with a throw-away project id.
 * @throws Error (the suite FAILS) when the noauth neutron-server is absent.
 */
export async function openModeSession(
  mode: OpenStackMode,
  env: OpenStackEnv,
): Promise<{ session: OpenStackSession; projectId: string }> {
  if (mode === 'keystone') {
    const session = createOpenStackSession(
      {
        auth: {
          type: 'password',
          authUrl: env.authUrl,
          username: env.adminUser.username,
          password: env.adminUser.password,
          projectName: env.adminUser.projectName,
          userDomainName: env.userDomainName,
          projectDomainName: env.projectDomainName,
        },
        regionName: env.region,
      },
      pino({ level: 'silent' }),
    );
    const info = await session.identity.tokenInfo();
    assert.ok(info.project, 'the admin token is project-scoped');
    return { session, projectId: info.project.id };
  }
  if (!env.neutronNoauthUrl) {
    throw new Error(
      'the bed exports no NEUTRON_NOAUTH_URL: the noauth neutron-server is not running',
    );
  }
  const endpointOverrides: Record<string, string> = { network: env.neutronNoauthUrl };
  if (env.octaviaNoauthUrl) endpointOverrides['load-balancer'] = env.octaviaNoauthUrl;
  const session = createOpenStackSession(
    { auth: { type: 'noauth' }, endpointOverrides },
    pino({ level: 'silent' }),
  );
  // noauth services act as admin without a project: every create names one explicitly.
  return { session, projectId: randomBytes(16).toString('hex') };
}

/**
 * In noauth mode Neutron makes a `default` security group for the throw-away project; registers its
 * delete. Call it first, so it runs last (after the ports that use the group).
 */
export function cleanupDefaultSecurityGroup(
  mode: OpenStackMode,
  cleanup: CleanupStack,
  neutron: NeutronClient,
  projectId: string,
): void {
  if (mode !== 'noauth') return;
  cleanup.push(`default security group of ${projectId}`, async () => {
    for (const sg of await neutron.securityGroups.listAll({ project_id: projectId })) {
      await neutron.securityGroups.deleteIfExists(sg.id);
    }
  });
}

/**
 * Opens a Neutron context in `mode`. Throws (the suite FAILS) when the bed, or its noauth server, is absent.
 * @param base short suite tag for the prefix, e.g. `nt` → `ka-nt-ks-3fa9c1`
 */
export async function openNeutronCtx(mode: OpenStackMode, base: string): Promise<NeutronCtx> {
  const env = requireOpenStackEnv();
  const { session, projectId } = await openModeSession(mode, env);
  const http = new CountingClient(session.client('network'));
  const neutron = new NeutronClient(http);
  const cleanup = new CleanupStack();
  cleanupDefaultSecurityGroup(mode, cleanup, neutron, projectId);
  const prefix = testPrefix(`ka-${base}-${mode === 'keystone' ? 'ks' : 'na'}`);
  return { session, http, neutron, projectId, prefix, env, cleanup };
}

/** Runs the cleanup stack, then closes the session (also when the cleanup failed). */
export async function closeNeutronCtx(c: NeutronCtx | undefined): Promise<void> {
  try {
    await c?.cleanup.run();
  } finally {
    await c?.session.close();
  }
}
