// Keeps the sizes table current while they are made: asks the portal every two seconds and
// replaces the rows that changed, then stops once every size is ready or failed (a failed row
// carries its reason and, for marketing, a Retry button). After half an hour it stops asking
// anyway and says so: the sweep keeps working on the server side.
(function () {
  "use strict";
  var section = document.querySelector("[data-status-url]");
  if (!section || !window.fetch) return;
  var url = section.getAttribute("data-status-url");
  var note = section.querySelector("[data-status-note]");
  var every = 2000;
  var giveUpAt = Date.now() + 30 * 60 * 1000;

  function finished(renditions) {
    var failed = renditions.filter(function (item) {
      return item.status === "failed";
    }).length;
    note.textContent = failed
      ? interpolate(ngettext("%s size could not be made; see the table. ", "%s sizes could not be made; see the table. ", failed), [failed])
      : gettext("Every size is ready. ");
    section.setAttribute("data-polling", "done");
  }

  function showImages(data) {
    // A placeholder becomes the preview as soon as its internal size is ready.
    Array.prototype.forEach.call(document.querySelectorAll("[data-preview-pending]"), function (spot) {
      var preset = spot.getAttribute("data-preview");
      if (!data.images[preset]) return;
      var img = document.createElement("img");
      img.src = data.images[preset];
      if (data.images[preset + "-2x"]) img.srcset = data.images[preset] + " 1x, " + data.images[preset + "-2x"] + " 2x";
      img.alt = spot.getAttribute("data-alt") || "";
      img.setAttribute("data-preview", preset);
      spot.replaceWith(img);
    });
    var previews = document.querySelector("[data-previews]");
    if (previews && data.previews !== undefined) previews.innerHTML = data.previews;
  }

  function stopped() {
    note.textContent = gettext("Some sizes are still being made; reload the page later to see them. ");
    section.setAttribute("data-polling", "stopped");
  }

  function update(data) {
    data.renditions.forEach(function (item) {
      var row = section.querySelector('tr[data-preset="' + item.preset + '"]');
      if (row && row.getAttribute("data-status") !== item.status) row.outerHTML = item.row;
    });
    showImages(data);
    if (data.done) finished(data.renditions);
    else if (Date.now() > giveUpAt) stopped();
    else window.setTimeout(poll, every);
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(update, function () {
        window.setTimeout(poll, every * 5); // the portal is busy or restarting: ask less often
      });
  }

  window.setTimeout(poll, every);
})();
