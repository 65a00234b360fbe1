// Starts Swagger UI on /api/docs. A file of its own: the Content-Security-Policy allows
// scripts from our own files only, never inline.
window.addEventListener("DOMContentLoaded", () => {
  window.SwaggerUIBundle({ url: "/api/openapi.json", dom_id: "#swagger-ui" });
});
