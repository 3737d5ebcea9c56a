// Delphi module: small progressive enhancements (the pages work without JavaScript).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target.closest("[data-print]");
    if (target) { window.print(); }
  });
  // Printing a report: open every collapsed distribution so it appears on paper.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll(".delphi-results details").forEach(function (d) { d.open = true; });
  });
})();
