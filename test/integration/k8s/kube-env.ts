/**
 * Shared set-up of the Kubernetes integration suites: connect to the REAL kube-apiserver of
 * scripts/kube.sh (KUBECONFIG, falling back to /tmp/kuryr-kube/kubeconfig), fail with a clear message
 * when it is missing (never skip), apply deploy/crds/*.yaml, make a `kk-…` namespace per suite.
 *
 * @module test/integration/k8s/kube-env
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { isNotFoundError, isConflictError } from '../../../src/common/errors/index.js';
import { KubeClient } from '../../../src/k8s/client.js';
import { defineKind, KINDS } from '../../../src/k8s/kinds.js';
import { kubeConfigFromFile } from '../../../src/k8s/kube-config.js';
import type { KubeObject } from '../../../src/k8s/object.js';
import { testPrefix } from '../../helpers/prefix.js';

export const CRD_KIND = defineKind(
  'CustomResourceDefinition',
  'apiextensions.k8s.io',
  'v1',
  'customresourcedefinitions',
  false,
);
const DEFAULT_KUBECONFIG = '/tmp/kuryr-kube/kubeconfig';
const CRD_DIR = new URL('../../../deploy/crds/', import.meta.url).pathname;

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A client on the real API server.
 * @throws Error naming what to do when KUBECONFIG/kube-apiserver is missing
 */
export async function connectKube(kubeconfig?: string): Promise<KubeClient> {
  const path =
    kubeconfig ??
    process.env.KUBECONFIG ??
    (existsSync(DEFAULT_KUBECONFIG) ? DEFAULT_KUBECONFIG : undefined);
  if (!path || !existsSync(path)) {
    throw new Error(
      `no kube-apiserver: KUBECONFIG (${path ?? 'unset'}) not found. Start one with ` +
        '`bash scripts/kube.sh start && eval "$(bash scripts/kube.sh env)"`',
    );
  }
  const api = new KubeClient(kubeConfigFromFile(path), { timeoutMs: 15_000 });
  try {
    await api.list(KINDS.namespace, { limit: 1 });
  } catch (err) {
    throw new Error(
      `kube-apiserver at ${api.server} (KUBECONFIG=${path}) does not answer: ${(err as Error).message}. ` +
        'Check `bash scripts/kube.sh status`',
      { cause: err },
    );
  }
  return api;
}

/** The CRD manifests shipped in deploy/crds/. */
export function crdManifests(): KubeObject[] {
  return readdirSync(CRD_DIR)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => parse(readFileSync(join(CRD_DIR, f), 'utf8')) as KubeObject);
}

/** Create or update every kuryr CRD and wait until each is Established. */
export async function applyCrds(api: KubeClient): Promise<void> {
  for (const crd of crdManifests()) {
    const name = crd.metadata!.name!;
    try {
      await api.create(CRD_KIND, crd);
    } catch (err) {
      if (!isConflictError(err)) throw err;
      const cur = await api.get(CRD_KIND, name);
      await api.replace(CRD_KIND, {
        ...crd,
        metadata: { ...crd.metadata, resourceVersion: cur.metadata!.resourceVersion },
      });
    }
    for (let i = 0; ; i++) {
      const cur = (await api.get(CRD_KIND, name)) as {
        status?: { conditions?: { type: string; status: string }[] };
      };
      if (cur.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'))
        break;
      if (i > 100) throw new Error(`CRD ${name} not Established`);
      await sleep(100);
    }
  }
}

/** Create a fresh `kk-<suite>-<hex>` namespace. */
export async function createNamespace(api: KubeClient, suite: string): Promise<string> {
  const name = testPrefix(`kk-${suite}`);
  await api.create(KINDS.namespace, { metadata: { name } });
  return name;
}

/**
 * Delete a namespace and what the suites put in it (NotFound is fine). Objects are deleted one by one
 * (finalizers stripped, pods with grace 0) because the test bed has no kube-controller-manager: the
 * namespace itself then stays `Terminating`, but empty.
 */
export async function deleteNamespace(api: KubeClient, name: string | undefined): Promise<void> {
  if (!name) return;
  const kinds = [
    KINDS.pod,
    KINDS.configMap,
    KINDS.lease,
    KINDS.event,
    KINDS.kuryrPort,
    KINDS.kuryrNetwork,
    KINDS.kuryrNetworkPolicy,
    KINDS.kuryrLoadBalancer,
  ];
  for (const kind of kinds) {
    const list = await api
      .list(kind, { namespace: name })
      .catch(() => ({ items: [] as KubeObject[] }));
    for (const obj of list.items) {
      const objName = obj.metadata!.name!;
      if (obj.metadata?.finalizers?.length) {
        await api
          .patchMerge(kind, objName, name, { metadata: { finalizers: null } })
          .catch(() => undefined);
      }
      await api.delete(kind, objName, name, { gracePeriodSeconds: 0 }).catch(() => undefined);
    }
  }
  await api.delete(KINDS.namespace, name).catch((err: unknown) => {
    if (!isNotFoundError(err)) throw err;
  });
}

/** A minimal pod bound to a (fake) node: there is no kubelet, nothing runs it. */
export function podManifest(
  namespace: string,
  name: string,
  labels: Record<string, string> = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: { nodeName: 'kk-node-1', containers: [{ name: 'c', image: 'kk/none:0' }] },
  };
}

/** Poll `fn` until it returns a truthy value (bounded; throws with `what` on timeout). */
export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined> | T | undefined,
  ms = 15_000,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
