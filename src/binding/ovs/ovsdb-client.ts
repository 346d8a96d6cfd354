/**
 * @module Open vSwitch port management over OVSDB JSON-RPC (no `ovs-vsctl` fork): add a port with the
 * `external_ids` the Neutron OVS agent reads (COMPATIBILITY.md §2), remove it by iface-id + owner.
 */
import { ConflictError, NotFoundError } from '../../common/errors/index.js';
import { OvsdbRpc } from './json-rpc.js';

const DB = 'Open_vSwitch';

/** The calls the OVS drivers need; `OvsdbClient` is the real one, tests may inject a fake. */
export interface Ovsdb {
  /**
   * Adds (or updates, when present) port+interface `name` on `bridge` with `externalIds`.
   * Idempotent. @throws NotFoundError bridge missing; ConflictError the port is on another bridge
   */
  addPort(bridge: string, name: string, externalIds: Record<string, string>): Promise<void>;
  /** Removes port `name` from whatever bridge holds it. Missing = success. Returns whether it existed. */
  deletePort(name: string): Promise<boolean>;
  /** Removes every port whose interface carries `iface-id`=`ifaceId` and `owner`=`owner`. */
  deletePortsByIfaceId(ifaceId: string, owner: string): Promise<number>;
  /** Interface external_ids and bridge of port `name`, or undefined. */
  getPort(
    name: string,
  ): Promise<{ bridge: string; externalIds: Record<string, string> } | undefined>;
  close(): void;
}

type Uuid = ['uuid', string];
type OvsMap = ['map', [string, string][]];
interface Row {
  _uuid: Uuid;
  name: string;
  ports?: unknown;
  interfaces?: unknown;
  external_ids?: OvsMap;
}

/** OVSDB sets come as a bare atom when they hold one element, else `["set", [...]]`. */
function setMembers(v: unknown): string[] {
  if (Array.isArray(v) && v[0] === 'uuid') return [v[1] as string];
  if (Array.isArray(v) && v[0] === 'set') return (v[1] as Uuid[]).map((u) => u[1]);
  return [];
}

const toMap = (ids: Record<string, string>): OvsMap => ['map', Object.entries(ids)];
const fromMap = (m: OvsMap | undefined): Record<string, string> => Object.fromEntries(m?.[1] ?? []);

/** OVSDB client over the server's unix socket (e.g. `/var/run/openvswitch/db.sock`). */
export class OvsdbClient implements Ovsdb {
  private readonly rpc: OvsdbRpc;

  constructor(socketPath: string, timeoutMs = 5000) {
    this.rpc = new OvsdbRpc(socketPath, timeoutMs);
  }

  private async transact(
    ops: object[],
  ): Promise<{ rows?: Row[]; count?: number; error?: string; details?: string }[]> {
    const res = (await this.rpc.call('transact', [DB, ...ops])) as {
      rows?: Row[];
      count?: number;
      error?: string;
      details?: string;
    }[];
    const failed = res.find((r) => r?.error !== undefined);
    if (failed) throw new Error(`OVSDB transact failed: ${failed.error} ${failed.details ?? ''}`);
    return res;
  }

  private async select(table: string, where: unknown[][], columns: string[]): Promise<Row[]> {
    const [r] = await this.transact([{ op: 'select', table, where, columns }]);
    return r?.rows ?? [];
  }

  private async bridgeOfPort(portUuid: string): Promise<Row | undefined> {
    const bridges = await this.select('Bridge', [], ['_uuid', 'name', 'ports']);
    return bridges.find((b) => setMembers(b.ports).includes(portUuid));
  }

  async addPort(bridge: string, name: string, externalIds: Record<string, string>): Promise<void> {
    const [br] = await this.select('Bridge', [['name', '==', bridge]], ['_uuid', 'name']);
    if (br === undefined) throw new NotFoundError(`OVS bridge ${bridge} does not exist`);
    const [port] = await this.select(
      'Port',
      [['name', '==', name]],
      ['_uuid', 'name', 'interfaces'],
    );
    if (port !== undefined) {
      const holder = await this.bridgeOfPort(port._uuid[1]);
      if (holder !== undefined && holder.name !== bridge) {
        throw new ConflictError(`OVS port ${name} is already on bridge ${holder.name}`);
      }
      // NOTE: re-binding converges: rewrite the external_ids, re-attach if the port row is orphaned.
      await this.transact([
        {
          op: 'update',
          table: 'Interface',
          where: [['name', '==', name]],
          row: { external_ids: toMap(externalIds) },
        },
        ...(holder === undefined
          ? [
              {
                op: 'mutate',
                table: 'Bridge',
                where: [['_uuid', '==', br._uuid]],
                mutations: [['ports', 'insert', ['set', [port._uuid]]]],
              },
            ]
          : []),
      ]);
      return;
    }
    await this.transact([
      {
        op: 'insert',
        table: 'Interface',
        row: { name, external_ids: toMap(externalIds) },
        'uuid-name': 'iface',
      },
      {
        op: 'insert',
        table: 'Port',
        row: { name, interfaces: ['named-uuid', 'iface'] },
        'uuid-name': 'port',
      },
      {
        op: 'mutate',
        table: 'Bridge',
        where: [['_uuid', '==', br._uuid]],
        mutations: [['ports', 'insert', ['set', [['named-uuid', 'port']]]]],
      },
    ]);
  }

  async deletePort(name: string): Promise<boolean> {
    const [port] = await this.select('Port', [['name', '==', name]], ['_uuid']);
    if (port === undefined) return false;
    await this.detach(port._uuid);
    return true;
  }

  private async detach(portUuid: Uuid): Promise<void> {
    // Port and Interface are not root tables: dropping the Bridge reference garbage-collects both rows.
    await this.transact([
      {
        op: 'mutate',
        table: 'Bridge',
        where: [],
        mutations: [['ports', 'delete', ['set', [portUuid]]]],
      },
    ]);
  }

  async deletePortsByIfaceId(ifaceId: string, owner: string): Promise<number> {
    const ifaces = await this.select(
      'Interface',
      [['external_ids', 'includes', toMap({ 'iface-id': ifaceId, owner })]],
      ['_uuid', 'name'],
    );
    let n = 0;
    for (const i of ifaces) if (await this.deletePort(i.name)) n++;
    return n;
  }

  async getPort(
    name: string,
  ): Promise<{ bridge: string; externalIds: Record<string, string> } | undefined> {
    const [port] = await this.select('Port', [['name', '==', name]], ['_uuid']);
    if (port === undefined) return undefined;
    const holder = await this.bridgeOfPort(port._uuid[1]);
    const [iface] = await this.select('Interface', [['name', '==', name]], ['external_ids']);
    if (holder === undefined) return undefined;
    return { bridge: holder.name, externalIds: fromMap(iface?.external_ids) };
  }

  close(): void {
    this.rpc.close();
  }
}
