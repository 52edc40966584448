from django.urls import path

from homeward.registry import views

app_name = "registry"
urlpatterns = [
    path("persons/", views.person_list, name="person_list"),
    path("persons/<uuid:person_id>/", views.person_detail, name="person_detail"),
]
