// The asset page's tools are folded away to keep the page short: a link to one ("Add your name",
// "Use it with your photo") or an address ending in its id opens it. Nothing here talks to the
// server.
(function () {
  "use strict";
  function open(id, preset) {
    var tool = id && document.getElementById(id);
    if (!tool || tool.tagName !== "DETAILS") return;
    tool.open = true;
    if (preset) {
      var choice = tool.querySelector("select");
      if (choice && choice.querySelector('option[value="' + preset + '"]')) {
        choice.value = preset;
        choice.dispatchEvent(new Event("change"));
      }
    }
    tool.scrollIntoView({ block: "start" });
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-open]");
    if (!link) return;
    event.preventDefault();
    open(link.hash.slice(1), link.getAttribute("data-personal-preset"));
  });
  open(window.location.hash.slice(1));
})();
