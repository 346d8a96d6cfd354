/**
 * @module `kuryr pools populate|free|list|show`: talks to the controller's pool manager socket
 * (`[kubernetes] enable_manager = True`, `[pool_manager] sock_file`, or `--socket`), prints the reply's
 * text and exits non-zero on any non-2xx reply or when the socket does not answer.
 */
import type { Command } from 'commander';
// eslint-disable-next-line no-restricted-imports -- cmd/ is the composition root
import { callPoolManager } from '../../controller/pool-manager/client.js';
import { loadCommandConfig } from './load-config.js';

interface PoolsFlags {
  socket?: string;
  timeout: string;
}

/** Where a request goes and how it is printed; tests inject `out`/`err`. */
export interface PoolsIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const stdio: PoolsIo = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

async function send(
  cmd: Command,
  method: 'GET' | 'POST',
  path: string,
  body: unknown,
  io: PoolsIo,
): Promise<void> {
  try {
    const flags = cmd.optsWithGlobals<PoolsFlags>();
    const timeoutMs = Math.round(Number(flags.timeout) * 1000);
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) {
      throw new Error(`--timeout '${flags.timeout}' is not a positive number of seconds`);
    }
    const socket =
      flags.socket ??
      (await loadCommandConfig(cmd, { name: 'kuryr-pools' })).config.poolManager.sockFile;
    const reply = await callPoolManager(socket, method, path, { body, timeoutMs });
    const text = reply.body.endsWith('\n') || reply.body === '' ? reply.body : `${reply.body}\n`;
    if (reply.status >= 200 && reply.status < 300) io.out(text);
    else {
      io.err(`kuryr pools: ${reply.status}: ${text}`);
      process.exitCode = 1;
    }
  } catch (error) {
    io.err(`kuryr pools: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** Registers `kuryr pools` and its sub-commands. */
export function registerPoolsCommand(program: Command, io: PoolsIo = stdio): void {
  const pools = program
    .command('pools')
    .description('manage the controller port pools through the pool manager socket')
    .option('--socket <path>', 'pool manager socket (default: [pool_manager] sock_file)')
    .option('--timeout <seconds>', 'deadline of the request', '330');
  pools
    .command('populate')
    .description('add ports to the pool of each node (node VM IP or node name)')
    .argument('<trunk...>', 'node VM IPs (trunk IPs) or node names')
    .option('-n, --num-ports <n>', 'ports to add per node', '1')
    .option('--namespace <ns>', 'key the ports like the pods of this namespace', 'default')
    .action(async (trunks: string[], o: { numPorts: string; namespace: string }, cmd: Command) => {
      const n = Number(o.numPorts);
      await send(
        cmd,
        'POST',
        '/populatePool',
        { trunks, num_ports: Number.isInteger(n) ? n : o.numPorts, namespace: o.namespace },
        io,
      );
    });
  pools
    .command('free')
    .description('delete the free ports of the pools of these nodes (all pools without arguments)')
    .argument('[trunk...]', 'node VM IPs or node names')
    .action(async (trunks: string[], _o: unknown, cmd: Command) => {
      await send(cmd, 'POST', '/freePool', { trunks }, io);
    });
  pools
    .command('list')
    .description('list the pools and their free port counts')
    .action(async (_o: unknown, cmd: Command) => {
      await send(cmd, 'GET', '/listPools', undefined, io);
    });
  pools
    .command('show')
    .description('list the free port ids of the pools of (node, project, security groups)')
    .argument('<trunk>', 'node VM IP or node name')
    .requiredOption('--project <id>', 'project id of the pool')
    .option('--sg <id>', 'security group id of the pool (repeatable)', collect, [])
    .action(async (trunk: string, o: { project: string; sg: string[] }, cmd: Command) => {
      await send(cmd, 'GET', '/showPool', { pool_key: [trunk, o.project, o.sg] }, io);
    });
}
