/**
 * @module The pool manager's HTTP routes (Python Kuryr's protocol, plain-text replies):
 * `POST /populatePool` `{"trunks": [...], "num_ports": N}`, `POST /freePool` `{"trunks": [...]}`,
 * `GET /listPools`, `GET /showPool` `{"pool_key": [trunk, project_id, [sg, ...]]}`.
 *
 * Difference from the original (COMPATIBILITY.md §9): its handler never sent a status line; here
 * every reply has a real status — 200, 400 bad input (nothing changed), 404 unknown path, 405 wrong
 * method, 409 ambiguous trunk, 413 body too large, 503 standby / stopping / deadline, 500 otherwise —
 * with the same kind of text body. Bodies are validated strictly: unknown fields are refused, so a
 * typo never silently falls back to a default.
 */
import type { Logger } from 'pino';
import {
  isConflictError,
  isNotReadyError,
  isTimeoutError,
  isUnsupportedError,
  isValidationError,
  ValidationError,
} from '../../common/errors/index.js';
import type { PoolManagerService, PopulateResult } from './service.js';

/** One reply: status and plain-text body. */
export interface RouteReply {
  status: number;
  body: string;
  /** `Allow` header of a 405. */
  allow?: string;
}

/** Upper bounds of the inputs (a typo must not create a million ports). */
export const LIMITS = { trunks: 1000, trunkLength: 253, numPorts: 1000, sgs: 100 } as const;

/** Text of an unknown path (the original's wording). */
export const METHOD_NOT_ALLOWED = 'Method not allowed.';
const TRUNKS_MISSING = 'Trunk port IP(s) missing.';
const INVALID_KEY =
  'Invalid pool key: expected [trunk IP or node name, project id, [security group ids]].';

const ROUTES: Record<string, string> = {
  '/populatePool': 'POST',
  '/freePool': 'POST',
  '/listPools': 'GET',
  '/showPool': 'GET',
};

type Body = Record<string, unknown>;

function parseBody(text: string, allowed: readonly string[]): Body {
  if (text.trim() === '') return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`request body is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('request body must be a JSON object');
  }
  const extra = Object.keys(body).filter((k) => !allowed.includes(k));
  if (extra.length > 0) {
    throw new ValidationError(
      `unknown field(s) ${extra.join(', ')}; this route takes ${allowed.join(', ')}`,
    );
  }
  return body as Body;
}

function stringList(value: unknown, what: string, max: number): string[] {
  if (!Array.isArray(value)) throw new ValidationError(`${what} must be a list of strings`);
  if (value.length > max) throw new ValidationError(`${what}: at most ${max} entries`);
  for (const v of value) {
    if (typeof v !== 'string' || v === '' || v.length > LIMITS.trunkLength) {
      throw new ValidationError(`${what} must hold non-empty strings, got ${JSON.stringify(v)}`);
    }
  }
  return [...new Set(value as string[])];
}

/** Maps a kuryr error onto a status (the one place where that happens). */
export function statusOf(error: unknown): number {
  if (isValidationError(error) || isUnsupportedError(error)) return 400;
  if (isConflictError(error)) return 409;
  if (isNotReadyError(error) || isTimeoutError(error)) return 503;
  return 500;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Routes → {@link PoolManagerService}. */
export class PoolManagerRoutes {
  constructor(
    private readonly service: PoolManagerService,
    private readonly log: Logger,
  ) {}

  /** Answers one request; never throws. */
  async handle(method: string, path: string, body: string): Promise<RouteReply> {
    const expected = ROUTES[path];
    if (expected === undefined) return { status: 404, body: METHOD_NOT_ALLOWED };
    if (method !== expected) return { status: 405, body: METHOD_NOT_ALLOWED, allow: expected };
    try {
      switch (path) {
        case '/populatePool':
          return await this.populate(parseBody(body, ['trunks', 'num_ports', 'namespace']));
        case '/freePool':
          return await this.free(parseBody(body, ['trunks']));
        case '/listPools':
          return this.list();
        default:
          return await this.show(parseBody(body, ['pool_key']));
      }
    } catch (error) {
      const status = statusOf(error);
      if (status === 500) this.log.error({ err: error, path }, 'pool manager request failed');
      else
        this.log.info({ path, status, reason: messageOf(error) }, 'pool manager request refused');
      return { status, body: messageOf(error) };
    }
  }

  private async populate(b: Body): Promise<RouteReply> {
    if (b['trunks'] === undefined || (Array.isArray(b['trunks']) && b['trunks'].length === 0)) {
      return { status: 400, body: TRUNKS_MISSING };
    }
    const trunks = stringList(b['trunks'], 'trunks', LIMITS.trunks);
    const n = b['num_ports'] ?? 1;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > LIMITS.numPorts) {
      throw new ValidationError(
        `num_ports must be an integer from 1 to ${LIMITS.numPorts}, got ${JSON.stringify(n)}`,
      );
    }
    const ns = b['namespace'] ?? 'default';
    if (typeof ns !== 'string' || ns === '') {
      throw new ValidationError('namespace must be a non-empty string');
    }
    return populateReply(await this.service.populate(trunks, n, ns), n);
  }

  private async free(b: Body): Promise<RouteReply> {
    const trunks =
      b['trunks'] === undefined || b['trunks'] === null
        ? []
        : stringList(b['trunks'], 'trunks', LIMITS.trunks);
    const deleted = await this.service.free(trunks);
    const which = trunks.length === 0 ? 'every pool' : `the pools of ${trunks.join(', ')}`;
    return { status: 200, body: `Freed ${which}: ${deleted} port(s) deleted.` };
  }

  private list(): RouteReply {
    const pools = this.service.list();
    if (pools.length === 0) return { status: 200, body: 'There are no pools' };
    const lines = pools.map((p) => `${p.key} has ${p.free} ports\n`);
    return { status: 200, body: `Pools:\n${lines.join('')}` };
  }

  private async show(b: Body): Promise<RouteReply> {
    const key = b['pool_key'];
    if (!Array.isArray(key) || key.length !== 3) return { status: 400, body: INVALID_KEY };
    const [trunk, project, sgs] = key as unknown[];
    if (
      typeof trunk !== 'string' ||
      trunk === '' ||
      typeof project !== 'string' ||
      project === ''
    ) {
      return { status: 400, body: INVALID_KEY };
    }
    const groups = stringList(sgs, 'pool_key security groups', LIMITS.sgs);
    const ids = await this.service.show(trunk, project, groups);
    return { status: 200, body: ids.length === 0 ? 'Empty pool' : `${ids.join('\n')}\n` };
  }
}

function populateReply(r: PopulateResult, n: number): RouteReply {
  const done =
    r.populated.length === 0
      ? 'No pool was populated'
      : `Populated the pools of ${r.populated.join(', ')} (${n} port(s) each asked, ${r.created} created)`;
  if (r.failed === undefined) return { status: 200, body: `${done}.` };
  const status = statusOf(r.failed.error);
  return {
    // Some pools did change: never a 4xx ("nothing changed") then.
    status: r.populated.length > 0 && status < 500 ? 500 : status,
    body: `${done}; populating ${r.failed.trunk} failed: ${messageOf(r.failed.error)}`,
  };
}
