/**
 * @module Logger factory on pino: JSON lines to stderr or to `[DEFAULT] log_file`/`log_dir`, level from
 * `[DEFAULT] debug`, secrets redacted at any depth we can express with pino redact paths. pino-pretty is a
 * devDependency loaded (as a transport, by name) only when `pretty` is asked for; never at runtime in prod.
 */
import { isAbsolute, join } from 'node:path';
import { pino, type DestinationStream, type Level, type Logger } from 'pino';

/** Field names whose values never reach a log line, in any letter case we produce or receive. */
export const SECRET_FIELDS = [
  'password',
  'token',
  'secret',
  'credential',
  'credentials',
  'authorization',
  'Authorization',
  'application_credential_secret',
  'applicationCredentialSecret',
  'authToken',
  'X-Auth-Token',
  'x-auth-token',
  'X-Subject-Token',
  'x-subject-token',
] as const;

/** How deep (objects nested in objects) the redaction reaches. */
const REDACT_DEPTH = 5;

/** pino redact paths: every {@link SECRET_FIELDS} name at the top level and under up to 5 levels of objects. */
export function redactPaths(fields: readonly string[] = SECRET_FIELDS): string[] {
  const paths: string[] = [];
  for (let depth = 0; depth <= REDACT_DEPTH; depth++) {
    const prefix = '*.'.repeat(depth);
    for (const f of fields) {
      paths.push(
        /^[A-Za-z_$][\w$]*$/.test(f) ? `${prefix}${f}` : `${prefix}["${f}"]`.replace(/\.\[/, '['),
      );
    }
  }
  return paths;
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Name on every line (`name` field), e.g. the binary. @default 'kuryr' */
  name?: string;
  /** Explicit level; wins over `debug`. */
  level?: Level | 'silent';
  /** `[DEFAULT] debug`: debug level instead of info. @default false */
  debug?: boolean;
  /** `[DEFAULT] log_file` (relative ones are resolved against logDir). */
  logFile?: string;
  /** `[DEFAULT] log_dir` (alone: `<logDir>/<name>.log`). */
  logDir?: string;
  /** Human-readable output via pino-pretty (development only; needs the devDependency). */
  pretty?: boolean;
  /** Write here instead (tests). */
  destination?: DestinationStream;
}

/** Where the log goes for the given options: a file path, or undefined for stderr. */
export function logFilePath(
  opts: Pick<LoggerOptions, 'logFile' | 'logDir' | 'name'>,
): string | undefined {
  if (opts.logFile) {
    return opts.logDir && !isAbsolute(opts.logFile)
      ? join(opts.logDir, opts.logFile)
      : opts.logFile;
  }
  return opts.logDir ? join(opts.logDir, `${opts.name ?? 'kuryr'}.log`) : undefined;
}

/**
 * Create the root logger of a process; components receive it (or a `child`) through their constructor.
 *
 * @example const log = createLogger({ name: 'kuryr-libnetwork', debug: config.default.debug });
 */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const base = {
    name: opts.name ?? 'kuryr',
    level: opts.level ?? (opts.debug ? 'debug' : 'info'),
    redact: { paths: redactPaths(), censor: '***' },
  };
  if (opts.destination) return pino(base, opts.destination);
  const file = logFilePath(opts);
  if (opts.pretty && file === undefined) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { destination: 2 } } });
  }
  const dest = file
    ? pino.destination({ dest: file, mkdir: true, sync: true })
    : pino.destination({ dest: 2, sync: true });
  return pino(base, dest);
}
