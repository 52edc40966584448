from django.urls import path

from homeward.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views.audit_log, name="audit_log"),
    path("healthz", views.health, name="health"),
]
