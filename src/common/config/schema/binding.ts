/**
 * @module `[binding]`: kuryr-lib host binding options.
 */
import { list, str } from './option.js';
import { section } from './section.js';

const VETH_BINDING = 'kuryr.lib.binding.drivers.veth';

/** `[binding]` options (COMPATIBILITY.md §4). */
export const bindingSection = section('binding', 'Host side binding of container interfaces.', [
  str('veth_dst_prefix', 'eth', 'Interface name prefix returned to Docker in Join (DstPrefix).'),
  str('default_driver', VETH_BINDING, 'Binding driver.', { deprecatedName: 'driver' }),
  list('enabled_drivers', [VETH_BINDING], 'Binding drivers that may be used.'),
  str(
    'link_iface',
    '',
    'VM interface of nested drivers (guessed from the VM port MAC when empty).',
  ),
]);
