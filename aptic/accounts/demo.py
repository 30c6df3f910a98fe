"""Demo builder: the demo staff accounts pass the second factor with one known key (ADR 0019).

Demo data exist only in embedded mode, where every demo account already shares one known password;
the key is printed by `make run` (setup_embedded) and `make demo-code` (manage.py demo_code) prints the current code.
"""

import base64
import binascii

from .models import User
from .two_factor import totp_device_create

# 20 bytes, hex as django-otp stores keys: the RFC 6238 test key "12345678901234567890".
DEMO_TOTP_KEY = "3132333435363738393031323334353637383930"


def demo_totp_secret() -> str:
    """The key in base32, in groups of four, as authenticator applications ask for it."""
    raw = base64.b32encode(binascii.unhexlify(DEMO_TOTP_KEY)).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def build(context) -> None:
    for user in User.objects.filter(is_staff=True).exclude(totpdevice__confirmed=True):
        totp_device_create(user=user, key=DEMO_TOTP_KEY)
