# The counter's world (a place, its offers, an order shipped and partly handed out), for the exports' tests.
from aptic.printing.tests.conftest import sold_order  # noqa: F401
from aptic.reporting.tests.test_usage import world  # noqa: F401
from aptic.vouchers.tests.conftest import counter  # noqa: F401
