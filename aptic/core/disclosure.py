"""What the platform may publish of counts about people and providers (issue #16, ADR 0049): one
home for the thresholds, read by the open data and the public territorial diagnostic."""

# A published count of vouchers (or uses) under this is blanked: fewer could point at someone.
MIN_PUBLISHED_VOUCHERS = 11
# A figure about providers (their quality questionnaires) is shown over at least this many.
MIN_PROVIDERS = 5
