// Petitions: sign without reloading the page (the form still works without JavaScript), and copy the supporters' link.
(function () {
  "use strict";

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
          var count = document.querySelector("[data-signature-count]");
          if (count) {
            var value = parseInt(count.getAttribute("data-signature-count"), 10) + 1;
            count.setAttribute("data-signature-count", String(value));
            count.textContent = value.toLocaleString(document.documentElement.lang || undefined);
          }
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
