"""`make run`: the site URL follows HOST and PORT; the French error pages unless debug is asked for."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.urls import reverse

from aptic.core.tests.helpers import text

ROOT = Path(__file__).resolve().parents[3]
SHOW = "from django.conf import settings as s; print(json.dumps([s.SITE_URL, s.DEBUG, s.ALLOWED_HOSTS]))"


def _embedded_settings(tmp_path, **env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("APTIC_", "DJANGO_", "DATABASE_URL"))}
    base = {k: v for k, v in base.items() if k not in ("HOST", "PORT")}
    base.update({"APTIC_ENV": "embedded", "APTIC_VAR_DIR": str(tmp_path), **env})
    code = f"import json, django; django.setup(); {SHOW}"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "aptic.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_embedded_site_url_follows_host_and_port_and_debug_is_off_unless_asked(tmp_path):
    site_url, debug, hosts = _embedded_settings(tmp_path, HOST="localhost", PORT="8123")
    assert (site_url, debug) == ("http://localhost:8123", False) and "localhost" in hosts
    site_url, debug, hosts = _embedded_settings(tmp_path, HOST="0.0.0.0", PORT="9000", DJANGO_DEBUG="1")
    assert (site_url, debug) == ("http://127.0.0.1:9000", True)


def test_embedded_mode_serves_french_404_and_its_static_files(client, db):
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    assert "Page introuvable" in text(response)
    assert "URLconf" not in text(response)
    css = client.get("/static/aptic/css/aptic.css")
    assert css.status_code == 200 and css["Content-Type"].startswith("text/css")


def test_setup_embedded_prints_the_back_office_at_the_site_url(db, settings):
    from io import StringIO

    from aptic.demo.management.commands.setup_embedded import Command

    settings.SITE_URL = "http://127.0.0.1:8123"
    out = StringIO()
    Command(stdout=out).print_accounts()
    assert f"Back-office : http://127.0.0.1:8123{reverse('admin:index')}" in out.getvalue()
    assert ":8000" not in out.getvalue()


def test_the_map_tile_server_may_serve_images(settings):
    from aptic.settings import _origin

    assert _origin("https://{s}.tile.example.org/{z}/{x}/{y}.png") == "https://*.tile.example.org"
    assert _origin("https://tiles.example.fr:8443/osm/{z}/{x}/{y}.png") == "https://tiles.example.fr:8443"
    img_src = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"]
    assert _origin(settings.APTIC_MAP_TILE_URL) in img_src
    assert "https://tile.openstreetmap.org" in img_src
