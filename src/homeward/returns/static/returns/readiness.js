// The readiness map. Progressive enhancement: the page works without this file (the table below the
// map lists the same settlements). Settings come from the json_script element named by the map
// container's data-map attribute. The place search box is places/place_search.js.
(() => {
  "use strict";

  // Colour is never the only cue: each status has its own shape, and the HTML legend says it in words.
  const STATUS_STYLE = {
    ready: { color: "#1f6b3a", shape: "circle", radius: 6 },
    partly_ready: { color: "#9a4f00", shape: "square", radius: 6 },
    not_ready: { color: "#a1261b", shape: "triangle", radius: 8 },
  };
  // Drawn last, so the settlements that most need attention are on top.
  const ORDER = ["ready", "partly_ready", "not_ready"];

  const { format, el, getJSON } = window.Homeward;

  function shapePath(shape, p, r) {
    if (shape === "square") {
      const s = r * 0.9;
      return `M${p.x - s},${p.y - s}h${2 * s}v${2 * s}h${-2 * s}z`;
    }
    if (shape === "triangle") {
      return `M${p.x},${p.y - r}L${p.x + r * 0.95},${p.y + r * 0.7}L${p.x - r * 0.95},${p.y + r * 0.7}z`;
    }
    return `M${p.x - r},${p.y}a${r},${r} 0 1,0 ${2 * r},0a${r},${r} 0 1,0 ${-2 * r},0`;
  }

  // A circle marker that draws its status's shape (with the SVG renderer; a canvas draws circles).
  function shapeMarkerClass() {
    return L.CircleMarker.extend({
      _updatePath() {
        if (!(this._renderer instanceof L.SVG)) {
          L.CircleMarker.prototype._updatePath.call(this);
          return;
        }
        this._renderer._setPath(this, this._empty() ? "M0 0" : shapePath(this.options.shape, this._point, this._radius));
      },
    });
  }

  function percent(score) {
    return `${Math.round(score * 100)}%`;
  }

  function popup(feature, labels) {
    const props = feature.properties;
    const blockers = (props.blockers || []).map((key) => labels.criteria[key] || key.replace(/_/g, " "));
    return el(
      "div",
      { class: "readiness-popup" },
      el("h3", { text: props.name }),
      el(
        "dl",
        {},
        el("dt", { text: labels.field_status }),
        el("dd", { "data-status": props.status, text: labels.status[props.status] || props.status }),
        el("dt", { text: labels.score }),
        el("dd", { text: percent(props.score) }),
        el("dt", { text: labels.earliest_ready }),
        el("dd", { text: props.earliest_ready || labels.no_date }),
        blockers.length ? [el("dt", { text: labels.blockers }), el("dd", { text: blockers.join(", ") })] : null,
      ),
      el("a", { href: props.url, text: labels.open_profile }),
    );
  }

  function fitRegion(map, bounds) {
    if (bounds && bounds.length === 4) {
      const [west, south, east, north] = bounds;
      map.fitBounds([[south, west], [north, east]], { padding: [20, 20] });
    } else {
      map.setView([0, 0], 2);
    }
  }

  function init(container, settings) {
    const labels = settings.labels;
    const notice = document.getElementById("map-notice");
    const status = document.getElementById("map-status");
    container.hidden = false;
    document.querySelectorAll("[data-map-fallback]").forEach((node) => {
      node.hidden = true;
    });
    const map = L.map(container, { zoomSnap: 0.5 });
    const tiles = settings.tiles || {};
    if (tiles.url) L.tileLayer(tiles.url, { attribution: tiles.attribution || "", maxZoom: 19 }).addTo(map);
    L.control.scale({ imperial: false }).addTo(map);
    fitRegion(map, settings.bounds);
    const ShapeMarker = shapeMarkerClass();
    const renderer = L.svg({ padding: 0.2 });
    const layers = {};
    ORDER.forEach((key) => {
      layers[key] = L.featureGroup().addTo(map);
    });

    function showNotice(text) {
      notice.textContent = text || "";
      notice.hidden = !text;
    }

    const query = settings.district ? `?${new URLSearchParams({ district: settings.district })}` : "";
    getJSON(`${settings.urls.readiness}${query}`)
      .then((data) => {
        const features = data.features || [];
        const sorted = [...features].sort((a, b) => ORDER.indexOf(a.properties.status) - ORDER.indexOf(b.properties.status));
        sorted.forEach((feature) => {
          const props = feature.properties;
          const style = STATUS_STYLE[props.status] || STATUS_STYLE.not_ready;
          const [lon, lat] = feature.geometry.coordinates;
          const marker = new ShapeMarker([lat, lon], {
            renderer,
            shape: style.shape,
            radius: style.radius,
            color: "#ffffff",
            weight: 1.5,
            fillColor: style.color,
            fillOpacity: 1,
            className: `readiness-marker readiness-${props.status}`,
          });
          marker.feature = feature;
          marker.bindTooltip(`${props.name}: ${labels.status[props.status] || props.status}`);
          marker.bindPopup(() => popup(feature, labels));
          (layers[props.status] || layers.not_ready).addLayer(marker);
          const path = marker.getElement && marker.getElement();
          if (path) path.setAttribute("data-code", props.code);
        });
        const all = L.featureGroup(Object.values(layers));
        if (settings.district && all.getBounds().isValid()) {
          map.fitBounds(all.getBounds(), { padding: [30, 30], maxZoom: 13 });
        }
        status.textContent = format(labels.in_view, { count: features.length });
        showNotice(features.length ? "" : labels.empty);
        container.dataset.loaded = "true";
      })
      .catch(() => showNotice(labels.failed));

    document.addEventListener("homeward:place-chosen", (event) => {
      const place = event.detail;
      if (place.lat === null || place.lon === null) return;
      map.flyTo([place.lat, place.lon], Math.max(map.getZoom(), 13), { duration: 0.8 });
      let opened = false;
      Object.values(layers).forEach((group) =>
        group.eachLayer((marker) => {
          if (!opened && marker.feature.properties.code === place.code) {
            opened = true;
            marker.openPopup();
          }
        }),
      );
      if (!opened) L.popup().setLatLng([place.lat, place.lon]).setContent(el("strong", { text: place.name })).openOn(map);
    });
    return map;
  }

  document.addEventListener("DOMContentLoaded", () => {
    if (typeof L === "undefined") return;
    document.querySelectorAll("[data-map]").forEach((container) => {
      const source = document.getElementById(container.dataset.map);
      if (source) init(container, JSON.parse(source.textContent));
    });
  });
})();
