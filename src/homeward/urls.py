from django.contrib import admin
from django.urls import include, path

from homeward.api import api

urlpatterns = [
    path("", include("homeward.core.urls")),
    path("accounts/", include("homeward.accounts.urls")),
    path("places/", include("homeward.places.urls")),
    path("registry/", include("homeward.registry.urls")),
    path("mineaction/", include("homeward.mineaction.urls")),
    path("recovery/", include("homeward.recovery.urls")),
    path("returns/", include("homeward.returns.urls")),
    path("cases/", include("homeward.cases.urls")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
]
