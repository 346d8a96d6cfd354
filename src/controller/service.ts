/**
 * @module `ControllerService`: the controller process behind `kuryr controller`. Wires informers →
 * dispatcher → handlers, serves /ready, /alive (and /metrics), and with `[kubernetes] controller_ha`
 * runs the dispatcher only while it holds the Lease (active/passive). A dispatcher is built fresh on
 * every leadership gain, so a new leader resumes from cluster state alone (relist + finalizers + CRDs).
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { KubeApi } from '../k8s/client.js';
import { EventRecorder } from '../k8s/events.js';
import { LeaderElector, type Clock } from '../k8s/lease.js';
import { Dispatcher, type DispatcherOptions } from './pipeline/dispatcher.js';
import { serveHealth, type HealthServer } from './pipeline/health.js';
import { createPipelineMetrics, type PipelineMetrics } from './pipeline/pipeline-metrics.js';
import type { ResourceHandler } from './pipeline/types.js';

/** Leader-election settings (`[kubernetes] controller_ha = True`). */
export interface HaOptions {
  namespace: string;
  identity: string;
  leaseName?: string;
  leaseDurationSeconds?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  clock?: Clock;
}

/** Options of {@link ControllerService}. */
export interface ControllerServiceOptions {
  api: KubeApi;
  log: Logger;
  handlers: readonly ResourceHandler[];
  /** Leader election; undefined = always active. */
  ha?: HaOptions;
  /** Health server (`[health_server] port`); undefined = none. */
  health?: { port: number; host?: string };
  registry?: Registry;
  /** `[kubernetes] use_events`. @default true */
  useEvents?: boolean;
  /** Node/pod name for Event `source.host`. */
  host?: string;
  dispatcher?: Partial<Omit<DispatcherOptions, 'api' | 'handlers' | 'events' | 'log' | 'metrics'>>;
  /**
   * Runs each time this replica becomes active, before its handlers start (e.g. rebuild the port pools
   * from Neutron and Kubernetes). A failure is logged and the handlers start anyway: the hooks must leave
   * things safe when they fail (an unrecovered pool only starts empty).
   */
  onActive?: (signal: AbortSignal) => Promise<void>;
  /** Runs each time this replica stops being active, after its handlers stopped. */
  onPassive?: () => Promise<void>;
  /**
   * On stop(), how long running handlers may finish before they are aborted (ms); leadership loss
   * never waits. @default 20000
   */
  shutdownDrainMs?: number;
}

/** The controller process. */
export class ControllerService {
  private dispatcher: Dispatcher | undefined;
  private elector: LeaderElector | undefined;
  private electorRun: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private healthServer: HealthServer | undefined;
  private readonly events: EventRecorder;
  private readonly metrics: PipelineMetrics | undefined;
  /** Serialises dispatcher start/stop on leadership flaps. */
  private transition: Promise<void> = Promise.resolve();
  /** Set by stop(): no activation any more, even while the Lease is still held. */
  private stopping = false;
  /** Aborted when stop() begins (activation hooks give up; the elector keeps the Lease meanwhile). */
  private readonly stopSignal = new AbortController();

  constructor(private readonly o: ControllerServiceOptions) {
    this.events = new EventRecorder(o.api, {
      log: o.log,
      enabled: o.useEvents ?? true,
      ...(o.host ? { host: o.host } : {}),
    });
    this.metrics = o.registry ? createPipelineMetrics(o.registry) : undefined;
  }

  /** Health port actually bound (0 when none). */
  get healthPort(): number {
    return this.healthServer?.port ?? 0;
  }

  /** True while this process runs the handlers. */
  isActive(): boolean {
    return this.dispatcher !== undefined;
  }

  /** The running dispatcher (tests). */
  get activeDispatcher(): Dispatcher | undefined {
    return this.dispatcher;
  }

  /** Start health, then either the dispatcher or the election loop. */
  async start(): Promise<void> {
    if (this.o.health) {
      this.healthServer = await serveHealth({
        ...this.o.health,
        ready: () => this.ready(),
        alive: () => this.alive(),
        ...(this.o.registry ? { registry: this.o.registry } : {}),
      });
    }
    const ha = this.o.ha;
    if (!ha) {
      this.becomeActive();
      return;
    }
    this.elector = new LeaderElector(this.o.api, {
      namespace: ha.namespace,
      identity: ha.identity,
      log: this.o.log,
      ...(ha.leaseName ? { name: ha.leaseName } : {}),
      ...(ha.leaseDurationSeconds ? { leaseDurationSeconds: ha.leaseDurationSeconds } : {}),
      ...(ha.renewDeadlineMs ? { renewDeadlineMs: ha.renewDeadlineMs } : {}),
      ...(ha.retryPeriodMs ? { retryPeriodMs: ha.retryPeriodMs } : {}),
      ...(ha.clock ? { clock: ha.clock } : {}),
      onStartedLeading: () => this.becomeActive(),
      onStoppedLeading: () => this.becomePassive(),
    });
    this.electorRun = this.elector.run(this.abort.signal);
  }

  /**
   * Stop handlers, then release the Lease, then close health. The order matters: the Lease is held until
   * every running handler has returned, so a standby that takes over on the release can never work on
   * an object this replica is still changing (no double allocation during a rolling restart).
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopSignal.abort();
    this.becomePassive(this.o.shutdownDrainMs ?? 20_000);
    await this.transition;
    this.abort.abort();
    await this.electorRun;
    this.becomePassive(); // the elector may have re-activated nothing (stopping), but be sure
    await this.transition;
    await this.healthServer?.close();
  }

  /** Readiness: active and synced, or a healthy standby. */
  ready(): string | undefined {
    if (this.o.ha && !this.elector?.isLeader()) return undefined; // standby is ready to take over
    if (!this.dispatcher) return 'not started';
    return this.dispatcher.hasSynced() ? undefined : 'informers not synced yet';
  }

  /** Liveness: not stopping, and no object exhausted its retry budget on unexpected errors. */
  alive(): string | undefined {
    if (this.stopping) return 'stopping';
    const stuck = this.dispatcher?.exhausted;
    if (stuck && stuck.size > 0) {
      return `retry budget spent on ${stuck.size} object(s), e.g. ${[...stuck][0]}: restart wanted`;
    }
    return undefined;
  }

  private becomeActive(): void {
    this.transition = this.transition.then(async () => {
      if (this.dispatcher || this.stopping) return;
      if (this.o.onActive) {
        try {
          await this.o.onActive(this.stopSignal.signal);
        } catch (error) {
          this.o.log.error({ err: error }, 'activation hook failed; starting handlers anyway');
        }
        if (this.stopping) return;
      }
      this.dispatcher = new Dispatcher({
        ...this.o.dispatcher,
        api: this.o.api,
        handlers: this.o.handlers,
        events: this.events,
        log: this.o.log,
        ...(this.metrics ? { metrics: this.metrics } : {}),
      });
      this.dispatcher.start();
      this.o.log.info({ handlers: this.o.handlers.map((h) => h.alias) }, 'controller active');
    });
  }

  /** @param drainMs how long running handlers may finish before their signal aborts */
  private becomePassive(drainMs = 0): void {
    this.transition = this.transition.then(async () => {
      const d = this.dispatcher;
      this.dispatcher = undefined;
      if (d) {
        await d.stop({ drainMs });
        await this.o.onPassive?.().catch((error: unknown) => {
          this.o.log.error({ err: error }, 'deactivation hook failed');
        });
        this.o.log.info('controller passive (handlers stopped)');
      }
    });
  }
}
