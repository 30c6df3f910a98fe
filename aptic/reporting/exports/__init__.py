"""The files of a steering report (issue #14, ADR 0042): the view on screen as CSV (French Excel), XLSX
and an A4 PDF, each serialising the same `Report` as the page, and the row-level export of uses."""

from .pdf import report_pdf
from .sheets import report_csv, report_xlsx

__all__ = ["report_csv", "report_pdf", "report_xlsx"]
