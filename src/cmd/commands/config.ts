/**
 * @module `kuryr config check`: load the configuration exactly as the daemons do and print the effective
 * value and origin of every option (secrets masked), plus warnings; exit 1 on any error.
 * `kuryr config sample`: a commented kuryr.conf generated from the schema.
 */
import type { Command } from 'commander';
import { describeConfig, formatValue } from '../../common/config/describe.js';
import { loadConfig } from '../../common/config/loader.js';
import { renderSampleConfig } from '../../common/config/sample.js';
import { snakeSection } from '../../common/config/schema/index.js';
import { connectionOptionsFromKeystoneauth } from '../../openstack/session-keystoneauth.js';
import { globalOptions } from './load-config.js';

interface CheckOptions {
  json?: boolean;
  changed?: boolean;
}

async function check(opts: CheckOptions, cmd: Command): Promise<void> {
  const g = globalOptions(cmd);
  const out = (text: string) => process.stdout.write(text);
  let loaded;
  try {
    // NOTE: loadConfig directly (not loadCommandConfig): the check must not log, only report.
    loaded = await loadConfig({
      configFiles: g.configFile ?? [],
      configDirs: g.configDir ?? [],
      configOrder: g.configOrder ?? [],
      overrides: g.debug ? { DEFAULT: { debug: true } } : {},
    });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (opts.json) out(`${JSON.stringify({ ok: false, errors: [message] }, null, 2)}\n`);
    else process.stderr.write(`kuryr config check: ${message}\n`);
    process.exitCode = 1;
    return;
  }
  // The same converter the daemons use: a credential set it cannot use is reported now, not at start-up.
  try {
    connectionOptionsFromKeystoneauth(snakeSection(loaded.config, 'neutron'));
  } catch (err) {
    loaded.warnings.push(
      `[neutron] credentials: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  const rows = describeConfig(loaded, opts.changed === true);
  if (opts.json) {
    const options = rows.map(({ origin: _o, ...row }) => row);
    out(
      `${JSON.stringify({ ok: true, files: loaded.files, options, warnings: loaded.warnings }, null, 2)}\n`,
    );
    return;
  }
  out(`# config files: ${loaded.files.length > 0 ? loaded.files.join(', ') : '(none)'}\n`);
  let section = '';
  for (const row of rows) {
    if (row.section !== section) {
      section = row.section;
      out(`\n[${section}]\n`);
    }
    out(`${row.key} = ${formatValue(row.value)}    # ${row.source}\n`);
  }
  for (const w of loaded.warnings) process.stderr.write(`warning: ${w}\n`);
}

/** Register `kuryr config check [--json] [--changed]` and `kuryr config sample`. */
export function registerConfigCommand(program: Command): void {
  const config = program.command('config').description('inspect the kuryr configuration');
  config
    .command('check')
    .description(
      'print the effective configuration (secrets masked) with the origin of every value',
    )
    .option('--json', 'machine-readable output')
    .option('--changed', 'only options not at their default')
    .action(check);
  config
    .command('sample')
    .description('print a commented kuryr.conf with every option, its help and its default')
    .action(() => {
      process.stdout.write(renderSampleConfig());
    });
}
