#!/bin/sh
# install.sh [PREFIX] — installs the built kuryr-cni (run `npm run build` first): the bundle to
# $PREFIX/usr/lib/kuryr/kuryr-cni.cjs and a wrapper to $PREFIX/opt/cni/bin/kuryr-cni that names it,
# so the runtime's exec pays for one `sh` and one `node`, nothing else.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
prefix=${1:-}
[ -f "$root/dist/kuryr-cni.cjs" ] || { echo "dist/kuryr-cni.cjs missing: run npm run build" >&2; exit 1; }
install -d "$prefix/usr/lib/kuryr" "$prefix/opt/cni/bin"
install -m 0644 "$root/dist/kuryr-cni.cjs" "$prefix/usr/lib/kuryr/kuryr-cni.cjs"
printf '#!/bin/sh\nexec node /usr/lib/kuryr/kuryr-cni.cjs "$@"\n' > "$prefix/opt/cni/bin/kuryr-cni"
chmod 0755 "$prefix/opt/cni/bin/kuryr-cni"
echo "installed $prefix/opt/cni/bin/kuryr-cni; example network config: deploy/cni/10-kuryr.conflist"
