#!/usr/bin/env bash
# The accessibility crawl (`make a11y`, CI): a fresh embedded database with the demo, the site served
# with DEBUG off as a visitor gets it, then every page each demo role reaches, desktop and phone, through
# axe-core in Debian's headless Chromium. Installs Chromium (apt) and the crawl's npm packages if missing.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
py="$root/.venv/bin/python"
port=${A11Y_PORT:-8765}

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "FAIL: Chromium is missing (apt-get install chromium)." >&2; exit 1
  fi
fi
(cd "$here" && npm ci --no-audit --no-fund --ignore-scripts --silent)

work=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
export APTIC_ENV=embedded APTIC_VAR_DIR="$work/var" DJANGO_DEBUG=0 APTIC_JOBS_BACKEND=sync
unset DATABASE_URL
cd "$root"
SECONDS=0
"$py" manage.py migrate --noinput -v 0
"$py" manage.py setup_embedded >/dev/null
"$py" "$here/prepare.py" > "$work/prepared.json"
echo "Base de démonstration prête en ${SECONDS} s."
"$root/.venv/bin/gunicorn" aptic.wsgi -b "127.0.0.1:$port" -w 2 --log-level warning &
server_pid=$!
for _ in $(seq 60); do
  curl -fs -o /dev/null "http://127.0.0.1:$port/" && break
  sleep 1
done
mkdir -p "$root/var"
node "$here/crawl.mjs" "http://127.0.0.1:$port" "$work/prepared.json" "${A11Y_REPORT:-$root/var/a11y-report.json}"
