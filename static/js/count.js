// Opt-in anonymous counting. Nothing is sent unless the person ticks the box or
// presses "I'm using this"; their choices stay in this browser's localStorage.
(function () {
  "use strict";
  var OPT_IN = "portal.count-downloads";
  var USING = "portal.using:";

  function remember(key, value) {
    try { if (value) { localStorage.setItem(key, "yes"); } else { localStorage.removeItem(key); } } catch (e) {}
  }
  function remembered(key) {
    try { return localStorage.getItem(key) === "yes"; } catch (e) { return false; }
  }

  // Sent later, at a random moment 2 to 20 seconds on, so the count does not sit
  // next to the download in a proxy log; without cookies, so it names nobody.
  function sendLater(panel, kind, preset) {
    var body = new URLSearchParams({
      asset: panel.dataset.countAsset,
      token: panel.dataset.countToken,
      kind: kind,
      preset: preset || ""
    });
    var delay = 2000 + Math.random() * 18000;
    window.setTimeout(function () {
      fetch(panel.dataset.countUrl, {
        method: "POST", body: body, credentials: "omit", keepalive: true, cache: "no-store"
      }).catch(function () {});
    }, delay);
  }

  document.querySelectorAll("[data-count-url]").forEach(function (panel) {
    var optIn = panel.querySelector("[data-count-optin]");
    var using = panel.querySelector("[data-count-using]");
    var usingKey = USING + panel.dataset.countAsset;

    optIn.checked = remembered(OPT_IN);
    optIn.addEventListener("change", function () { remember(OPT_IN, optIn.checked); });

    // Delegated, so a download link that appears later (a size made while the page was open
    // replaces its table row) counts too.
    document.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-count-preset]");
      if (link && optIn.checked) { sendLater(panel, "download", link.dataset.countPreset); }
    });

    function markUsing() {
      using.disabled = true;
      using.textContent = "Counted as in use, thank you";
    }
    if (remembered(usingKey)) { markUsing(); }
    using.addEventListener("click", function () {
      if (remembered(usingKey)) { return; }
      remember(usingKey, true);
      markUsing();
      sendLater(panel, "using", "");
    });
  });
})();
