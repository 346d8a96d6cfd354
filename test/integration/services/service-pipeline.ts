/**
 * Shared by the Services integration suites: a namespace on the REAL kube-apiserver (CRDs applied), the
 * `service` and `endpoints` handlers (plus whatever handler a suite adds) in the real controller pipeline
 * (Dispatcher: informers, queue, retries) watching only that namespace, since other suites share the
 * cluster, and the by-hand cleanup the bed needs because it runs no garbage collector.
 *
 * @module test/integration/services/service-pipeline
 */
import type { Logger } from 'pino';
import { isNotFoundError } from '../../../src/common/errors/index.js';
import { DefaultProjectDriver } from '../../../src/controller/drivers/project/default.js';
import { DefaultSecurityGroupsDriver } from '../../../src/controller/drivers/security-groups/default.js';
import { EndpointsHandler } from '../../../src/controller/handlers/endpoints.js';
import { ServiceHandler } from '../../../src/controller/handlers/service.js';
import { KlbSpecWriter } from '../../../src/controller/lbaas/spec/klb-writer.js';
import { Dispatcher } from '../../../src/controller/pipeline/dispatcher.js';
import { RetryPolicy } from '../../../src/controller/pipeline/retry-policy.js';
import type { ResourceHandler } from '../../../src/controller/pipeline/types.js';
import type { KubeClient } from '../../../src/k8s/client.js';
import { EventRecorder } from '../../../src/k8s/events.js';
import { KINDS } from '../../../src/k8s/kinds.js';
import type { KubeObject } from '../../../src/k8s/object.js';
import {
  applyCrds,
  connectKube,
  createNamespace,
  deleteNamespace,
  waitFor,
} from '../k8s/kube-env.js';

/** A suite's namespace on the real apiserver. */
export interface ServiceNamespace {
  api: KubeClient;
  ns: string;
}

/** Connects, applies kuryr's CRDs and creates the suite's namespace (`<suite>-…`). */
export async function openServiceNamespace(suite: string): Promise<ServiceNamespace> {
  const api = await connectKube();
  await applyCrds(api);
  return { api, ns: await createNamespace(api, suite) };
}

/**
 * The spec writer both handlers share: every KuryrLoadBalancer gets this project, these security groups
 * and this service subnet, provider amphora, timeouts only from the Service annotations.
 */
export function klbWriter(projectId: string, sgIds: string[], subnetId: string): KlbSpecWriter {
  return new KlbSpecWriter({
    project: new DefaultProjectDriver(projectId),
    securityGroups: new DefaultSecurityGroupsDriver(sgIds),
    subnetId,
    provider: 'amphora',
    timeoutClientData: 0,
    timeoutMemberData: 0,
  });
}

/** How a suite's pipeline logs and retries, and the handlers it adds. */
export interface ServicePipelineOptions {
  log: Logger;
  retry: { baseMs: number; capMs: number };
  /** Handlers run after `service` and `endpoints` (already restricted to the namespace by the caller). */
  extra?: ResourceHandler[];
}

/** Starts the `service` + `endpoints` (+ extra) handlers on `ns` and waits until the informers synced. */
export async function startServicePipeline(
  { api, ns }: ServiceNamespace,
  writer: KlbSpecWriter,
  o: ServicePipelineOptions,
): Promise<Dispatcher> {
  const dispatcher = new Dispatcher({
    api,
    log: o.log,
    events: new EventRecorder(api, { log: o.log, enabled: true }),
    handlers: [
      new ServiceHandler(writer, { namespace: ns }),
      new EndpointsHandler(writer, { namespace: ns }),
      ...(o.extra ?? []),
    ],
    retry: new RetryPolicy(o.retry),
    reconcilePeriodMs: 0,
  });
  dispatcher.start();
  try {
    await waitFor('informers synced', () => dispatcher.hasSynced());
  } catch (error) {
    await dispatcher.stop();
    throw error;
  }
  return dispatcher;
}

/** The object `p` reads, or undefined when it does not exist (any other error propagates). */
export async function orMissing<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (error) {
    if (isNotFoundError(error)) return undefined;
    throw error;
  }
}

/**
 * Deletes every Service and Endpoints of `ns` (finalizers stripped first: Services carry the `service`
 * handler's, and nothing else would ever release them here), then the namespace. Best effort: `after`.
 */
export async function deleteServiceNamespace({ api, ns }: ServiceNamespace): Promise<void> {
  for (const kind of [KINDS.service, KINDS.endpoints]) {
    const list = await api
      .list(kind, { namespace: ns })
      .catch(() => ({ items: [] as KubeObject[] }));
    for (const obj of list.items) {
      const name = obj.metadata!.name!;
      if (obj.metadata?.finalizers?.length) {
        await api
          .patchMerge(kind, name, ns, { metadata: { finalizers: null } })
          .catch(() => undefined);
      }
      await api.delete(kind, name, ns).catch(() => undefined);
    }
  }
  await deleteNamespace(api, ns);
}
