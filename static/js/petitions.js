// Petitions: sign without reloading the page (the form still works without JavaScript), and copy the supporters' link.
(function () {
  "use strict";

  // One number: the total, the "N of M needed" line and the progress bar all show the live count.
  function showCount(live) {
    var total = document.querySelector("[data-signature-count]");
    if (!total) { return; }
    var value = live !== null ? live : parseInt(total.getAttribute("data-signature-count"), 10) + 1;
    var text = value.toLocaleString(document.documentElement.lang || undefined);
    total.setAttribute("data-signature-count", String(value));
    document.querySelectorAll("[data-live-count]").forEach(function (node) { node.textContent = text; });
    document.querySelectorAll("progress[data-live-progress]").forEach(function (bar) {
      bar.value = Math.min(value, bar.max);
    });
  }

  function signInPlace(form) {
    var status = document.getElementById("sign-status");
    var button = form.querySelector("button[type=submit]");
    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.FormData) { return; }
      event.preventDefault();
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        return response.json().then(function (data) { return { ok: response.ok, status: response.status, data: data }; });
      }).then(function (result) {
        var message = document.createElement("p");
        message.textContent = result.ok ? form.getAttribute("data-signed-message") : (result.data.message || "");
        message.className = result.ok ? "signed" : "field-error";
        status.replaceChildren(message);
        if (result.ok) {
          showCount(typeof result.data.count === "number" ? result.data.count : null);
          var withdraw = document.querySelector("[data-withdraw-after-sign]");
          if (withdraw) { withdraw.hidden = false; }
          var eligibility = document.querySelector("[data-eligibility]");
          if (eligibility) { eligibility.remove(); }
          form.remove();
        } else {
          button.disabled = false;
        }
      }).catch(function () { form.submit(); });
    });
  }

  document.querySelectorAll("[data-sign-form]").forEach(signInPlace);
  document.querySelectorAll("input[data-copy]").forEach(function (input) {
    input.addEventListener("focus", function () { input.select(); });
  });
})();
