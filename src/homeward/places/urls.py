from django.urls import path

from homeward.places import views

app_name = "places"
urlpatterns = [
    path("", views.settlement_list, name="settlement_list"),
]
