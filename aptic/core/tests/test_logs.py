"""What the logs say about a refused request: one line, no traceback."""

import logging

from django.urls import reverse


def test_an_ordinary_403_is_logged_as_one_line(client, funder, caplog):
    """A member of no organisation asking for a funder's page: refused, and django.request says so in
    one line (the refusal is raised from a domain error, which gave two chained tracebacks)."""
    from aptic.core.tests.factories import UserFactory

    client.force_login(UserFactory())
    with caplog.at_level(logging.INFO, logger="django.request"):
        response = client.get(reverse("accounts:organisation", kwargs={"org_slug": funder.slug}))
    assert response.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1
    assert records[0].levelno == logging.WARNING
    assert records[0].exc_info is None and not records[0].exc_text
    assert "Traceback" not in caplog.text
    assert "Forbidden" in records[0].getMessage()


def test_a_server_error_keeps_its_traceback(caplog):
    from aptic.core.logs import ClientErrorsWithoutTraceback

    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal Server Error", (), sys.exc_info()
        )
    record.status_code = 500
    assert ClientErrorsWithoutTraceback().filter(record) and record.exc_info is not None


def test_factur_x_narration_stays_out_of_the_console(caplog):
    """The Factur-X library logs a dozen INFO lines per invoice (`make run` printed twenty while
    building the demo); its warnings still show."""
    library = logging.getLogger("factur-x")
    library.info("PDF/A-3 metadata written")
    library.warning("XSD check skipped")
    assert [r.getMessage() for r in caplog.records if r.name == "factur-x"] == ["XSD check skipped"]
