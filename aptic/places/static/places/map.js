/* #APTIC places: the catalogue map, the place page's small map and "Autour de moi"; the base of
   every map of the site (window.apticMap).
   Progressive enhancement only: without JavaScript the pages show the same places as a list,
   and the search works by commune. Tile server and attribution come from the page (settings). */
(function () {
  "use strict";

  function formatKm(value) {
    return (value < 10 ? value.toFixed(1).replace(".", ",") : Math.round(value)) + "\u00a0km";
  }

  function baseMap(el) {
    var map = L.map(el, { scrollWheelZoom: false, zoomControl: false });
    L.control.zoom({ zoomInTitle: "Zoomer", zoomOutTitle: "Dézoomer" }).addTo(map);
    var tiles = L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution, maxZoom: 19 }).addTo(map);
    // Offline (the embedded mode without Internet) the background stays blank; what the page draws stays.
    tiles.once("tileerror", function () {
      showStatus(el, "Le fond de carte n'a pas pu être chargé (pas de connexion ?) : les repères et le texte de la page restent exacts.");
    });
    // Wheel zoom only once the map has been clicked or focused, so that the page still scrolls.
    map.on("focus click", function () { map.scrollWheelZoom.enable(); });
    map.on("blur mouseout", function () { map.scrollWheelZoom.disable(); });
    map.on("popupopen", function (event) {
      var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close) { close.setAttribute("aria-label", "Fermer"); close.title = "Fermer"; }
    });
    return map;
  }

  var icon = null;
  function placeMarker(lat, lng, name) {
    icon = icon || L.divIcon({ className: "place-marker", iconSize: [18, 18], iconAnchor: [9, 9], popupAnchor: [0, -9] });
    return L.marker([lat, lng], { icon: icon, title: name, alt: name, keyboard: true });
  }

  function popupContent(props) {
    var box = document.createElement("div");
    var title = document.createElement("strong");
    var link = document.createElement("a");
    link.href = props.url;
    link.textContent = props.name;
    title.appendChild(link);
    box.appendChild(title);
    var where = document.createElement("div");
    where.textContent = props.commune + (props.distance_km != null ? " · à " + formatKm(props.distance_km) : "");
    box.appendChild(where);
    return box;
  }

  function showStatus(el, message) {
    var note = document.createElement("p");
    note.className = "message message-error";
    note.setAttribute("role", "status");
    note.textContent = message;
    el.parentNode.insertBefore(note, el);
  }

  function catalogueMap(el) {
    var map = baseMap(el);
    map.setView([46.6, 2.4], 5); // metropolitan France until the places are there
    var cluster = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 60 });
    map.addLayer(cluster);
    fetch(el.dataset.geojson, { headers: { Accept: "application/geo+json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        var markers = data.features.map(function (feature) {
          var c = feature.geometry.coordinates; // GeoJSON order: [longitude, latitude]
          var marker = placeMarker(c[1], c[0], feature.properties.name);
          marker.bindPopup(function () { return popupContent(feature.properties); });
          return marker;
        });
        cluster.addLayers(markers);
        if (markers.length && el.dataset.fit === "1") {
          map.fitBounds(cluster.getBounds(), { padding: [24, 24], maxZoom: 14 });
        }
      })
      .catch(function () {
        showStatus(el, "La carte n'a pas pu être chargée : la liste des lieux reste disponible.");
      });
  }

  function placeMap(el) {
    var lat = parseFloat(el.dataset.lat);
    var lng = parseFloat(el.dataset.lng);
    if (isNaN(lat) || isNaN(lng)) { return; }
    var map = baseMap(el);
    map.setView([lat, lng], 15);
    placeMarker(lat, lng, el.dataset.name).addTo(map);
  }

  function aroundMe(form) {
    var box = form.querySelector("[data-locate]");
    if (!box || !("geolocation" in navigator)) { return; }
    var button = box.querySelector("[data-locate-button]");
    var status = box.querySelector("[data-locate-status]");
    var fields = form.elements;
    box.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = "Recherche de votre position…";
      navigator.geolocation.getCurrentPosition(
        function (position) {
          // About 100 m is precise enough, and keeps the exact position out of the address bar.
          fields.lat.value = position.coords.latitude.toFixed(3);
          fields.lng.value = position.coords.longitude.toFixed(3);
          fields.commune.value = "";
          if (!fields.rayon.value) { fields.rayon.value = "10"; }
          form.submit();
        },
        function () {
          status.textContent = "Votre position n'est pas disponible : indiquez plutôt une commune.";
        },
        { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 }
      );
    });
    // Typing a commune replaces a position found earlier.
    fields.commune.addEventListener("input", function () {
      fields.lat.value = "";
      fields.lng.value = "";
    });
  }

  // For the other maps of the site (the funder's usage map): the same base and status line.
  window.apticMap = { baseMap: baseMap, showStatus: showStatus };

  function init() {
    var form = document.querySelector("[data-search-form]");
    if (form) { aroundMe(form); }
    if (typeof L === "undefined") { return; }
    document.querySelectorAll("[data-map]").forEach(function (el) {
      var wrapper = el.closest("[data-map-wrapper]");
      if (wrapper) { wrapper.hidden = false; } // Leaflet needs a visible, sized container
      if (el.dataset.map === "catalogue" && L.markerClusterGroup) { catalogueMap(el); }
      if (el.dataset.map === "place") { placeMap(el); }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
