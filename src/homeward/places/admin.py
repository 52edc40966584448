from django.contrib import admin

from homeward.core.admin import HomewardModelAdmin
from homeward.places.models import Place, PlaceName


class PlaceNameInline(admin.TabularInline):  # type: ignore[type-arg]
    model = PlaceName
    extra = 0
    fields = ("text", "language", "script", "kind")


@admin.register(Place)
class PlaceAdmin(HomewardModelAdmin):
    list_display = ("name", "code", "level", "district", "is_synthetic")
    list_filter = ("level", "is_synthetic", "source")
    search_fields = ("name", "code", "names__text")
    inlines = [PlaceNameInline]
    raw_id_fields = ("parent", "district")
