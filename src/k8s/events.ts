/**
 * @module `EventRecorder`: Kubernetes Events (core/v1) on the object a failure is about, so operators
 * see it in `kubectl describe` (`[kubernetes] use_events`). Recording never throws: an Event is a
 * courtesy, never a reason to fail or retry the work it reports on.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { KubeApi } from './client.js';
import { COMPONENT_CONTROLLER } from './constants.js';
import { KINDS } from './kinds.js';
import type { KubeObject } from './object.js';

/** `Normal` or `Warning` (the only two types the API knows). */
export type EventType = 'Normal' | 'Warning';

/** Options of {@link EventRecorder}. */
export interface EventRecorderOptions {
  log: Logger;
  /** `source.component`. @default 'kuryr-controller' */
  component?: string;
  /** `source.host` (node or pod name). */
  host?: string;
  /** `[kubernetes] use_events`; false ⇒ only log. @default true */
  enabled?: boolean;
  now?: () => number;
}

/** Writes Events about objects. */
export class EventRecorder {
  constructor(
    private readonly api: KubeApi,
    private readonly o: EventRecorderOptions,
  ) {}

  /**
   * Record an Event about `obj`. Messages must say what the operator should do and never carry secrets.
   * Cluster-scoped objects get their Event in `default`, as kubectl shows them.
   */
  async record(obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const m = obj.metadata ?? {};
    if (this.o.enabled === false) return;
    const now = new Date((this.o.now ?? Date.now)()).toISOString().replace(/\.\d+Z$/, 'Z');
    const namespace = m.namespace ?? 'default';
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: `${m.name ?? 'object'}.${randomBytes(8).toString('hex')}`, namespace },
      involvedObject: {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: m.name,
        namespace: m.namespace,
        uid: m.uid,
        resourceVersion: m.resourceVersion,
      },
      type,
      reason,
      // the API rejects messages over 1 KiB-ish in some versions; keep Events short
      message: message.slice(0, 1024),
      source: {
        component: this.o.component ?? COMPONENT_CONTROLLER,
        ...(this.o.host ? { host: this.o.host } : {}),
      },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    try {
      await this.api.create(KINDS.event, event);
    } catch (err) {
      this.o.log.warn(
        { err, reason, object: `${namespace}/${m.name ?? ''}` },
        'could not record Event',
      );
    }
  }
}
