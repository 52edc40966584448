// Mine action maps. Progressive enhancement: every page works without this file (the lists hold
// the same data). The place search box is places/place_search.js.
// Settings come from a json_script element named by the map container's data-map attribute.
(() => {
  "use strict";

  const STATUSES = ["active", "in_progress", "released", "superseded"];
  // Colour is never the only cue: fill strength differs per status and the HTML legend says it in words.
  const STATUS_STYLE = {
    active: { color: "#a1261b", fillOpacity: 0.4, weight: 2.5 },
    in_progress: { color: "#9a4f00", fillOpacity: 0.2, weight: 2.5 },
    released: { color: "#1f6b3a", fillOpacity: 0, weight: 2.5 },
    superseded: { color: "#5b6470", fillOpacity: 0, weight: 1.5, dashArray: "2 4" },
  };
  const DEBOUNCE_MS = 250;
  const SMALL_AREA_PX = 8;

  const lang = document.documentElement.lang || "en";
  const numbers = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });

  const { format, debounce, el, getJSON } = window.Homeward;

  // --- shared map pieces -------------------------------------------------------------------

  function hazardStyle(feature) {
    const props = feature.properties || {};
    const base = STATUS_STYLE[props.status] || STATUS_STYLE.active;
    return {
      color: base.color,
      fillColor: base.color,
      weight: base.weight,
      fillOpacity: base.fillOpacity,
      // SHA dashed, CHA solid (superseded areas keep their own dotted outline).
      dashArray: base.dashArray || (props.classification === "sha" ? "7 5" : null),
    };
  }

  function newMap(container, settings, options) {
    container.hidden = false;
    document.querySelectorAll("[data-map-fallback]").forEach((node) => {
      node.hidden = true;
    });
    const map = L.map(container, { preferCanvas: true, zoomSnap: 0.5, ...options });
    const tiles = settings.tiles || {};
    if (tiles.url) {
      L.tileLayer(tiles.url, { attribution: tiles.attribution || "", maxZoom: 19 }).addTo(map);
    }
    return map;
  }

  function fitRegion(map, bounds) {
    if (bounds && bounds.length === 4) {
      const [west, south, east, north] = bounds;
      map.fitBounds([[south, west], [north, east]], { padding: [20, 20] });
    } else {
      map.setView([0, 0], 2);
    }
  }

  // --- the overview map --------------------------------------------------------------------

  function hazardPopup(feature, labels) {
    const props = feature.properties;
    const eo = (props.eo_types || []).map((code) => labels.eo_type[code] || code).join(", ");
    return el(
      "div",
      {},
      el("h3", { text: props.name === props.external_id ? props.external_id : `${props.external_id} — ${props.name}` }),
      el(
        "dl",
        {},
        el("dt", { text: labels.field_classification }),
        el("dd", { text: labels.classification[props.classification] || props.classification }),
        el("dt", { text: labels.field_status }),
        el("dd", { text: labels.status[props.status] || props.status }),
        el("dt", { text: labels.remaining }),
        el("dd", { text: format(labels.square_metres, { value: numbers.format(props.remaining_m2) }) }),
        eo ? [el("dt", { text: labels.explosive_ordnance }), el("dd", { text: eo })] : null,
      ),
      el("a", { href: props.url, text: labels.open_hazard }),
    );
  }

  function incidentPopup(feature, labels) {
    const props = feature.properties;
    return el(
      "div",
      {},
      el("h3", { text: `${labels.incident} ${props.external_id}` }),
      el(
        "dl",
        {},
        el("dt", { text: labels.date }),
        el("dd", { text: props.date }),
        el("dt", { text: labels.device_type }),
        el("dd", { text: labels.eo_type[props.device_type] || props.device_type }),
      ),
      el("a", { href: props.url, text: labels.open_incident }),
    );
  }

  function placePopup(feature, settings) {
    const props = feature.properties;
    const url = `${settings.urls.settlement_list}?q=${encodeURIComponent(props.code)}`;
    return el("div", {}, el("h3", { text: props.name }), el("p", { text: props.code }), el("a", { href: url, text: settings.labels.settlement_list }));
  }

  function initOverview(container, settings) {
    const labels = settings.labels;
    const map = newMap(container, settings, {});
    const notice = document.getElementById("map-notice");
    const status = document.getElementById("map-status");
    const svg = L.svg({ padding: 0.2 }); // hazards as SVG paths: crisp dashes, focusable popups
    const overlays = {};

    const districts = L.geoJSON(null, {
      pointToLayer: (feature, latlng) =>
        L.circleMarker(latlng, { radius: 7, color: "#1b1f24", weight: 2.5, fillColor: "#ffffff", fillOpacity: 1 }),
      onEachFeature: (feature, layer) => {
        layer.bindTooltip(feature.properties.name, {
          permanent: true,
          direction: "right",
          offset: [10, 0],
          className: "district-label",
        });
      },
    });
    const settlements = L.geoJSON(null, {
      pointToLayer: (feature, latlng) =>
        L.circleMarker(latlng, { radius: 3, color: "#ffffff", weight: 1, fillColor: "#4a5260", fillOpacity: 1 }),
    });
    // One popup on demand rather than thousands bound up front.
    [districts, settlements].forEach((layer) =>
      layer.on("click", (event) => {
        L.popup().setLatLng(event.latlng).setContent(placePopup(event.layer.feature, settings)).openOn(map);
      }),
    );
    overlays[labels.districts] = districts.addTo(map);
    overlays[labels.settlements] = settlements.addTo(map);

    const hazardLayers = {};
    if (settings.layers.hazards) {
      STATUSES.forEach((key) => {
        hazardLayers[key] = L.geoJSON(null, {
          renderer: svg,
          style: hazardStyle,
          onEachFeature: (feature, layer) => layer.bindPopup(() => hazardPopup(feature, labels)),
        });
        overlays[format(labels.hazards_status, { status: labels.status[key] })] = hazardLayers[key];
        if (key !== "superseded") hazardLayers[key].addTo(map);
      });
    }
    let incidents = null;
    if (settings.layers.incidents) {
      incidents = L.geoJSON(null, {
        pointToLayer: (feature, latlng) =>
          L.marker(latlng, {
            icon: L.divIcon({ className: "incident-marker", html: '<span aria-hidden="true">!</span>', iconSize: [22, 20], iconAnchor: [11, 18], popupAnchor: [0, -16] }),
            title: `${labels.incident} ${feature.properties.external_id}, ${feature.properties.date}`,
            alt: `${labels.incident} ${feature.properties.external_id}`,
            keyboard: true,
          }),
        onEachFeature: (feature, layer) => layer.bindPopup(() => incidentPopup(feature, labels)),
      }).addTo(map);
      overlays[labels.incidents] = incidents;
    }
    L.control.layers(null, overlays, { collapsed: false }).addTo(map);
    L.control.scale({ imperial: false }).addTo(map);
    fitRegion(map, settings.bounds);

    ["district", "settlement"].forEach((level) => {
      const target = level === "district" ? districts : settlements;
      getJSON(`${settings.urls.places}?${new URLSearchParams({ level })}`)
        .then((data) => {
          target.addData(data);
          if (level === "district") districts.bringToFront();
        })
        .catch(() => showNotice(labels.failed));
    });

    function showNotice(text) {
      notice.textContent = text || "";
      notice.hidden = !text;
    }

    // An area a few pixels wide would vanish at this zoom: add a circle in its style to show where it is.
    function markSmallAreas(group) {
      const circles = [];
      group.eachLayer((layer) => {
        if (!layer.getBounds) return;
        const bounds = layer.getBounds();
        const corner = map.latLngToContainerPoint(bounds.getSouthWest());
        const other = map.latLngToContainerPoint(bounds.getNorthEast());
        if (Math.max(Math.abs(corner.x - other.x), Math.abs(corner.y - other.y)) >= SMALL_AREA_PX) return;
        const style = hazardStyle(layer.feature);
        const circle = L.circleMarker(bounds.getCenter(), {
          ...style,
          renderer: svg,
          radius: 5,
          fillOpacity: Math.max(style.fillOpacity, 0.15),
        });
        circle.bindPopup(() => hazardPopup(layer.feature, labels));
        circles.push(circle);
      });
      circles.forEach((circle) => group.addLayer(circle));
    }

    let controller = null;
    async function refresh() {
      if (controller) controller.abort();
      controller = new AbortController();
      const bbox = map.getBounds().toBBoxString();
      const zoom = String(Math.round(map.getZoom()));
      const shownStatuses = STATUSES.filter((key) => hazardLayers[key] && map.hasLayer(hazardLayers[key]));
      const requests = [];
      if (shownStatuses.length) {
        const query = new URLSearchParams({ bbox, zoom, status: shownStatuses.join(",") });
        requests.push(getJSON(`${settings.urls.hazards}?${query}`, controller.signal));
      } else {
        requests.push(Promise.resolve({ features: [], truncated: false }));
      }
      if (incidents && map.hasLayer(incidents)) {
        requests.push(getJSON(`${settings.urls.incidents}?${new URLSearchParams({ bbox })}`, controller.signal));
      } else {
        requests.push(Promise.resolve({ features: [], truncated: false }));
      }
      try {
        const [hazards, points] = await Promise.all(requests);
        Object.values(hazardLayers).forEach((layer) => layer.clearLayers());
        hazards.features.forEach((feature) => {
          const layer = hazardLayers[feature.properties.status];
          if (layer) layer.addData(feature);
        });
        Object.values(hazardLayers).forEach(markSmallAreas);
        if (incidents) {
          incidents.clearLayers();
          incidents.addData(points);
        }
        showNotice(hazards.truncated || points.truncated ? labels.truncated : "");
        status.textContent = format(labels.in_view, {
          hazards: numbers.format(hazards.features.length),
          incidents: numbers.format(points.features.length),
        });
        container.dataset.loaded = "true";
      } catch (error) {
        if (error.name !== "AbortError") showNotice(labels.failed);
      }
    }

    const later = debounce(refresh, DEBOUNCE_MS);
    // data-loaded says whether the layers match the view (tests and assistive tools can wait on it).
    map.on("movestart", () => {
      container.dataset.loaded = "false";
    });
    map.on("moveend", later);
    map.on("overlayadd overlayremove", later);
    refresh();

    document.addEventListener("homeward:place-chosen", (event) => {
      const place = event.detail;
      if (place.lat === null || place.lon === null) return;
      map.flyTo([place.lat, place.lon], Math.max(map.getZoom(), 13), { duration: 0.8 });
      L.popup().setLatLng([place.lat, place.lon]).setContent(el("strong", { text: place.name })).openOn(map);
    });
    return map;
  }

  // --- one hazardous area ------------------------------------------------------------------

  function initDetail(container, settings) {
    const labels = settings.labels;
    const map = newMap(container, settings, { scrollWheelZoom: false });
    const svg = L.svg({ padding: 0.2 });
    const drawn = [];
    if (settings.current) {
      const current = L.geoJSON(settings.current, {
        renderer: svg,
        style: settings.shown ? () => ({ ...STATUS_STYLE.superseded, color: "#4a5260", fillOpacity: 0 }) : hazardStyle,
      }).bindTooltip(labels.current_state);
      drawn.push(current.addTo(map));
    }
    if (settings.shown) {
      drawn.push(L.geoJSON(settings.shown, { renderer: svg, style: hazardStyle }).bindTooltip(labels.shown_state).addTo(map));
    }
    const group = L.featureGroup(drawn);
    if (drawn.length && group.getBounds().isValid()) {
      map.fitBounds(group.getBounds(), { padding: [24, 24], maxZoom: 17 });
    } else {
      fitRegion(map, settings.bounds);
    }
    L.control.scale({ imperial: false }).addTo(map);
    document.addEventListener("homeward:place-chosen", (event) => {
      const place = event.detail;
      if (place.lat !== null && place.lon !== null) map.flyTo([place.lat, place.lon], 13);
    });
    container.dataset.loaded = "true";
    return map;
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (typeof L === "undefined") return;
    document.querySelectorAll("[data-map]").forEach((container) => {
      const source = document.getElementById(container.dataset.map);
      if (!source) return;
      const settings = JSON.parse(source.textContent);
      if (settings.mode === "detail") initDetail(container, settings);
      else initOverview(container, settings);
    });
  });
})();
