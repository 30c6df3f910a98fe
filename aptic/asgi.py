import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aptic.settings")
application = get_asgi_application()

from aptic.core.startup import startup_freeze  # noqa: E402 (once Django is set up)

startup_freeze()
