/* The API documentation page (/api/v1/docs): starts the vendored Swagger UI with the settings the
   page carries as JSON (aptic/vouchers/api/docs.py). A static file, for the Content-Security-Policy. */
(function () {
  "use strict";
  var settings = JSON.parse(document.getElementById("swagger-settings").textContent);
  settings.dom_id = "#swagger-ui";
  settings.presets = [window.SwaggerUIBundle.presets.apis];
  settings.requestInterceptor = function (request) {
    request.headers["X-CSRFToken"] = settings.csrfToken;
    return request;
  };
  window.ui = window.SwaggerUIBundle(settings);
})();
