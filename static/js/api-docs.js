// Starts the vendored Swagger UI on /api/v1/docs; kept in a file because the CSP allows no inline script.
(function () {
  var root = document.getElementById("api-docs");
  if (!root || typeof window.SwaggerUIBundle !== "function") return;
  window.SwaggerUIBundle({
    url: root.getAttribute("data-openapi"),
    domNode: root,
    deepLinking: true,
    supportedSubmitMethods: ["get"],
    defaultModelsExpandDepth: 0,
  });
})();
