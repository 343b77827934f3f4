// Opt-in anonymous counting. Nothing is sent unless the person ticks the box or
// presses "I'm using this"; their choices stay in this browser's localStorage.
// Loaded on every portal page, so a count still waiting is sent from whichever
// page is open when its moment comes: leaving the asset page loses nothing.
(function () {
  "use strict";
  var OPT_IN = "portal.count-downloads";
  var QUEUE = "portal.count-queue";     // counts waiting for their moment: artwork, size, kind
  var COUNTED = "portal.counted";       // what this browser counted this week, so once each
  var DAY = 24 * 60 * 60 * 1000;
  var script = document.currentScript;
  var countUrl = (script && script.dataset.countUrl) || "/count/";
  var timer = null;

  function read(key, fallback) {
    try { var value = localStorage.getItem(key); return value ? JSON.parse(value) : fallback; } catch (e) { return fallback; }
  }
  function write(key, value) {
    try { if (value === null) { localStorage.removeItem(key); } else { localStorage.setItem(key, JSON.stringify(value)); } } catch (e) {}
  }

  // The ISO week, as the portal counts: at most one count per artwork, size and kind in it.
  function thisWeek() {
    var day = new Date();
    day.setHours(0, 0, 0, 0);
    day.setDate(day.getDate() + 3 - ((day.getDay() + 6) % 7));
    var firstThursday = new Date(day.getFullYear(), 0, 4);
    var week = 1 + Math.round(((day - firstThursday) / DAY - 3 + ((firstThursday.getDay() + 6) % 7)) / 7);
    return day.getFullYear() + "-W" + week;
  }
  function countedCells() {
    var counted = read(COUNTED, {});
    return counted.week === thisWeek() ? counted.cells : [];
  }
  function cellOf(item) { return item.asset + "|" + item.preset + "|" + item.kind; }

  // Sent later, at a random moment 2 to 20 seconds on, so the count does not sit
  // next to the download in a proxy log; without cookies, so it names nobody.
  function enqueue(item) {
    var cells = countedCells();
    if (cells.indexOf(cellOf(item)) >= 0) { return false; }
    write(COUNTED, { week: thisWeek(), cells: cells.concat([cellOf(item)]) });
    item.due = Date.now() + 2000 + Math.random() * 18000;
    write(QUEUE, read(QUEUE, []).concat([item]));
    schedule();
    return true;
  }

  function send(item) {
    var body = new URLSearchParams({ asset: item.asset, token: item.token, kind: item.kind, preset: item.preset });
    fetch(countUrl, { method: "POST", body: body, credentials: "omit", keepalive: true, cache: "no-store" })
      .catch(function () { write(QUEUE, read(QUEUE, []).concat([item])); schedule(); });
  }

  function sendDue() {
    var now = Date.now();
    var queue = read(QUEUE, []);
    if (!queue.length) { return; }
    // Taken off the queue before sending, so two pages never send one count twice.
    write(QUEUE, queue.filter(function (item) { return item.due > now; }));
    queue.forEach(function (item) {
      if (item.due <= now && item.due > now - DAY) { send(item); }
    });
    schedule();
  }

  function schedule() {
    window.clearTimeout(timer);
    var queue = read(QUEUE, []);
    if (!queue.length) { return; }
    var next = Math.min.apply(null, queue.map(function (item) { return item.due; }));
    timer = window.setTimeout(sendDue, Math.max(0, next - Date.now()));
  }

  // Unticking takes back the download counts not sent yet.
  function withdrawDownloads() {
    var queue = read(QUEUE, []);
    var withdrawn = queue.filter(function (item) { return item.kind === "download"; }).map(cellOf);
    write(QUEUE, queue.filter(function (item) { return item.kind !== "download"; }));
    write(COUNTED, { week: thisWeek(), cells: countedCells().filter(function (cell) { return withdrawn.indexOf(cell) < 0; }) });
  }

  // The next person on a shared browser starts with nothing ticked and nothing queued.
  document.addEventListener("submit", function (event) {
    if (event.target.matches("form.sign-out")) { write(OPT_IN, null); write(QUEUE, null); write(COUNTED, null); }
  });
  window.addEventListener("storage", schedule);

  document.querySelectorAll("[data-count-asset]").forEach(function (panel) {
    var optIn = panel.querySelector("[data-count-optin]");
    var using = panel.querySelector("[data-count-using]");
    function item(kind, preset) {
      return { asset: panel.dataset.countAsset, token: panel.dataset.countToken, kind: kind, preset: preset || "" };
    }

    optIn.checked = read(OPT_IN, false) === true;
    optIn.addEventListener("change", function () {
      write(OPT_IN, optIn.checked ? true : null);
      if (!optIn.checked) { withdrawDownloads(); }
    });

    // Delegated, so a download link that appears later (a size made while the page was open
    // replaces its table row) counts too.
    document.addEventListener("click", function (event) {
      var link = event.target.closest("a[data-count-preset]");
      if (link && optIn.checked) { enqueue(item("download", link.dataset.countPreset)); }
    });

    function markUsing() {
      using.disabled = true;
      using.textContent = "Counted as in use this week, thank you";
    }
    if (countedCells().indexOf(cellOf(item("using", ""))) >= 0) { markUsing(); }
    using.addEventListener("click", function () {
      enqueue(item("using", ""));
      markUsing();
    });
  });

  sendDue();
})();
