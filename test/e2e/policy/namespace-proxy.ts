/**
 * A loopback proxy in front of the real kube-apiserver that shows a client only the namespaces whose
 * name starts with a prefix: cluster-wide lists and watches lose every object of other namespaces
 * (and the other Namespace objects themselves); everything else passes through unchanged.
 *
 * WHY: the real `kuryr controller` watches the whole cluster. The bed's apiserver is shared by suites
 * that run at the same time (some with their own in-process handlers on their own pods), and a second
 * controller acting on their pods and NetworkPolicies would fight theirs. Behind this proxy the
 * controller under test only ever sees this test's namespaces; the apiserver, its storage, watch
 * semantics and resource versions stay the real ones.
 *
 * @module test/e2e/policy/namespace-proxy
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

interface Meta {
  metadata?: { name?: string; namespace?: string };
}

/** A running proxy: `kubeconfig` points a client at it. */
export interface NamespaceProxy {
  kubeconfig: string;
  close(): Promise<void>;
}

/** The resource of a cluster-wide collection URL (`/api/v1/pods`, `/apis/g/v/kuryrports`), else undefined. */
function clusterCollection(pathname: string): string | undefined {
  const s = pathname.split('/').filter(Boolean);
  if (s[0] === 'api' && s.length === 3) return s[2];
  if (s[0] === 'apis' && s.length === 4) return s[3];
  return undefined;
}

/**
 * Starts the proxy for `upstreamKubeconfig` (token or client-certificate user) and writes a
 * kubeconfig for it to `kubeconfigPath` (plain http on 127.0.0.1, no credentials: the proxy adds them).
 */
export async function startNamespaceProxy(
  upstreamKubeconfig: string,
  prefix: string,
  kubeconfigPath: string,
): Promise<NamespaceProxy> {
  const kc = new KubeConfig();
  kc.loadFromFile(upstreamKubeconfig);
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  if (!cluster) throw new Error(`${upstreamKubeconfig}: no current cluster`);
  const upstream = new URL(cluster.server);
  const pem = (data?: string, file?: string): Buffer | undefined =>
    data ? Buffer.from(data, 'base64') : file ? readFileSync(file) : undefined;
  const [ca, cert, key] = [
    pem(cluster.caData, cluster.caFile),
    pem(user?.certData, user?.certFile),
    pem(user?.keyData, user?.keyFile),
  ];
  const tls = { ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) };
  const ours = (resource: string, o: Meta | undefined): boolean => {
    const m = o?.metadata ?? {};
    if (resource === 'namespaces') return (m.name ?? '').startsWith(prefix);
    return m.namespace === undefined || m.namespace.startsWith(prefix);
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const resource = req.method === 'GET' ? clusterCollection(url.pathname) : undefined;
    const watch = ['true', '1'].includes(url.searchParams.get('watch') ?? '');
    const headers = { ...req.headers, host: upstream.host };
    delete headers['accept-encoding']; // the filter reads the body
    if (user?.token) headers.authorization = `Bearer ${user.token}`;
    const up = httpsRequest(
      {
        hostname: upstream.hostname,
        port: upstream.port || 443,
        path: url.pathname + url.search,
        method: req.method,
        headers,
        ...tls,
      },
      (ur) => {
        if (resource === undefined || ur.statusCode !== 200) {
          res.writeHead(ur.statusCode ?? 502, ur.headers);
          ur.pipe(res);
          return;
        }
        const out = { ...ur.headers };
        delete out['content-length'];
        res.writeHead(200, out);
        let buf = '';
        ur.setEncoding('utf8');
        if (watch) {
          // one JSON event per line; keep BOOKMARK/ERROR (no namespace) and our objects' events
          ur.on('data', (chunk: string) => {
            buf += chunk;
            let nl;
            while ((nl = buf.indexOf('\n')) >= 0) {
              const line = buf.slice(0, nl);
              buf = buf.slice(nl + 1);
              if (line.trim() === '') continue;
              let ev: { object?: Meta } | undefined;
              try {
                ev = JSON.parse(line) as { object?: Meta };
              } catch {
                ev = undefined;
              }
              if (!ev || ours(resource, ev.object)) res.write(`${line}\n`);
            }
          });
          ur.on('end', () => res.end());
        } else {
          ur.on('data', (chunk: string) => (buf += chunk));
          ur.on('end', () => {
            try {
              const list = JSON.parse(buf) as { items?: Meta[] };
              if (Array.isArray(list.items))
                list.items = list.items.filter((i) => ours(resource, i));
              res.end(JSON.stringify(list));
            } catch {
              res.end(buf);
            }
          });
        }
        res.on('close', () => ur.destroy());
      },
    );
    up.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`proxy: ${err.message}`);
    });
    res.on('close', () => up.destroy());
    req.pipe(up);
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  writeFileSync(
    kubeconfigPath,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters:',
      '- name: proxy',
      `  cluster: {server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}`,
      'users:',
      '- name: proxy',
      '  user: {}',
      'contexts:',
      '- name: proxy',
      '  context: {cluster: proxy, user: proxy, namespace: default}',
      'current-context: proxy',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return {
    kubeconfig: kubeconfigPath,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
