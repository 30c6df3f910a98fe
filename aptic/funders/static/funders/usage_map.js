/* #APTIC funder space: the map of the places where the funder's vouchers are accepted and used, and
   of the uses per 1,000 inhabitants at each commune's centre (ADR 0040). Progressive enhancement:
   without JavaScript the page's tables give the same figures. The points come from the page
   (a JSON script element), their French text too; every marker is focusable and named by it.
   The base map (tiles, zoom, offline notice) is the site's one, from places/map.js. */
(function () {
  "use strict";

  var SMALL = 14; // px: the smallest symbol, also a place not used yet
  var GROWTH = 30; // px added for the largest value: areas grow with the value (square root)
  var CLUSTER_FROM = 200; // accepted places drawn one by one below this many

  function size(value, largest) {
    return Math.round(SMALL + (largest > 0 ? GROWTH * Math.sqrt(value / largest) : 0));
  }

  function largest(points, key) {
    return points.reduce(function (most, p) { return Math.max(most, p[key] || 0); }, 0);
  }

  function marker(point, diameter, className, zIndexOffset) {
    var icon = L.divIcon({
      className: "usage-symbol " + className,
      iconSize: [diameter, diameter],
      iconAnchor: [diameter / 2, diameter / 2],
      popupAnchor: [0, -diameter / 2]
    });
    var m = L.marker([point.lat, point.lng], { icon: icon, title: point.text, keyboard: true, zIndexOffset: zIndexOffset });
    m.on("add", function () { m.getElement().setAttribute("aria-label", point.text); });
    m.bindPopup(function () {
      var text = document.createElement("p");
      text.className = "usage-popup";
      text.textContent = point.text;
      return text;
    });
    return m;
  }

  // An order accepted nationwide makes thousands of places accepted: their rings gather into
  // clusters (each a focusable button that says how many places it holds; Enter zooms in).
  function accepted(markers) {
    if (!L.markerClusterGroup || markers.length < CLUSTER_FROM) { return L.layerGroup(markers); }
    var group = L.markerClusterGroup({
      showCoverageOnHover: false,
      maxClusterRadius: 40,
      chunkedLoading: true,
      iconCreateFunction: function (cluster) {
        // French grouping (CLDR's, as aptic.core.formats writes numbers): 1 500.
        var n = cluster.getChildCount().toLocaleString("fr-FR");
        var name = n + "\u00a0lieux où vos chèques sont acceptés, pas encore utilisés : Entrée pour zoomer";
        // Only a number and fixed words go into this HTML, never a name from the data.
        return L.divIcon({
          className: "usage-symbol symbol-eligible-group",
          html: "<span aria-hidden=\"true\">" + n + "</span><span class=\"visually-hidden\">" + name + "</span>",
          iconSize: [34, 34]
        });
      }
    });
    group.addLayers(markers);
    return group;
  }

  function usageMap(el, points) {
    var map = window.apticMap.baseMap(el);

    var used = points.filter(function (p) { return p.kind === "place"; });
    var eligible = points.filter(function (p) { return p.kind === "eligible"; });
    var communes = points.filter(function (p) { return p.kind === "commune"; });
    var mostUsed = largest(used, "value");
    var highestRate = largest(communes, "rate");

    var layers = {
      commune: L.layerGroup(communes.map(function (p) {
        return marker(p, size(p.rate || 0, highestRate), "symbol-commune", -1000);
      })),
      eligible: accepted(eligible.map(function (p) { return marker(p, SMALL, "symbol-eligible", 0); })),
      place: L.layerGroup(used.map(function (p) { return marker(p, size(p.value, mostUsed), "symbol-place", 1000); }))
    };
    // The legend's checkboxes (in the page, above the map) show and hide each kind of symbol.
    document.querySelectorAll("[data-layer]").forEach(function (box) {
      var layer = layers[box.dataset.layer];
      if (box.checked) { layer.addTo(map); }
      box.addEventListener("change", function () {
        if (box.checked) { layer.addTo(map); } else { map.removeLayer(layer); }
      });
    });

    if (points.length) {
      var bounds = L.latLngBounds(points.map(function (p) { return [p.lat, p.lng]; }));
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 13 });
    } else {
      map.setView([46.6, 2.4], 5); // metropolitan France
    }
  }

  function init() {
    if (typeof L === "undefined" || !window.apticMap) { return; }
    document.querySelectorAll("[data-map='usage']").forEach(function (el) {
      var source = document.getElementById(el.dataset.points);
      var points;
      try {
        points = JSON.parse(source.textContent);
      } catch (error) {
        return; // the tables stay
      }
      var wrapper = el.closest("[data-map-wrapper]");
      if (wrapper) { wrapper.hidden = false; } // Leaflet needs a visible, sized container
      usageMap(el, points);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
