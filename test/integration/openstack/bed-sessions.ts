/**
 * Shared by the OpenStack integration tests: sessions on the real test bed, closed together after the
 * suite, and password credentials for the bed's accounts.
 *
 * @module test/integration/openstack/bed-sessions
 */
import { pino } from 'pino';
import { createOpenStackSession, type OpenStackSession } from '../../../src/openstack/session.js';
import type {
  AuthOptions,
  OpenStackConnectionOptions,
} from '../../../src/openstack/session-options.js';
import type { OpenStackAccount, OpenStackEnv } from '../../helpers/openstack-env.js';

/** Opens sessions against the bed with small, bounded retries; `closeAll()` in `after`. */
export class BedSessions {
  private readonly sessions: OpenStackSession[] = [];
  private readonly log = pino({ level: 'silent' });

  constructor(private readonly env: OpenStackEnv) {}

  /** A session with `auth`; `extra` overrides the defaults. */
  open(auth: AuthOptions, extra: Partial<OpenStackConnectionOptions> = {}): OpenStackSession {
    const s = createOpenStackSession(
      {
        auth,
        regionName: this.env.region,
        timeouts: { requestMs: 30_000 },
        retries: { attempts: 3, baseDelayMs: 50, maxDelayMs: 500 },
        ...extra,
      },
      this.log,
    );
    this.sessions.push(s);
    return s;
  }

  /** Password credentials of a bed account, project-scoped, against `authUrl` (default: main Keystone). */
  passwordAuth(a: OpenStackAccount, authUrl = this.env.authUrl): AuthOptions {
    return {
      type: 'password',
      authUrl,
      username: a.username,
      password: a.password,
      userDomainName: this.env.userDomainName,
      projectName: a.projectName,
      projectDomainName: this.env.projectDomainName,
    };
  }

  async closeAll(): Promise<void> {
    for (const s of this.sessions.splice(0)) await s.close();
  }
}
