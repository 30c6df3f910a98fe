import pytest

from aptic.core.templatetags.aptic import euros


@pytest.mark.parametrize(
    "cents,shown",
    [
        (0, "0 €"),
        (1000, "10 €"),
        (1250, "12,50 €"),
        (5, "0,05 €"),
        (123456789, "1\u202f234\u202f567,89 €"),
        (-700, "-7 €"),
        (None, ""),
    ],
)
def test_euros(cents, shown):
    assert euros(cents) == shown
