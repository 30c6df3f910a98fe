#!/usr/bin/env bash
# Copies the pinned npm packages' built files into the static folder; their versions are in package-lock.json.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dest="$here/../aptic/core/static/vendor"
cd "$here"
npm ci --no-audit --no-fund
rm -rf "$dest" && mkdir -p "$dest/htmx"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/htmx/"
cp node_modules/htmx.org/LICENSE "$dest/htmx/LICENSE"
echo "Vendored into $dest:"; find "$dest" -type f | sort
