/**
 * @module Builds the undici `Agent` shared by every OpenStack client of a session: keep-alive, connect /
 * headers / body timeouts, and TLS (CA file, client certificate, insecure mode).
 */
import { readFileSync } from 'node:fs';
import type { Logger } from 'pino';
import { Agent } from 'undici';
import { ConfigurationError } from '../../common/errors/index.js';
import { DEFAULT_TIMEOUTS, type TimeoutOptions, type TlsOptions } from '../session-options.js';

function readPem(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new ConfigurationError(
      `cannot read the ${what} file '${file}': ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Creates the dispatcher.
 * @throws ConfigurationError when a CA/cert/key file cannot be read or only one of cert/key is set.
 */
export function createAgent(
  tls: TlsOptions | undefined,
  timeouts: TimeoutOptions | undefined,
  log: Logger,
): Agent {
  const t = { ...DEFAULT_TIMEOUTS, ...timeouts };
  const connect: Record<string, unknown> = { timeout: t.connectMs };
  if (tls?.caFile !== undefined && tls.caFile !== '') connect['ca'] = readPem(tls.caFile, 'CA');
  const hasCert = tls?.certFile !== undefined && tls.certFile !== '';
  const hasKey = tls?.keyFile !== undefined && tls.keyFile !== '';
  if (hasCert !== hasKey) {
    throw new ConfigurationError('TLS client authentication needs both certfile and keyfile');
  }
  if (hasCert && hasKey) {
    connect['cert'] = readPem(tls.certFile as string, 'client certificate');
    connect['key'] = readPem(tls.keyFile as string, 'client key');
  }
  if (tls?.insecure === true) {
    connect['rejectUnauthorized'] = false;
    log.warn(
      'TLS certificate verification of OpenStack endpoints is DISABLED (insecure = true); ' +
        'use cafile instead',
    );
  }
  return new Agent({
    connect,
    headersTimeout: t.headersMs,
    bodyTimeout: t.bodyMs,
    // Idle sockets are dropped after 4 s unless the server announces a longer keep-alive: a POST sent on
    // a socket the server just closed fails with ECONNRESET and is NOT retried (it may have been applied),
    // so we keep the reuse window short.
    keepAliveTimeout: 4_000,
    keepAliveMaxTimeout: 60_000,
    connections: 64,
  });
}
