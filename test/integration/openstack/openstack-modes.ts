/**
 * Shared set-up of the Neutron integration suites (neutron.test.ts, neutron-l3.test.ts): one session per
 * auth mode (Keystone password as admin, or the bed's noauth neutron-server), a request-counting client,
 * the project every object is created in, a unique `ka-nt-<mode>-<hex>` prefix and a cleanup stack.
 *
 * @module test/integration/openstack/neutron-context
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
export const NEUTRON_MODES = ['keystone', 'noauth'] as const;
export type NeutronMode = (typeof NEUTRON_MODES)[number];

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
 * Opens a session in `mode`. Throws (the suite FAILS) when the bed, or its noauth server, is absent.
 * @param base short suite tag for the prefix, e.g. `nt` → `ka-nt-ks-3fa9c1`
 */
export async function openNeutronCtx(mode: NeutronMode, base: string): Promise<NeutronCtx> {
  const env = requireOpenStackEnv();
  let session: OpenStackSession;
  let projectId: string;
  if (mode === 'keystone') {
    session = createOpenStackSession(
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
    projectId = info.project.id;
  } else {
    if (!env.neutronNoauthUrl) {
      throw new Error(
        'the bed exports no NEUTRON_NOAUTH_URL: the noauth neutron-server is not running',
      );
    }
    session = createOpenStackSession(
      { auth: { type: 'noauth' }, endpointOverrides: { network: env.neutronNoauthUrl } },
      pino({ level: 'silent' }),
    );
    // noauth Neutron acts as admin without a project: every create names one explicitly.
    projectId = randomBytes(16).toString('hex');
  }
  const http = new CountingClient(session.client('network'));
  const neutron = new NeutronClient(http);
  const cleanup = new CleanupStack();
  if (mode === 'noauth') {
    // Neutron makes a `default` security group for the throw-away project: registered first, so it is
    // deleted last (after the ports that use it).
    cleanup.push(`default security group of ${projectId}`, async () => {
      for (const sg of await neutron.securityGroups.listAll({ project_id: projectId })) {
        await neutron.securityGroups.deleteIfExists(sg.id);
      }
    });
  }
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
