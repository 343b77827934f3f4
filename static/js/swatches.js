// A swatch's value is a button: one click, Enter or Space copies it. The page
// says what was copied, in words, for screen readers too.
(function () {
  "use strict";
  if (window.portalSwatches) {
    return; // the snippet may appear twice on a page; listen once
  }
  window.portalSwatches = true;

  function fallbackCopy(text) {
    // Older browsers and plain-HTTP hosts have no async clipboard.
    var field = document.createElement("textarea");
    field.value = text;
    field.setAttribute("readonly", "");
    field.className = "visually-hidden";
    document.body.appendChild(field);
    field.select();
    var copied = document.execCommand("copy");
    document.body.removeChild(field);
    return copied ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }

  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text).catch(function () {
        return fallbackCopy(text);
      });
    }
    return fallbackCopy(text);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button) {
      return;
    }
    var text = button.getAttribute("data-copy");
    var label = button.getAttribute("data-copy-label");
    var status = button.closest(".swatches").querySelector("[data-copy-status]");
    copy(text).then(
      function () {
        status.textContent = interpolate(gettext("Copied %(label)s: %(text)s"), { label: label, text: text }, true);
        button.classList.add("copied");
        window.setTimeout(function () {
          button.classList.remove("copied");
        }, 1500);
      },
      function () {
        status.textContent = interpolate(gettext("Could not copy. Select %s and copy it by hand."), [text]);
      }
    );
  });
})();
