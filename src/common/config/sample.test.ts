import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseIni } from './ini.js';
import { renderSampleConfig } from './sample.js';

test('the sample lists every section and is valid INI with everything commented out', () => {
  const text = renderSampleConfig();
  assert.match(text, /^\[neutron\]$/m);
  assert.match(text, /^#vif_plugging_timeout = 0$/m);
  assert.match(text, /^#enabled_handlers = vif,endpoints,service,kuryrloadbalancer,kuryrport$/m);
  assert.match(text, /^# Deprecated name: port_driver$/m);
  assert.match(text, /^#host = <the machine host name>$/m);
  const doc = parseIni(text, 'sample');
  assert.ok(doc.has('DEFAULT') && doc.has('cni_daemon'));
  for (const keys of doc.values()) assert.equal(keys.size, 0, 'no active assignment');
});
