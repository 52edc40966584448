from django.urls import path

from homeward.mineaction import views

app_name = "mineaction"

urlpatterns = [
    path("", views.map_page, name="map"),
    path("hazards/", views.hazard_list, name="hazard_list"),
    path("hazards/<uuid:pk>/", views.hazard_detail, name="hazard_detail"),
    path("releases/", views.release_list, name="release_list"),
    path("incidents/", views.incident_list, name="incident_list"),
    path("incidents/<uuid:pk>/", views.incident_detail, name="incident_detail"),
    path("progress/", views.progress, name="progress"),
    path("import/", views.import_page, name="import"),
    path("export/<str:kind>/", views.export_download, name="export"),
]
