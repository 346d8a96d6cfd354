/**
 * Minimal REST access to the bed's real kube-apiserver (scripts/kube.sh) for the CNI tests: token + CA
 * from `scripts/kube.sh env`, JSON in and out. Implements the daemon's `KubeGetter`.
 *
 * @module test/integration/cni/kube-rest
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { parse } from 'yaml';
import { NotFoundError } from '../../../src/common/errors/index.js';
import type { KubeGetter } from '../../../src/cni/daemon/kuryrport-source.js';
import { ROOT } from './cni-harness.js';

/** A connection to the bed's apiserver. */
export class KubeRest implements KubeGetter {
  private readonly agent: Agent;

  constructor(
    readonly url: string,
    private readonly token: string,
    ca: string,
  ) {
    this.agent = new Agent({ connect: { ca } });
  }

  /** Starts the bed's apiserver if needed; throws a clear error when it cannot. */
  static fromBed(): KubeRest {
    let out: string;
    try {
      execFileSync('bash', [join(ROOT, 'scripts/kube.sh'), 'start'], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      out = execFileSync('bash', [join(ROOT, 'scripts/kube.sh'), 'env'], { encoding: 'utf8' });
    } catch (err) {
      throw new Error(
        `the real kube-apiserver is missing: scripts/kube.sh start failed (${(err as Error).message})`,
      );
    }
    const v = (k: string) => new RegExp(`${k}=(\\S+)`).exec(out)?.[1] ?? '';
    return new KubeRest(
      v('KURYR_KUBE_URL'),
      readFileSync(v('KURYR_KUBE_TOKEN_FILE'), 'utf8').trim(),
      readFileSync(v('KURYR_KUBE_CA'), 'utf8'),
    );
  }

  /** One JSON call; 404 → NotFoundError, other ≥ 400 → Error with the body. */
  async call(
    method: 'GET' | 'POST' | 'DELETE' | 'PATCH',
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<Record<string, unknown>> {
    const res = await request(`${this.url}${path}`, {
      method,
      dispatcher: this.agent,
      headers: {
        authorization: `Bearer ${this.token}`,
        'content-type': contentType,
        accept: 'application/json',
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    const text = await res.body.text();
    if (res.statusCode === 404) throw new NotFoundError(`${method} ${path}: 404`);
    if (res.statusCode >= 400) throw new Error(`${method} ${path}: ${res.statusCode} ${text}`);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  }

  async get(
    kind: { group: string; version: string; plural: string },
    name: string,
    namespace?: string,
  ): Promise<{ spec?: unknown; status?: unknown }> {
    return this.call(
      'GET',
      `/apis/${kind.group}/${kind.version}/namespaces/${namespace}/${kind.plural}/${name}`,
    );
  }

  /** Creates the CRD from a manifest unless it exists, then waits until its API answers. */
  async ensureCrd(manifest: string, listPath: string): Promise<void> {
    const crd = parse(readFileSync(manifest, 'utf8')) as Record<string, unknown>;
    try {
      await this.call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    } catch (err) {
      if (!/ 409 /.test((err as Error).message)) throw err;
    }
    for (let i = 0; i < 60; i++) {
      try {
        await this.call('GET', listPath);
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    throw new Error(`CRD ${manifest} never became available`);
  }

  async close(): Promise<void> {
    await this.agent.close();
  }
}
