// The header: on narrow screens fold the menu behind a "Menu" button; close open group menus on Escape or a click
// elsewhere. Without this script the menu simply stays unfolded (CSP allows only files from our own origin).
(function () {
  "use strict";
  var header = document.querySelector("[data-site-header]");
  if (!header) { return; }
  var toggle = header.querySelector(".menu-toggle");
  var menu = document.getElementById("site-menu");

  function closeGroups(except) {
    header.querySelectorAll("details.dropdown[open]").forEach(function (group) {
      if (group !== except) { group.open = false; }
    });
  }

  function setOpen(open) {
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    header.classList.toggle("menu-open", open);
  }

  if (toggle && menu) {
    header.classList.add("has-menu-toggle");
    toggle.hidden = false;
    toggle.addEventListener("click", function () {
      setOpen(toggle.getAttribute("aria-expanded") !== "true");
    });
  }

  header.querySelectorAll("details.dropdown").forEach(function (group) {
    group.addEventListener("toggle", function () { if (group.open) { closeGroups(group); } });
  });

  document.addEventListener("click", function (event) {
    header.querySelectorAll("details.dropdown[open]").forEach(function (group) {
      if (!group.contains(event.target)) { group.open = false; }
    });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    var open = header.querySelector("details.dropdown[open]");
    if (open) {
      open.open = false;
      open.querySelector("summary").focus();
    } else if (toggle && toggle.getAttribute("aria-expanded") === "true") {
      setOpen(false);
      toggle.focus();
    }
  });
})();
