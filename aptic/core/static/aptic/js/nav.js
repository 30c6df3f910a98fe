/* The navigation on a phone: one "Menu" button (aria-expanded, aria-controls) folds the site's, the
   team's and the organisation's menus. Without JavaScript the button stays hidden and the menus show. */
(function () {
  "use strict";
  var button = document.querySelector(".menu-toggle");
  if (!button) { return; }
  var panels = (button.getAttribute("aria-controls") || "").split(/\s+/)
    .map(function (id) { return document.getElementById(id); })
    .filter(Boolean);

  function show(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    panels.forEach(function (panel) { panel.classList.toggle("is-folded", !open); });
  }

  document.documentElement.classList.add("has-menu-toggle");
  button.hidden = false;
  show(false);
  button.addEventListener("click", function () {
    show(button.getAttribute("aria-expanded") !== "true");
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      show(false);
      button.focus();
    }
  });
})();
