/**
 * @module Builds client-node's `KubeConfig` (auth + TLS only; we never use its generated API) from
 * kuryr.conf `[kubernetes]` (api_root, ssl_*, token_file), from in-cluster service-account files, or from
 * a kubeconfig file (KUBECONFIG — tests and operators' laptops).
 */
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { ConfigurationError } from '../common/errors/index.js';

/** The `[kubernetes]` keys this module reads (camelCase mirror of kuryr.conf). */
export interface KubeAccessOptions {
  /** `[kubernetes] api_root`; empty ⇒ in-cluster (KUBERNETES_SERVICE_HOST/PORT). */
  apiRoot?: string;
  sslClientCrtFile?: string;
  sslClientKeyFile?: string;
  sslCaCrtFile?: string;
  /** `[kubernetes] ssl_verify_server_crt`. NOTE: the original default is False; we pass it through. */
  sslVerifyServerCrt?: boolean;
  tokenFile?: string;
}

/**
 * KubeConfig from kuryr.conf. Files that do not exist are ignored (the defaults point at the
 * service-account mount, absent outside a pod).
 *
 * @throws ConfigurationError when no API root can be derived, or a plain `http://` root is combined
 *   with certificate verification (client-node refuses http:// unless TLS verification is off).
 */
export function kubeConfigFromOptions(
  o: KubeAccessOptions,
  env: NodeJS.ProcessEnv = process.env,
): KubeConfig {
  let server = o.apiRoot?.trim() || env.K8S_API?.trim() || '';
  if (!server) {
    const host = env.KUBERNETES_SERVICE_HOST;
    const port = env.KUBERNETES_SERVICE_PORT ?? '443';
    if (!host) {
      throw new ConfigurationError(
        '[kubernetes] api_root is empty and KUBERNETES_SERVICE_HOST is unset: set api_root',
      );
    }
    server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  }
  const plainHttp = server.startsWith('http://');
  if (plainHttp && o.sslVerifyServerCrt) {
    throw new ConfigurationError(
      `[kubernetes] api_root ${server} is plain http but ssl_verify_server_crt is True`,
    );
  }
  const present = (f?: string): string | undefined => (f && existsSync(f) ? f : undefined);
  const caFile = present(o.sslCaCrtFile);
  const tokenFile = present(o.tokenFile);
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser(
    {
      name: 'kuryr',
      server,
      ...(caFile ? { caFile } : {}),
      // NOTE: the original's default does not verify (ssl_verify_server_crt = False): kept for drop-in
      // compatibility; docs/kubernetes.md recommends turning it on.
      skipTLSVerify: plainHttp || !o.sslVerifyServerCrt,
    },
    {
      name: 'kuryr',
      ...(present(o.sslClientCrtFile) ? { certFile: o.sslClientCrtFile } : {}),
      ...(present(o.sslClientKeyFile) ? { keyFile: o.sslClientKeyFile } : {}),
      // file auth re-reads the token file, so rotated (bound) service-account tokens keep working
      ...(tokenFile ? { authProvider: { name: 'tokenFile', config: { tokenFile } } } : {}),
    },
  );
  return kc;
}

/**
 * KubeConfig from a kubeconfig file (`KUBECONFIG`).
 *
 * @throws ConfigurationError when the file is missing or has no current cluster
 */
export function kubeConfigFromFile(path: string | undefined = process.env.KUBECONFIG): KubeConfig {
  if (!path || !existsSync(path)) {
    throw new ConfigurationError(
      `kubeconfig ${path ?? '(KUBECONFIG unset)'} not found: set KUBECONFIG or [kubernetes] api_root`,
    );
  }
  const kc = new KubeConfig();
  kc.loadFromFile(path);
  if (!kc.getCurrentCluster())
    throw new ConfigurationError(`kubeconfig ${path} has no current cluster`);
  return kc;
}
