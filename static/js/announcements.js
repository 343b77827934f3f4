// Closing a banner is remembered in this browser only: the server never learns
// who saw, closed or ignored an announcement.
(function () {
  "use strict";
  var prefix = "portal.announcement.dismissed.";

  function remembered(id) {
    try {
      return window.localStorage.getItem(prefix + id) === "1";
    } catch (error) {
      return false; // storage blocked: show the banner, it is harmless
    }
  }

  function remember(id) {
    try {
      window.localStorage.setItem(prefix + id, "1");
    } catch (error) {
      // storage blocked: the banner closes for this page view only
    }
  }

  document.querySelectorAll("[data-announcement]").forEach(function (banner) {
    var id = banner.getAttribute("data-announcement");
    if (remembered(id)) {
      banner.hidden = true;
      return;
    }
    var button = banner.querySelector("button.dismiss");
    button.hidden = false;
    button.addEventListener("click", function () {
      remember(id);
      banner.hidden = true;
    });
  });
})();
