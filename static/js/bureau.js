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
})();
