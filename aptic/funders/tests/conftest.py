# The usage facts' world (a labelled place, an order shipped and partly handed out) for the dashboards.
from aptic.reporting.tests.test_usage import world  # noqa: F401
from aptic.vouchers.tests.conftest import counter  # noqa: F401
