"""Settings for the test suite: embedded mode, fast password hashing, files under a temp folder."""

import os
import tempfile

os.environ.setdefault("APTIC_ENV", "embedded")
os.environ.setdefault("APTIC_VAR_DIR", tempfile.mkdtemp(prefix="aptic-test-"))

from aptic.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SECURE_SSL_REDIRECT = False
APTIC_LOGIN_FAILURE_LIMIT = 5
APTIC_JOBS_BACKEND = "sync"
# The suite runs in one process: its memory cache is the whole cache (core/generations.py).
APTIC_SINGLE_PROCESS = True
