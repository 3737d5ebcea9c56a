// Citizen advice bureau: small progressive enhancements (the pages work without them).
(function () {
  "use strict";

  // Response templates: choosing one inserts its text into the target textarea.
  document.querySelectorAll("select.template-picker").forEach(function (picker) {
    picker.addEventListener("change", function () {
      var source = document.getElementById("bureau-template-" + picker.value);
      var target = picker.form && picker.form.querySelector("textarea[name='" + picker.dataset.target + "']");
      if (!source || !target) { return; }
      var text = source.content ? source.content.textContent : source.textContent;
      target.value = target.value ? target.value + "\n\n" + text.trim() : text.trim();
      target.focus();
    });
  });

  // Queue: one checkbox ticks or unticks every case on the page.
  var all = document.getElementById("select-all");
  if (all) {
    all.addEventListener("change", function () {
      document.querySelectorAll("input[name='case_ids']").forEach(function (box) { box.checked = all.checked; });
    });
  }

  // Referral form: a search box filters the grouped list of state bodies (matching the body or its territory).
  // Without JavaScript the box stays hidden and the grouped list works as it is.
  document.querySelectorAll("input[data-filter-select]").forEach(function (box) {
    var select = document.getElementById(box.dataset.filterSelect);
    if (!select) { return; }
    var wrapper = box.closest("[hidden]");
    if (wrapper) { wrapper.hidden = false; }
    box.addEventListener("input", function () {
      var words = box.value.toLocaleLowerCase().split(/\s+/).filter(Boolean);
      select.querySelectorAll("optgroup").forEach(function (group) {
        var groupText = (group.label || "").toLocaleLowerCase();
        var shown = 0;
        group.querySelectorAll("option").forEach(function (option) {
          var text = groupText + " " + option.textContent.toLocaleLowerCase();
          var match = option.selected || words.every(function (w) { return text.indexOf(w) !== -1; });
          option.hidden = !match;
          if (match) { shown += 1; }
        });
        group.hidden = shown === 0;
      });
    });
  });
})();
