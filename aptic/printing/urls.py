from django.urls import path

from . import views

app_name = "printing"
urlpatterns = [
    path("equipe/impression/", views.staff_orders, name="staff_orders"),
    path("equipe/impression/<int:pk>/", views.staff_order, name="staff_order"),
    path("equipe/impression/<int:pk>/fichiers/<int:part>/", views.staff_file, name="staff_file"),
    path("equipe/impression/<int:pk>/couverture/", views.staff_cover, name="staff_cover"),
    path("espace/<slug:org_slug>/nom-imprime/", views.funder_print_name, name="funder_print_name"),
]
