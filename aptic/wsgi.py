import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aptic.settings")
application = get_wsgi_application()
# What the start-up loaded (about 167,000 objects: modules, models, settings) lives as long as the
# worker: kept out of the garbage collector's full passes, which would scan it again and again while
# a dashboard builds its rows (ADR 0062).
gc.collect()
gc.freeze()
