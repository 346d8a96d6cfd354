import assert from 'node:assert/strict';
import { test } from 'node:test';
import { collapsePorts } from './external-connectivity-service.js';

test('exposed ports collapse into one range list per protocol', () => {
  const r = collapsePorts([
    { Proto: 6, Port: 82 },
    { Proto: 6, Port: 80 },
    { Proto: 6, Port: 81 },
    { Proto: 6, Port: 81 },
    { Proto: 6, Port: 443 },
    { Proto: 17, Port: 53 },
    { Proto: 1, Port: 0 },
  ]);
  assert.deepEqual(Object.fromEntries(r), {
    tcp: [
      [80, 82],
      [443, 443],
    ],
    udp: [[53, 53]],
    icmp: [[0, 0]],
  });
});
