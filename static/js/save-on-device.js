// How the personal tools hand a finished file to the person: a download made in the browser
// from a Blob, so the file never travels to the portal.
(function () {
  "use strict";
  window.saveOnDevice = function (blob, filename) {
    var link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = filename;
    document.body.appendChild(link);
    link.click();
    link.remove();
    // Give the download a moment to start before the object URL goes.
    setTimeout(function () {
      URL.revokeObjectURL(link.href);
    }, 10000);
  };
})();
