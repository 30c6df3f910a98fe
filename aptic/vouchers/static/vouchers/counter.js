/* #APTIC counter: a field per voucher, services of the chosen place, camera scanning.
   Progressive enhancement only: without JavaScript the same form works by typing (the
   "Ajouter un chèque" button and the server split pasted codes). The QR code of a voucher carries
   a URL ending with /c/<code>/ (aptic.vouchers.links.voucher_url); the camera needs the browser's
   BarcodeDetector (Chrome on Android, among others) and a secure (https) page. */
(function () {
  "use strict";

  var URL_CODE = /\/c\/([^\/?#\s]+)/i;
  var BARE_CODE = /^[0-9A-Za-z][0-9A-Za-z\- ]{14,22}$/;

  function codeFrom(text) {
    var match = URL_CODE.exec(text || "");
    if (match) {
      try { return decodeURIComponent(match[1]); } catch (e) { return match[1]; }
    }
    var bare = (text || "").trim();
    return BARE_CODE.test(bare) ? bare : null;
  }

  function squash(code) { return (code || "").toUpperCase().replace(/[\s\-_.]/g, ""); }

  function grouped(code) {
    var flat = squash(code);
    return flat.length === 16 ? flat.match(/.{4}/g).join("-") : code;
  }

  function codeRows(list) { return Array.prototype.slice.call(list.querySelectorAll("[data-code-row]")); }

  function forget(row) {
    // The code changed: what the last check said about it no longer holds.
    var result = row.querySelector(".code-result");
    if (result) { result.parentNode.removeChild(result); }
    row.className = "code-row";
    var input = row.querySelector("input");
    input.removeAttribute("aria-invalid");
    input.setAttribute("aria-describedby", "codes-aide");
  }

  function renumber(list) {
    codeRows(list).forEach(function (row, index) {
      var n = index + 1;
      var input = row.querySelector("input");
      var label = row.querySelector("label");
      input.id = "code-" + n;
      label.htmlFor = input.id;
      label.textContent = "Code du chèque " + n;
    });
  }

  function addRow(list, value) {
    var rows = codeRows(list);
    var row = rows[rows.length - 1].cloneNode(true);
    forget(row);
    var input = row.querySelector("input");
    input.value = value || "";
    input.removeAttribute("autofocus");
    list.appendChild(row);
    renumber(list);
    return input;
  }

  function placeFilter(form) {
    var place = form.elements.lieu;
    var service = form.elements.service;
    if (!place || !service) { return; }
    var groups = Array.prototype.slice.call(service.querySelectorAll("optgroup"));
    function placeName() { return place.value ? place.options[place.selectedIndex].text : null; }
    function apply() {
      var chosen = placeName();
      var current = service.value;
      groups.forEach(function (group) {
        if (group.parentNode) { group.parentNode.removeChild(group); }
        if (!chosen || group.label === chosen) { service.appendChild(group); }
      });
      service.value = current;
      if (service.value !== current) { service.value = ""; }
    }
    place.addEventListener("change", apply);
    service.addEventListener("change", function () {
      // A service chosen first names its place.
      var option = service.options[service.selectedIndex];
      if (!place.value && option && option.parentNode.tagName === "OPTGROUP") {
        for (var i = 0; i < place.options.length; i++) {
          if (place.options[i].text === option.parentNode.label) { place.selectedIndex = i; break; }
        }
        apply();
      }
    });
    apply();
  }

  function scanner(form, list) {
    var box = form.querySelector("[data-scanner]");
    if (!box || !("BarcodeDetector" in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      return;
    }
    var status = box.querySelector("[data-scan-status]");
    var video = box.querySelector("[data-scan-video]");
    var start = box.querySelector("[data-scan-start]");
    var stop = box.querySelector("[data-scan-stop]");
    var detector = null;
    var stream = null;
    var timer = null;
    var last = "";

    function say(text) { status.textContent = text; }

    window.BarcodeDetector.getSupportedFormats().then(function (formats) {
      if (formats.indexOf("qr_code") === -1) { return; }
      detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      box.hidden = false;
    }).catch(function () { /* no scanning: typing still works */ });

    function put(code) {
      var key = squash(code);
      var inputs = codeRows(list).map(function (row) { return row.querySelector("input"); });
      if (inputs.some(function (input) { return squash(input.value) === key; })) { return false; }
      var empty = inputs.filter(function (input) { return !input.value.trim(); })[0];
      if (empty) {
        empty.value = key;
        forget(empty.closest("[data-code-row]"));
      } else {
        addRow(list, key);
      }
      return true;
    }

    function halt() {
      if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
      stream = null;
      clearTimeout(timer);
      video.srcObject = null;
      video.hidden = true;
      stop.hidden = true;
      start.hidden = false;
    }

    function tick() {
      if (!stream) { return; }
      detector.detect(video).then(function (found) {
        found.forEach(function (barcode) {
          var raw = barcode.rawValue || "";
          if (raw === last) { return; }
          last = raw;
          var code = codeFrom(raw);
          if (!code) {
            say("Ce QR code n'est pas celui d'un chèque #APTIC.");
          } else if (put(code)) {
            say("Chèque ajouté : " + grouped(code) + ". Scannez le suivant, ou arrêtez la caméra.");
            if (navigator.vibrate) { navigator.vibrate(80); }
          } else {
            say("Ce chèque est déjà dans la liste.");
          }
        });
      }).catch(function () { /* a frame that could not be read */ }).then(function () {
        if (stream) { timer = setTimeout(tick, 250); }
      });
    }

    start.addEventListener("click", function () {
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
        .then(function (media) {
          stream = media;
          video.srcObject = media;
          video.hidden = false;
          start.hidden = true;
          stop.hidden = false;
          stop.focus();
          return video.play();
        })
        .then(function () {
          say("Caméra allumée : présentez le QR code d'un chèque.");
          tick();
        })
        .catch(function () {
          halt();
          say("La caméra n'est pas disponible : tapez le code imprimé sous le QR code.");
        });
    });
    stop.addEventListener("click", function () {
      halt();
      say("Caméra arrêtée.");
      start.focus();
    });
    form.addEventListener("submit", halt);
    window.addEventListener("pagehide", halt);
  }

  function setup(form) {
    var list = form.querySelector("[data-code-list]");
    var add = form.querySelector("[data-add-code]");
    if (!list || !add) { return; }
    add.addEventListener("click", function (event) {
      event.preventDefault();
      addRow(list, "").focus();
    });
    list.addEventListener("keydown", function (event) {
      // Enter (typed, or sent by a handheld scanner after a code) goes to the next field.
      if (event.key !== "Enter" || event.target.tagName !== "INPUT") { return; }
      event.preventDefault();
      if (!event.target.value.trim()) { return; }
      var rows = codeRows(list);
      var row = event.target.closest("[data-code-row]");
      var next = rows[rows.indexOf(row) + 1];
      (next ? next.querySelector("input") : addRow(list, "")).focus();
    });
    list.addEventListener("input", function (event) {
      var row = event.target.closest("[data-code-row]");
      if (row && row.querySelector(".code-result")) { forget(row); }
    });
    placeFilter(form);
    scanner(form, list);
  }

  function init() {
    document.querySelectorAll("[data-counter]").forEach(setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
