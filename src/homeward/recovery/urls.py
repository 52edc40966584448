from django.urls import path

from homeward.recovery import views

app_name = "recovery"

urlpatterns = [
    path("", views.project_list, name="project_list"),
    path("projects/<uuid:pk>/", views.project_detail, name="project_detail"),
    path("projects/<uuid:pk>/complete/", views.project_complete, name="project_complete"),
    path("settlements/<str:code>/", views.settlement_services, name="settlement_services"),
    path("export/<str:kind>/", views.export_download, name="export"),
]
