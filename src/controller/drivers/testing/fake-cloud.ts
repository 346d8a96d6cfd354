/**
 * @module Unit-test cloud for the controller drivers: the shared in-memory FakeNeutron plus the Neutron
 * behaviour the drivers depend on and the plain fake leaves out — ML2 binding on create
 * (`binding:vif_type` of the host's agent), `If-Match` revision checks (412), duplicate trunk
 * segmentation ids (409) and `trunk_details` on parent ports. Also builders for requests.
 */
import { pino } from 'pino';
import {
  BadRequest,
  Conflict,
  NotFound,
  PreconditionFailed,
} from '../../../openstack/http/errors.js';
import type { ApiRequest, ApiResponse, ServiceClient } from '../../../openstack/http/types.js';
import {
  NeutronClient,
  type Network,
  type Port,
  type Subnet,
} from '../../../openstack/neutron/index.js';
import { FakeNeutron } from '../../../openstack/testing/fake-neutron.js';
import type { PodSubnet, VifRequest } from '../pod-vif/types.js';

/** A FakeNeutron decorator adding binding, revision and trunk semantics. */
export class DriverFakeNeutron implements ServiceClient {
  readonly serviceType = 'network';
  readonly fake = new FakeNeutron('kd-project');
  /** vif_type given to ports created with a `binding:host_id`. */
  vifType = 'bridge';
  /** Updates refused because their `If-Match` revision was stale. */
  preconditionFailures = 0;

  endpoint(): Promise<string> {
    return this.fake.endpoint();
  }

  /** Requests seen so far as `METHOD path`. */
  get calls(): string[] {
    return this.fake.requests.map((r) => `${r.method} ${r.path}`);
  }

  async request<T = unknown>(req: ApiRequest): Promise<ApiResponse<T>> {
    const routed = this.routerInterface(req);
    if (routed !== undefined) return routed as ApiResponse<T>;
    this.checkRevision(req);
    this.checkSubports(req);
    const res = await this.fake.request<Record<string, unknown>>(req);
    if (req.method === 'POST' && req.path === '/v2.0/ports') this.bind(res.body);
    return { ...res, body: this.withTrunkDetails(res.body) as T };
  }

  /** `add_router_interface` / `remove_router_interface` by subnet, as an interface port. */
  private routerInterface(req: ApiRequest): ApiResponse<unknown> | undefined {
    const m = /^\/v2\.0\/routers\/([^/]+)\/(add|remove)_router_interface$/.exec(req.path);
    if (m === null || req.method !== 'PUT') return undefined;
    this.fake.requests.push(req);
    const [, routerId = '', op] = m;
    const subnetId = (req.body as { subnet_id: string }).subnet_id;
    const subnet = this.fake.all('subnets').find((x) => x.id === subnetId);
    if (subnet === undefined) throw new NotFound(`Subnet ${subnetId} could not be found.`);
    const existing = this.fake
      .all('ports')
      .find(
        (p) =>
          p['device_id'] === routerId &&
          (p['fixed_ips'] as { subnet_id: string }[]).some((f) => f.subnet_id === subnetId),
      );
    if (op === 'add') {
      if (existing) throw new BadRequest(`Router already has a port on subnet ${subnetId}.`);
      const port = this.fake.seed('ports', {
        network_id: subnet['network_id'],
        device_id: routerId,
        device_owner: 'network:router_interface',
        fixed_ips: [{ subnet_id: subnetId, ip_address: subnet['gateway_ip'] }],
      });
      return reply({ id: routerId, subnet_id: subnetId, port_id: port.id });
    }
    if (!existing) {
      throw new NotFound(`Router ${routerId} has no interface on subnet ${subnetId}`);
    }
    this.dropPort(existing.id);
    return reply({ id: routerId });
  }

  private dropPort(id: string): void {
    // The fake has no public delete without a request; deleting through it records one more call.
    void this.fake.request({ method: 'DELETE', path: `/v2.0/ports/${id}` });
    this.fake.requests.pop();
  }

  private bind(body: Record<string, unknown> | undefined): void {
    const ports = (body?.['ports'] ?? (body?.['port'] ? [body['port']] : [])) as Port[];
    for (const p of ports) {
      if (p['binding:host_id']) {
        p['binding:vif_type'] = this.vifType;
        p['binding:vif_details'] = { port_filter: true };
      }
    }
  }

  private checkRevision(req: ApiRequest): void {
    const match = /^revision_number=(\d+)$/.exec(req.headers?.['If-Match'] ?? '');
    if (req.method !== 'PUT' || match === null) return;
    const id = req.path.split('/')[3] ?? '';
    const obj = this.fake.all('ports').find((p) => p.id === id);
    if (obj !== undefined && Number(obj['revision_number']) !== Number(match[1])) {
      this.preconditionFailures++;
      throw new PreconditionFailed('revision_number mismatch', { status: 412 });
    }
  }

  private checkSubports(req: ApiRequest): void {
    if (req.method !== 'PUT' || !req.path.endsWith('/add_subports')) return;
    const trunk = this.fake.all('trunks').find((t) => t.id === req.path.split('/')[3]);
    const used = new Set(
      ((trunk?.['sub_ports'] ?? []) as { segmentation_id: number }[]).map((s) => s.segmentation_id),
    );
    for (const s of (req.body as { sub_ports: { segmentation_id: number }[] }).sub_ports) {
      if (used.has(s.segmentation_id)) {
        throw new Conflict(`segmentation id ${s.segmentation_id} already in use`, {
          status: 409,
          type: 'DuplicateSubPort',
        });
      }
      used.add(s.segmentation_id);
    }
  }

  /** Copies (like a real server: callers never share the stored object) plus `trunk_details`. */
  private withTrunkDetails(stored: Record<string, unknown> | undefined): unknown {
    if (stored === undefined) return stored;
    const body = structuredClone(stored);
    const add = (p: Port): Port => {
      const t = this.fake.all('trunks').find((x) => x['port_id'] === p.id);
      return t === undefined
        ? p
        : { ...p, trunk_details: { trunk_id: t.id, sub_ports: t['sub_ports'] as [] } };
    };
    if (Array.isArray(body['ports'])) return { ...body, ports: (body['ports'] as Port[]).map(add) };
    if (body['port'] !== undefined) return { ...body, port: add(body['port'] as Port) };
    return body;
  }
}

function reply(body: unknown): ApiResponse<unknown> {
  return { status: 200, body, headers: {}, requestId: 'req-fake' };
}

/** A fake cloud with one network + subnet. */
export interface FakeCloud {
  http: DriverFakeNeutron;
  neutron: NeutronClient;
  network: Network;
  subnet: Subnet;
  podSubnet: PodSubnet;
}

/** Builds a fake cloud with network `kd-net` / subnet `10.1.0.0/24`. */
export function fakeCloud(): FakeCloud {
  const http = new DriverFakeNeutron();
  const network = http.fake.seed('networks', { name: 'kd-net' }) as unknown as Network;
  const subnet = http.fake.seed('subnets', {
    name: 'kd-subnet',
    network_id: network.id,
    cidr: '10.1.0.0/24',
  }) as unknown as Subnet;
  network.subnets.push(subnet.id);
  return {
    http,
    neutron: new NeutronClient(http),
    network,
    subnet,
    podSubnet: { subnet, network },
  };
}

/** A VIF request for a pod on `node`. */
export function vifRequest(
  cloud: FakeCloud,
  o: { node?: string; sgs?: string[]; uid?: string; hostIp?: string } = {},
): VifRequest {
  return {
    pod: {
      uid: o.uid ?? '11111111-2222-3333-4444-555555555555',
      namespace: 'default',
      name: 'pod-a',
      nodeName: o.node ?? 'node-1',
      ...(o.hostIp !== undefined ? { hostIp: o.hostIp } : {}),
    },
    projectId: 'kd-project',
    subnets: [cloud.podSubnet],
    securityGroups: o.sgs ?? ['sg-a'],
  };
}

/** A silent logger. */
export const silentLog = pino({ level: 'silent' });
