/**
 * @module Test helper (unit tests only): a scripted Keystone v3 + service on one real local HTTP server.
 * `POST /v3/auth/tokens` issues tokens `tok-1`, `tok-2` … with the lifetime the test sets; every other path
 * is answered by the test's service handler.
 */
import {
  startTestServer,
  type RecordedRequest,
  type ScriptedReply,
  type TestServer,
} from '../http/test-server.js';

/** Knobs and state of the fake Keystone. */
export interface FakeKeystone extends TestServer {
  /** Tokens issued so far, in order. */
  issued: string[];
  /** Lifetime of the next tokens (ms). */
  lifetimeMs: number;
  /** When set, authentication fails with this Keystone 401. */
  reject: boolean;
  /** Number of `POST /v3/auth/tokens` received. */
  authRequests(): number;
}

/**
 * Starts the fake. The catalog lists `network` (public + internal, RegionOne and RegionTwo) at
 * `<url>/network/...` and `load-balancer` (public, RegionOne).
 */
export async function startFakeKeystone(
  service: (req: RecordedRequest) => ScriptedReply | Promise<ScriptedReply> = () => ({ body: {} }),
): Promise<FakeKeystone> {
  // The handler runs only after `fake` is assigned below; it reads the knobs the test sets on it.
  // eslint-disable-next-line prefer-const
  let fake: FakeKeystone | undefined;
  let base = '';
  const srv = await startTestServer((req) => {
    if (req.method === 'POST' && req.url === '/v3/auth/tokens') {
      const state = fake as FakeKeystone;
      if (state.reject) {
        return {
          status: 401,
          body: {
            error: {
              code: 401,
              message: 'The request you have made requires authentication.',
              title: 'Unauthorized',
            },
          },
        };
      }
      const token = `tok-${state.issued.length + 1}`;
      state.issued.push(token);
      const issued = new Date();
      const expires = new Date(issued.getTime() + state.lifetimeMs);
      return {
        status: 201,
        headers: { 'x-subject-token': token, 'x-openstack-request-id': `req-${token}` },
        body: {
          token: {
            methods: ['password'],
            issued_at: issued.toISOString(),
            expires_at: expires.toISOString(),
            user: { id: 'u1', name: 'kuryr', domain: { id: 'default', name: 'Default' } },
            project: { id: 'p1', name: 'service', domain: { id: 'default', name: 'Default' } },
            roles: [{ id: 'r1', name: 'admin' }],
            catalog: [
              {
                type: 'network',
                name: 'neutron',
                endpoints: [
                  {
                    interface: 'public',
                    region_id: 'RegionOne',
                    region: 'RegionOne',
                    url: `${base}/network/one/public`,
                  },
                  {
                    interface: 'internal',
                    region_id: 'RegionOne',
                    region: 'RegionOne',
                    url: `${base}/network/one/internal`,
                  },
                  {
                    interface: 'public',
                    region_id: 'RegionTwo',
                    region: 'RegionTwo',
                    url: `${base}/network/two/public`,
                  },
                ],
              },
              {
                type: 'load-balancer',
                name: 'octavia',
                endpoints: [{ interface: 'public', region_id: 'RegionOne', url: `${base}/lb` }],
              },
            ],
          },
        },
      };
    }
    return service(req);
  });
  base = srv.url;
  fake = Object.assign(srv, {
    issued: [] as string[],
    lifetimeMs: 3_600_000,
    reject: false,
    authRequests: () =>
      srv.requests.filter((r) => r.method === 'POST' && r.url === '/v3/auth/tokens').length,
  });
  return fake;
}
