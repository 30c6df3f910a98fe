from django.urls import path

from . import views

app_name = "billing"

urlpatterns = [
    # Public: the quote request, and the funder's acceptance through the e-mailed link.
    path("devis/", views.quote_request, name="quote_request"),
    path("devis/merci/", views.quote_request_done, name="quote_request_done"),
    path("devis/accepter/<str:token>/", views.quote_accept, name="quote_accept"),
    path("devis/accepter/<str:token>/devis.pdf", views.quote_accept_pdf, name="quote_accept_pdf"),
    # Staff.
    path("equipe/devis/demandes/", views.staff_requests, name="staff_requests"),
    path("equipe/devis/demandes/<int:pk>/", views.staff_request, name="staff_request"),
    path("equipe/devis/", views.staff_quotes, name="staff_quotes"),
    path("equipe/devis/<int:pk>/", views.staff_quote, name="staff_quote"),
    path("equipe/devis/<int:pk>/devis.pdf", views.staff_quote_pdf, name="staff_quote_pdf"),
    path(
        "equipe/devis/<int:pk>/acceptation.pdf", views.staff_quote_acceptance_file, name="staff_quote_acceptance_file"
    ),
    path("equipe/factures/", views.staff_invoices, name="staff_invoices"),
    path("equipe/factures/commande/<int:order_pk>/", views.staff_invoice_issue, name="staff_invoice_issue"),
    path("equipe/factures/<int:pk>/", views.staff_invoice, name="staff_invoice"),
    path("equipe/factures/<int:pk>/facture.pdf", views.staff_invoice_pdf, name="staff_invoice_pdf"),
    path("equipe/avoirs/<int:pk>/avoir.pdf", views.staff_credit_note_pdf, name="staff_credit_note_pdf"),
    path("equipe/fonds-territorial/", views.staff_fund, name="staff_fund"),
    # Funder space.
    path("espace/<slug:org_slug>/factures/", views.funder_documents, name="funder_documents"),
    path("espace/<slug:org_slug>/factures/<int:pk>/facture.pdf", views.funder_invoice_pdf, name="funder_invoice_pdf"),
    path(
        "espace/<slug:org_slug>/avoirs/<int:pk>/avoir.pdf", views.funder_credit_note_pdf, name="funder_credit_note_pdf"
    ),
    path("espace/<slug:org_slug>/devis/<int:pk>/devis.pdf", views.funder_quote_pdf, name="funder_quote_pdf"),
    path("espace/<slug:org_slug>/fonds-territorial/", views.funder_fund, name="funder_fund"),
]
