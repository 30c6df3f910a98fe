/* #APTIC place form: the map to place the point, and "copy to the next day" in the hours editor.
   Progressive enhancement only: without JavaScript the latitude and longitude inputs and the
   per-day time inputs are the whole form. No inline code (CSP): data comes from data-* attributes. */
(function () {
  "use strict";

  var FRANCE = [46.6, 2.4];

  function parseDegrees(text) {
    var value = parseFloat(String(text || "").trim().replace(",", "."));
    return isNaN(value) ? null : value;
  }

  function formatDegrees(value) {
    return value.toFixed(5).replace(".", ","); // about 1 m, written the French way like the help text
  }

  function pointPicker(el) {
    var latInput = document.getElementById(el.dataset.latInput);
    var lngInput = document.getElementById(el.dataset.lngInput);
    if (!latInput || !lngInput) { return; }
    var wrapper = el.closest("[data-map-wrapper]");
    if (wrapper) { wrapper.hidden = false; } // Leaflet needs a visible, sized container

    var map = L.map(el, { scrollWheelZoom: false });
    L.tileLayer(el.dataset.tiles, { attribution: el.dataset.attribution, maxZoom: 19 }).addTo(map);
    map.on("focus click", function () { map.scrollWheelZoom.enable(); });
    map.on("blur mouseout", function () { map.scrollWheelZoom.disable(); });

    var icon = L.divIcon({ className: "place-marker place-marker-drag", iconSize: [26, 26], iconAnchor: [13, 13] });
    var marker = null;

    function writeInputs(latlng) {
      latInput.value = formatDegrees(latlng.lat);
      lngInput.value = formatDegrees(latlng.lng);
    }

    function putMarker(latlng) {
      if (marker) { marker.setLatLng(latlng); return; }
      // keyboard: false — the latitude and longitude inputs are the keyboard's way to move the point.
      marker = L.marker(latlng, { icon: icon, draggable: true, keyboard: false, title: "Position du lieu" }).addTo(map);
      marker.on("dragend", function () { writeInputs(marker.getLatLng()); });
    }

    var lat = parseFloat(el.dataset.lat);
    var lng = parseFloat(el.dataset.lng);
    if (!isNaN(lat) && !isNaN(lng)) {
      map.setView([lat, lng], parseInt(el.dataset.zoom, 10) || 14);
      putMarker([lat, lng]);
    } else {
      map.setView(FRANCE, 5);
    }

    map.on("click", function (event) {
      putMarker(event.latlng);
      writeInputs(event.latlng);
    });

    function fromInputs() {
      var typedLat = parseDegrees(latInput.value);
      var typedLng = parseDegrees(lngInput.value);
      if (typedLat === null || typedLng === null || Math.abs(typedLat) > 90 || Math.abs(typedLng) > 180) { return; }
      putMarker([typedLat, typedLng]);
      map.panTo([typedLat, typedLng]);
    }
    latInput.addEventListener("change", fromInputs);
    lngInput.addEventListener("change", fromInputs);
  }

  function copyButtons(editor) {
    var days = Array.prototype.slice.call(editor.querySelectorAll("[data-hours-day]"));
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    editor.appendChild(status);
    days.slice(0, -1).forEach(function (day, index) {
      var next = days[index + 1];
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button-secondary hours-copy";
      button.textContent = "Copier sur le jour suivant";
      var hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = " (du " + day.dataset.hoursDay + " au " + next.dataset.hoursDay + ")";
      button.appendChild(hidden);
      button.addEventListener("click", function () {
        var from = day.querySelectorAll("input");
        var to = next.querySelectorAll("input");
        for (var i = 0; i < from.length && i < to.length; i++) { to[i].value = from[i].value; }
        status.textContent = "Horaires du " + day.dataset.hoursDay + " copiés sur le " + next.dataset.hoursDay + ".";
        var nextButton = next.querySelector(".hours-copy");
        if (nextButton) { nextButton.focus(); } // pressing again fills the following day
      });
      day.appendChild(button);
    });
  }

  function init() {
    document.querySelectorAll("[data-hours-editor]").forEach(copyButtons);
    if (typeof L === "undefined") { return; }
    document.querySelectorAll("[data-map='picker']").forEach(pointPicker);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
