/**
 * deploy/kubernetes/*.yaml and deploy/crds/*.yaml are accepted by a real kube-apiserver (server-side
 * dry run: full validation and admission, nothing stored), and the RBAC grants what the code needs.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { isConflictError } from '../../../src/common/errors/index.js';
import type { KubeClient } from '../../../src/k8s/client.js';
import { defineKind, KINDS, type ResourceKind } from '../../../src/k8s/kinds.js';
import type { KubeObject } from '../../../src/k8s/object.js';
import { connectKube, CRD_KIND, crdManifests } from './kube-env.js';

const DIR = new URL('../../../deploy/kubernetes/', import.meta.url).pathname;
const rbac = (kind: string, plural: string, namespaced: boolean) =>
  defineKind(kind, 'rbac.authorization.k8s.io', 'v1', plural, namespaced);
const KIND_OF: Record<string, ResourceKind> = {
  ServiceAccount: defineKind('ServiceAccount', '', 'v1', 'serviceaccounts', true),
  ConfigMap: KINDS.configMap,
  ClusterRole: rbac('ClusterRole', 'clusterroles', false),
  ClusterRoleBinding: rbac('ClusterRoleBinding', 'clusterrolebindings', false),
  Role: rbac('Role', 'roles', true),
  RoleBinding: rbac('RoleBinding', 'rolebindings', true),
  Deployment: defineKind('Deployment', 'apps', 'v1', 'deployments', true),
  DaemonSet: defineKind('DaemonSet', 'apps', 'v1', 'daemonsets', true),
};

let api: KubeClient;
const docs: KubeObject[] = [];

before(async () => {
  api = await connectKube();
  for (const f of readdirSync(DIR)
    .filter((n) => n.endsWith('.yaml'))
    .sort()) {
    for (const d of parseAllDocuments(readFileSync(join(DIR, f), 'utf8')))
      docs.push(d.toJS() as KubeObject);
  }
});

test('every manifest passes server-side validation (dry run)', async () => {
  assert.deepEqual([...new Set(docs.map((d) => d.kind))].sort(), Object.keys(KIND_OF).sort());
  for (const d of docs) {
    const kind = KIND_OF[d.kind!]!;
    try {
      await api.create(kind, d, { dryRun: true });
    } catch (err) {
      // an object that already exists (from an earlier real install) was validated as far as naming goes
      if (!isConflictError(err))
        throw new Error(`${d.kind} ${d.metadata?.name}: ${(err as Error).message}`);
    }
  }
  for (const crd of crdManifests()) {
    await api
      .create(CRD_KIND, { ...crd, metadata: { name: crd.metadata!.name } }, { dryRun: true })
      .catch((err: unknown) => {
        if (!isConflictError(err)) throw err;
      });
  }
});

test('RBAC: the controller may patch pods and write CRDs, never read secrets; the CNI daemon only reads', () => {
  const role = (name: string) =>
    docs.find((d) => d.kind === 'ClusterRole' && d.metadata?.name === name) as KubeObject & {
      rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
    };
  const can = (name: string, group: string, resource: string, verb: string) =>
    role(name).rules.some(
      (r) =>
        r.apiGroups.includes(group) && r.resources.includes(resource) && r.verbs.includes(verb),
    );
  assert.ok(can('kuryr-controller', '', 'pods', 'patch'));
  assert.ok(can('kuryr-controller', '', 'services/status', 'patch'));
  assert.ok(can('kuryr-controller', 'networking.k8s.io', 'networkpolicies', 'update'));
  assert.ok(can('kuryr-controller', 'openstack.org', 'kuryrports', 'create'));
  assert.ok(can('kuryr-controller', '', 'events', 'create'));
  assert.ok(!can('kuryr-controller', '', 'secrets', 'get'));
  assert.ok(can('kuryr-cni', 'openstack.org', 'kuryrports', 'watch'));
  for (const verb of ['create', 'update', 'patch', 'delete']) {
    assert.ok(
      !can('kuryr-cni', 'openstack.org', 'kuryrports', verb),
      `cni must not ${verb} kuryrports`,
    );
    assert.ok(!can('kuryr-cni', '', 'pods', verb), `cni must not ${verb} pods`);
  }
  for (const d of docs)
    assert.ok(!JSON.stringify(d).includes('"*"'), `${d.kind} ${d.metadata?.name} uses a wildcard`);
});
