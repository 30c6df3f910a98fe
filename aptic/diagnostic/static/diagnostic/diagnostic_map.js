/* #APTIC territorial diagnostic: the communes of the page as circles at their centres, coloured by
   the distance to the nearest place of the chosen category (ADR 0052). Progressive enhancement:
   the table below the map gives the same figures without JavaScript. The base map is the site's
   (places/map.js); the points and their French text come from the page (a JSON script element). */
(function () {
  "use strict";

  var SIZE = 14; // px

  function symbol(point) {
    var diameter = point.here ? SIZE + 8 : SIZE;
    var icon = L.divIcon({
      className: "diagnostic-symbol " + point.band + (point.here ? " here" : ""),
      iconSize: [diameter, diameter],
      iconAnchor: [diameter / 2, diameter / 2],
      popupAnchor: [0, -diameter / 2]
    });
    var m = L.marker([point.lat, point.lng], { icon: icon, title: point.text, keyboard: true });
    m.on("add", function () { m.getElement().setAttribute("aria-label", point.text); });
    m.bindPopup(function () {
      var text = document.createElement("p");
      text.textContent = point.text;
      return text;
    });
    return m;
  }

  function init() {
    if (typeof L === "undefined" || !window.apticMap) { return; }
    document.querySelectorAll("[data-map='diagnostic']").forEach(function (el) {
      var points;
      try {
        points = JSON.parse(document.getElementById(el.dataset.points).textContent);
      } catch (error) {
        return; // the table stays
      }
      var wrapper = el.closest("[data-map-wrapper]");
      if (wrapper) { wrapper.hidden = false; } // Leaflet needs a visible, sized container
      var map = window.apticMap.baseMap(el);
      L.layerGroup(points.map(symbol)).addTo(map);
      if (points.length) {
        map.fitBounds(L.latLngBounds(points.map(function (p) { return [p.lat, p.lng]; })), { padding: [24, 24], maxZoom: 12 });
      } else {
        map.setView([46.6, 2.4], 5); // metropolitan France
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
