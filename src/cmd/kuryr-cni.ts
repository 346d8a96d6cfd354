/**
 * @module Entry of the `kuryr-cni` executable (bundled to dist/kuryr-cni.cjs). VERSION is answered from
 * constants before anything else loads; every other command loads the shim (node builtins only) lazily.
 */
import { readFileSync } from 'node:fs';
// eslint-disable-next-line no-restricted-imports -- cmd/ is the composition root; it wires features
import { versionReply } from '../cni/shim/version-reply.js';

function readStdin(): string {
  try {
    return readFileSync(0, 'utf8');
  } catch {
    return ''; // no stdin (closed or a TTY without input): validation reports what is missing
  }
}

const stdin = readStdin();
if (process.env.CNI_COMMAND === 'VERSION') {
  process.stdout.write(versionReply(stdin));
} else {
  void import('../cni/shim/run-shim.js').then(async ({ runShim }) => {
    const out = await runShim(process.env, stdin, undefined, (line) =>
      process.stderr.write(`${line}\n`),
    );
    process.stdout.write(out.stdout);
    process.exitCode = out.exitCode;
  });
}
