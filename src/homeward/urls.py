from django.contrib import admin
from django.urls import include, path

from homeward.api import api

# The API first: most requests under load are API calls, and Django tries the patterns in order.
urlpatterns = [
    path("api/", api.urls),
    path("", include("homeward.core.urls")),
    path("accounts/", include("homeward.accounts.urls")),
    path("places/", include("homeward.places.urls")),
    path("registry/", include("homeward.registry.urls")),
    path("mineaction/", include("homeward.mineaction.urls")),
    path("recovery/", include("homeward.recovery.urls")),
    path("returns/", include("homeward.returns.urls")),
    path("cases/", include("homeward.cases.urls")),
    path("admin/", admin.site.urls),
]
