/**
 * @module The CNI daemon's HTTP routes: our shim's `/cni/v1/{add,del,check,gc,status}` and Python Kuryr's
 * `/addNetwork` (202 + VIF primitive) and `/delNetwork` (204) so its Go shim keeps working
 * (COMPATIBILITY.md §8). Parses, dispatches to the mode's service, translates errors, records metrics.
 */
import type { Logger } from 'pino';
import { UnsupportedError } from '../../common/errors/index.js';
import { toCniErrorReply } from '../cni-errors.js';
import { CniCodedError } from '../cni-errors.js';
import type { CniMetrics } from './metrics.js';
import { parseCniRequest } from './request.js';
import type { StandaloneCniService } from './standalone-service.js';
import type { AddOutcome, Attachment, CniRequest, DaemonCommand } from './types.js';

/** Kubernetes mode (pods): ADD waits for the controller's VIF; DEL leaves the port to the controller. */
export interface KubernetesCni {
  add(req: CniRequest, signal?: AbortSignal): Promise<AddOutcome>;
  del(req: CniRequest, signal?: AbortSignal): Promise<void>;
}

/** Encodes an ADD outcome as the os-vif primitive the Python Go shim expects. */
export type VifEncoder = (outcome: AddOutcome) => unknown;

/** A reply: status plus JSON body (undefined = empty). */
export interface RouteReply {
  status: number;
  body?: unknown;
}

/** Collaborators of the routes. */
export interface RouteDeps {
  standalone: StandaloneCniService;
  kubernetes?: KubernetesCni;
  encodeVif: VifEncoder;
  metrics: CniMetrics;
  log: Logger;
}

const OURS: Record<string, DaemonCommand> = {
  '/cni/v1/add': 'ADD',
  '/cni/v1/del': 'DEL',
  '/cni/v1/check': 'CHECK',
  '/cni/v1/gc': 'GC',
  '/cni/v1/status': 'STATUS',
};

function validAttachments(config: Record<string, unknown>): Attachment[] {
  const raw = config['cni.dev/valid-attachments'];
  if (raw === undefined) return [];
  if (!Array.isArray(raw))
    throw new CniCodedError(7, 400, '"cni.dev/valid-attachments" must be a list');
  return raw.map((a: unknown) => {
    const o = (a ?? {}) as Record<string, unknown>;
    if (typeof o.containerID !== 'string' || typeof o.ifname !== 'string') {
      throw new CniCodedError(7, 400, 'valid-attachments entries need containerID and ifname');
    }
    return { containerId: o.containerID, ifName: o.ifname };
  });
}

/** Routes one request; never throws. */
export class CniRoutes {
  constructor(private readonly deps: RouteDeps) {}

  private isPod(req: CniRequest): boolean {
    // podman sets K8S_POD_NAME for plain containers too; only a namespace means Kubernetes.
    return req.args.has('K8S_POD_NAMESPACE');
  }

  private kube(): KubernetesCni {
    if (!this.deps.kubernetes) {
      throw new UnsupportedError(
        'Kubernetes mode is not enabled in this kuryr-daemon ([kubernetes] api_root)',
      );
    }
    return this.deps.kubernetes;
  }

  private async run(
    command: DaemonCommand,
    req: CniRequest,
    signal?: AbortSignal,
  ): Promise<AddOutcome | string[] | void> {
    const s = this.deps.standalone;
    switch (command) {
      case 'ADD':
        return this.isPod(req) ? this.kube().add(req, signal) : s.add(req, signal);
      case 'DEL':
        return this.isPod(req) ? this.kube().del(req, signal) : s.del(req, signal);
      case 'CHECK':
        return s.check(req, signal);
      case 'GC':
        return s.gc(req, validAttachments(req.config), signal);
      case 'STATUS':
        return s.status(signal);
    }
  }

  /** Handles `POST path` with decoded `body` (undefined when it was not JSON). */
  async handle(path: string, body: unknown, signal?: AbortSignal): Promise<RouteReply> {
    const python = path === '/addNetwork' || path === '/delNetwork';
    const command: DaemonCommand | undefined = python
      ? path === '/addNetwork'
        ? 'ADD'
        : 'DEL'
      : OURS[path];
    if (command === undefined)
      return { status: 404, body: { code: 4, msg: `unknown path ${path}`, details: '' } };
    const started = process.hrtime.bigint();
    let failed = false;
    try {
      if (body === undefined) throw new CniCodedError(6, 400, 'request body is not JSON');
      const req = parseCniRequest(body, command);
      const out = await this.run(command, req, signal);
      if (command === 'ADD') {
        const outcome = out as AddOutcome;
        return python
          ? { status: 202, body: this.deps.encodeVif(outcome) }
          : { status: 200, body: { result: outcome.result } };
      }
      if (command === 'GC') return { status: 200, body: { removed: out } };
      return { status: 204 };
    } catch (err) {
      failed = true;
      const reply = toCniErrorReply(err);
      const level = reply.status >= 500 ? 'error' : 'warn';
      this.deps.log[level]({ err, command, path }, 'CNI request failed');
      return { status: reply.status, body: reply.body };
    } finally {
      this.deps.metrics.observe(command, failed, Number(process.hrtime.bigint() - started) / 1e9);
    }
  }
}
