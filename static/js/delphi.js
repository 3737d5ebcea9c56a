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

  // The answer form: the server marks which answers need a reason (from the previous round's statistics, see
  // services.answers.reason_rule); this keeps the marker right while the panelist changes an answer.
  var TOL = 1e-9;
  function needsReason(section) {
    var kind = section.getAttribute("data-reason-kind");
    if (kind === "range") {
      var low = parseFloat(section.getAttribute("data-reason-low"));
      var high = parseFloat(section.getAttribute("data-reason-high"));
      var input = section.querySelector("input[type=radio]:checked") || section.querySelector("input[inputmode=decimal]");
      if (!input || input.value.trim() === "") { return false; }
      var value = parseFloat(input.value.replace(",", ".").replace(/\s/g, ""));
      if (isNaN(value)) { return null; }
      return value < low - TOL || value > high + TOL;
    }
    if (kind === "rank") {
      var distance = parseFloat(section.getAttribute("data-reason-distance"));
      var far = false;
      section.querySelectorAll("select[data-median]").forEach(function (select) {
        if (select.value !== "" && Math.abs(parseFloat(select.value) - parseFloat(select.getAttribute("data-median"))) >= distance - TOL) {
          far = true;
        }
      });
      return far;
    }
    return null;
  }
  function update(event) {
    var section = event.target.closest && event.target.closest("[data-reason-kind]");
    if (!section) { return; }
    var marker = section.querySelector(".delphi-reason-marker");
    var needed = needsReason(section);
    if (!marker || needed === null) { return; }
    marker.classList.toggle("needed", needed);
    marker.classList.toggle("optional", !needed);
    marker.textContent = marker.getAttribute(needed ? "data-needed" : "data-optional");
  }
  document.addEventListener("change", update);
  document.addEventListener("input", update);
})();
