import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiRequest, ApiResponse, ServiceClient } from '../http/types.js';
import { QuotasClient } from './quotas.js';

test('quotas.getDetails: GET …/quotas/{project}/details, the project id encoded, body.quota returned', async () => {
  const requests: ApiRequest[] = [];
  const http: ServiceClient = {
    serviceType: 'network',
    endpoint: () => Promise.resolve('http://n'),
    request<T>(req: ApiRequest): Promise<ApiResponse<T>> {
      requests.push(req);
      const body = {
        quota: {
          port: { used: 7, limit: 50, reserved: 0 },
          network: { used: 1, limit: -1, reserved: 0 },
        },
      };
      return Promise.resolve({ status: 200, body: body as T, headers: {}, requestId: 'r' });
    },
  };
  const details = await new QuotasClient(http).getDetails('p/1', { timeoutMs: 900 });
  assert.deepEqual(details['port'], { used: 7, limit: 50, reserved: 0 });
  assert.equal(details['network']?.limit, -1);
  assert.equal(requests[0]?.method, 'GET');
  assert.equal(requests[0]?.path, '/v2.0/quotas/p%2F1/details');
  assert.equal(requests[0]?.timeoutMs, 900);
});
