from django.urls import path

from homeward.returns import views

app_name = "returns"

urlpatterns = [
    path("readiness/", views.readiness_map, name="readiness_map"),
    path("readiness/summary/", views.readiness_summary, name="readiness_summary"),
    path("readiness/<str:code>/", views.settlement_readiness, name="settlement_readiness"),
    path("export/<str:kind>/", views.export_download, name="export"),
]
