"""The engine's plain inputs: settlements, hazardous areas, services, facilities and housing.

Columns, not rows: each input is a frozen dataclass of parallel sequences and numpy arrays, so a
national data set goes in without a Python object per record and a what-if is a cheap
``dataclasses.replace``. Records name their settlement by id; dates are ``datetime64[D]`` arrays
with ``NaT`` for "not known" (a list of ``date | None`` is accepted and converted).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from operator import itemgetter
from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pyproj
import shapely

from homeward.engines.geo import WGS84, GeometryArray, local_metric_crs
from homeward.engines.readiness.vocabulary import ServiceKind, ServiceStatus

FloatArray: TypeAlias = npt.NDArray[np.float64]
BoolArray: TypeAlias = npt.NDArray[np.bool_]
IndexArray: TypeAlias = npt.NDArray[np.intp]
DateArray: TypeAlias = npt.NDArray[np.datetime64]
Dates: TypeAlias = Sequence[dt.date | None] | DateArray

NO_DATE = np.datetime64("NaT", "D")
SERVICE_KINDS: tuple[ServiceKind, ...] = tuple(ServiceKind)
SERVICE_STATUSES: tuple[ServiceStatus, ...] = tuple(ServiceStatus)
KIND_CODE = {kind.value: code for code, kind in enumerate(SERVICE_KINDS)}
STATUS_CODE = {status.value: code for code, status in enumerate(SERVICE_STATUSES)}


class InputError(ValueError):
    """An input was refused: ``field`` (and ``row``, where one record is at fault) name what is wrong."""

    def __init__(self, field: str, message: str, *, row: int | None = None) -> None:
        self.field = field
        self.row = row
        self.message = message
        where = f"{field}[{row}]" if row is not None else field
        super().__init__(f"{where}: {message}")


@lru_cache(maxsize=32)
def transformer(source: pyproj.CRS, target: pyproj.CRS) -> pyproj.Transformer:
    """A lon/lat-ordered transformer, built once per pair of CRSs (building one costs milliseconds)."""
    return pyproj.Transformer.from_crs(source, target, always_xy=True)


def date_array(values: Dates) -> DateArray:
    """``values`` as a ``datetime64[D]`` array (the same array if it already is one); ``None`` becomes ``NaT``."""
    if isinstance(values, np.ndarray):
        return values.astype("datetime64[D]", copy=False)
    return np.array(
        [NO_DATE if value is None else np.datetime64(value, "D") for value in values], dtype="datetime64[D]"
    )


def to_date(value: np.datetime64) -> dt.date | None:
    """One ``datetime64`` as a ``date``, ``None`` for ``NaT``."""
    if np.isnat(value):
        return None
    result: dt.date = value.astype("datetime64[D]").astype(object)
    return result


def floats_of(name: str, values: Any, size: int) -> FloatArray:
    array = np.asarray(values, dtype=np.float64).reshape(-1)
    if array.shape[0] != size:
        raise InputError(name, f"has {array.shape[0]} values for {size} rows")
    return array


def bools_of(name: str, values: Any, size: int) -> BoolArray:
    array = np.asarray(values, dtype=np.bool_).reshape(-1)
    if array.shape[0] != size:
        raise InputError(name, f"has {array.shape[0]} values for {size} rows")
    return array


def dates_of(name: str, values: Dates, size: int) -> DateArray:
    array = date_array(values)
    if array.shape[0] != size:
        raise InputError(name, f"has {array.shape[0]} values for {size} rows")
    return array


def strings_of(name: str, values: Sequence[str], size: int | None = None) -> tuple[str, ...]:
    result = tuple(values)
    if size is not None and len(result) != size:
        raise InputError(name, f"has {len(result)} values for {size} rows")
    return result


def geometries_of(name: str, values: Any, size: int) -> GeometryArray:
    array = np.empty(size, dtype=object)
    given = list(values)
    if len(given) != size:
        raise InputError(name, f"has {len(given)} values for {size} rows")
    array[:] = given
    return array


def codes_of(name: str, values: Sequence[str], codes: dict[str, int]) -> npt.NDArray[np.int8]:
    try:
        return np.fromiter((codes[value] for value in values), dtype=np.int8, count=len(values))
    except KeyError:
        row = next(row for row, value in enumerate(values) if value not in codes)
        raise InputError(name, f"unknown value {values[row]!r}; known: {', '.join(codes)}", row=row) from None


@dataclass(frozen=True, eq=False)
class Settlements:
    """Settlements with their point, district centre and pre-conflict households (``NaN``: not known).

    ``polygons`` holds a WGS 84 residential polygon per settlement, or ``None`` where the residential
    area is a buffer around the point. Distances and buffers are measured in ``metric_crs``; by
    default the UTM zone of the centre of the settlements' bounds.
    """

    ids: Sequence[str]
    lon: FloatArray
    lat: FloatArray
    centre_lon: FloatArray
    centre_lat: FloatArray
    households: FloatArray
    polygons: GeometryArray | None = None
    metric_crs: pyproj.CRS | None = None

    def __post_init__(self) -> None:
        ids = strings_of("settlements.ids", self.ids)
        size = len(ids)
        object.__setattr__(self, "ids", ids)
        for name in ("lon", "lat", "centre_lon", "centre_lat", "households"):
            object.__setattr__(self, name, floats_of(f"settlements.{name}", getattr(self, name), size))
        if self.polygons is not None:
            object.__setattr__(self, "polygons", geometries_of("settlements.polygons", self.polygons, size))
        if len(self.index) != size:
            duplicate = next(row for row, value in enumerate(ids) if self.index[value] != row)
            raise InputError("settlements.ids", f"duplicate id {ids[duplicate]!r}", row=duplicate)

    def __len__(self) -> int:
        return len(self.ids)

    @cached_property
    def index(self) -> dict[str, int]:
        """Row of each settlement id."""
        return {value: row for row, value in enumerate(self.ids)}

    @cached_property
    def crs(self) -> pyproj.CRS:
        """The metric CRS distances and buffers are measured in."""
        if self.metric_crs is not None:
            return self.metric_crs
        if not len(self.ids):
            return local_metric_crs(0.0, 0.0)
        lon = (float(np.nanmin(self.lon)) + float(np.nanmax(self.lon))) / 2
        lat = (float(np.nanmin(self.lat)) + float(np.nanmax(self.lat))) / 2
        return local_metric_crs(lon, lat)

    @cached_property
    def metric_xy(self) -> FloatArray:
        """The settlements' points in :attr:`crs`, one row (x, y) per settlement."""
        x, y = transformer(WGS84, self.crs).transform(self.lon, self.lat)
        return np.column_stack((np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64)))

    def rows_of(self, ids: Sequence[str], field: str) -> IndexArray:
        """The rows of settlement ``ids``; raises :class:`InputError` naming ``field`` and the record at fault."""
        index = self.index
        try:
            if len(ids) > 1:
                return np.fromiter(itemgetter(*ids)(index), dtype=np.intp, count=len(ids))
            return np.fromiter((index[value] for value in ids), dtype=np.intp, count=len(ids))
        except KeyError:
            row = next(row for row, value in enumerate(ids) if value not in index)
            raise InputError(field, f"no settlement with id {ids[row]!r}", row=row) from None


@dataclass(frozen=True, eq=False)
class Hazards:
    """Hazardous areas (WGS 84 polygons); ``active`` marks the open ones that still contaminate land.

    ``expected_clearance`` is when each area is expected to be released (``NaT``: no plan), which
    the caller derives from clearance progress (see :func:`expected_clearance`).
    """

    ids: Sequence[str]
    polygons: GeometryArray
    active: BoolArray
    expected_clearance: Dates

    def __post_init__(self) -> None:
        ids = strings_of("hazards.ids", self.ids)
        size = len(ids)
        object.__setattr__(self, "ids", ids)
        object.__setattr__(self, "polygons", geometries_of("hazards.polygons", self.polygons, size))
        object.__setattr__(self, "active", bools_of("hazards.active", self.active, size))
        object.__setattr__(
            self, "expected_clearance", dates_of("hazards.expected_clearance", self.expected_clearance, size)
        )

    def __len__(self) -> int:
        return len(self.ids)

    @cached_property
    def index(self) -> dict[str, int]:
        return {value: row for row, value in enumerate(self.ids)}

    @cached_property
    def active_rows(self) -> IndexArray:
        """Rows of the active areas that have a geometry, in order."""
        present = ~np.asarray(shapely.is_missing(self.polygons), dtype=np.bool_)
        return np.flatnonzero(self.active & present).astype(np.intp)

    @cached_property
    def active_tree(self) -> shapely.STRtree:
        """An STR tree over the active areas; query results index :attr:`active_rows`."""
        return shapely.STRtree(self.polygons[self.active_rows])


def expected_clearance(
    remaining_m2: npt.ArrayLike, release_rate_m2_per_day: npt.ArrayLike, today: dt.date
) -> DateArray:
    """When each area is expected to be released at its release rate: ``today`` + remaining / rate days.

    Nothing left: ``today``; no rate (zero, negative or ``NaN``): ``NaT``, there is no plan to go by.
    """
    remaining = np.asarray(remaining_m2, dtype=np.float64)
    rate = np.asarray(release_rate_m2_per_day, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        days = np.where(remaining <= 0, 0.0, np.ceil(remaining / np.where(rate > 0, rate, np.nan)))
    result = np.full(days.shape, NO_DATE, dtype="datetime64[D]")
    known = np.isfinite(days)
    result[known] = np.datetime64(today, "D") + days[known].astype(np.int64)
    return result


@dataclass(frozen=True, eq=False)
class Facilities:
    """Points where a service is provided (a school, a health post) for the reach criteria."""

    ids: Sequence[str]
    kinds: Sequence[str]
    lon: FloatArray
    lat: FloatArray
    working: BoolArray

    def __post_init__(self) -> None:
        ids = strings_of("facilities.ids", self.ids)
        size = len(ids)
        object.__setattr__(self, "ids", ids)
        object.__setattr__(self, "kinds", strings_of("facilities.kinds", self.kinds, size))
        codes_of("facilities.kinds", self.kinds, KIND_CODE)
        for name in ("lon", "lat"):
            object.__setattr__(self, name, floats_of(f"facilities.{name}", getattr(self, name), size))
        object.__setattr__(self, "working", bools_of("facilities.working", self.working, size))

    @classmethod
    def none(cls) -> Facilities:
        empty = np.empty(0, dtype=np.float64)
        return cls((), (), empty, empty, np.empty(0, dtype=np.bool_))


@dataclass(frozen=True, eq=False)
class Services:
    """Service records of settlements: one row per (settlement, kind, as-of date), with its source id.

    Where a settlement has several records of one kind, the latest ``as_of`` counts (the last
    given, on a tie); a kind with no record is not known. ``capacity`` is ``NaN`` when not given.
    """

    ids: Sequence[str]
    settlement_ids: Sequence[str]
    kinds: Sequence[str]
    statuses: Sequence[str]
    capacity: FloatArray
    as_of: Dates
    facilities: Facilities = field(default_factory=Facilities.none)

    def __post_init__(self) -> None:
        ids = strings_of("services.ids", self.ids)
        size = len(ids)
        object.__setattr__(self, "ids", ids)
        for name in ("settlement_ids", "kinds", "statuses"):
            object.__setattr__(self, name, strings_of(f"services.{name}", getattr(self, name), size))
        object.__setattr__(self, "capacity", floats_of("services.capacity", self.capacity, size))
        object.__setattr__(self, "as_of", dates_of("services.as_of", self.as_of, size))
        object.__setattr__(self, "kind_codes", codes_of("services.kinds", self.kinds, KIND_CODE))
        object.__setattr__(self, "status_codes", codes_of("services.statuses", self.statuses, STATUS_CODE))

    kind_codes: npt.NDArray[np.int8] = field(init=False, repr=False)
    status_codes: npt.NDArray[np.int8] = field(init=False, repr=False)


@dataclass(frozen=True, eq=False)
class Housing:
    """Housing figures per settlement, with the id of the record they come from; the last record of a settlement counts."""

    ids: Sequence[str]
    settlement_ids: Sequence[str]
    units_total: FloatArray
    damaged: FloatArray
    habitable: FloatArray

    def __post_init__(self) -> None:
        ids = strings_of("housing.ids", self.ids)
        size = len(ids)
        object.__setattr__(self, "ids", ids)
        object.__setattr__(self, "settlement_ids", strings_of("housing.settlement_ids", self.settlement_ids, size))
        for name in ("units_total", "damaged", "habitable"):
            object.__setattr__(self, name, floats_of(f"housing.{name}", getattr(self, name), size))
