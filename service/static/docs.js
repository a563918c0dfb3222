// Starts Swagger UI on /docs (service/docs.py) from a file rather than an inline script, so the
// page's Content-Security-Policy can allow scripts from 'self' only.
"use strict";
window.addEventListener("DOMContentLoaded", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    // Swagger UI would otherwise send the spec to validator.swagger.io for a badge.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
