#!/usr/bin/env bash
# Copies the pinned npm packages' built files into the static folder; their versions are in package-lock.json.
# Source maps are copied too: the production static storage follows `sourceMappingURL` comments.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dest="$here/../aptic/core/static/vendor"
cd "$here"
# No install scripts: only built files are copied, and swagger-ui-dist's dependency @scarf/scarf would
# otherwise report the installation to a third party.
SCARF_ANALYTICS=false npm ci --no-audit --no-fund --ignore-scripts
rm -rf "$dest" && mkdir -p "$dest/chart.js" "$dest/htmx" "$dest/leaflet" "$dest/leaflet.markercluster" "$dest/swagger-ui"

# Charts of the dashboards (ADR 0039): the UMD build carries its colour helper (@kurkle/color).
chart=node_modules/chart.js
cp "$chart"/dist/chart.umd.min.js "$chart"/dist/chart.umd.min.js.map "$dest/chart.js/"
cp "$chart"/LICENSE.md "$dest/chart.js/LICENSE.md"

cp node_modules/htmx.org/dist/htmx.min.js "$dest/htmx/"
cp node_modules/htmx.org/LICENSE "$dest/htmx/LICENSE"

leaflet=node_modules/leaflet
cp "$leaflet"/dist/leaflet.js "$leaflet"/dist/leaflet.js.map "$leaflet"/dist/leaflet.css "$dest/leaflet/"
cp -R "$leaflet"/dist/images "$dest/leaflet/images"
cp "$leaflet"/LICENSE "$dest/leaflet/LICENSE"

cluster=node_modules/leaflet.markercluster
cp "$cluster"/dist/leaflet.markercluster.js "$cluster"/dist/leaflet.markercluster.js.map \
  "$cluster"/dist/MarkerCluster.css "$cluster"/dist/MarkerCluster.Default.css "$dest/leaflet.markercluster/"
cp "$cluster"/MIT-LICENCE.txt "$dest/leaflet.markercluster/LICENSE"

# The API's interactive documentation (/api/v1/docs): the bundle carries Swagger UI and its presets.
swagger=node_modules/swagger-ui-dist
cp "$swagger"/swagger-ui-bundle.js "$swagger"/swagger-ui-bundle.js.map "$swagger"/swagger-ui-bundle.js.LICENSE.txt \
  "$swagger"/swagger-ui.css "$swagger"/swagger-ui.css.map "$dest/swagger-ui/"
cp "$swagger"/LICENSE "$swagger"/NOTICE "$dest/swagger-ui/"

echo "Vendored into $dest:"; find "$dest" -type f | sort
