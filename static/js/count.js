// Opt-in anonymous counting. Nothing is sent unless the person ticks the box or
// presses "I'm using this"; their choices stay in this browser's localStorage.
// Loaded on every portal page, so a count still waiting is sent from whichever
// page is open when its moment comes: leaving the asset page loses nothing.
//
// Each count spends one anonymous token (Privacy Pass, privacypass/ on the server).
// A signed-in employee's browser fetches the week's batch on its own, on the first
// page of the week, whether or not the person ever counts: fetching says nothing.
// The tokens are blinded here and unblinded here, so the server that issued them
// cannot tell which one comes back with which count.
(function () {
  "use strict";
  var OPT_IN = "portal.count-downloads";
  var QUEUE = "portal.count-queue";     // counts waiting for their moment: artwork, size, kind, token
  var COUNTED = "portal.counted";       // what this browser counted this week, so once each
  var TOKENS = "portal.count-tokens";   // the week's unspent tokens: { week, tokens }
  var DAY = 24 * 60 * 60 * 1000;
  var script = document.currentScript;
  var data = (script && script.dataset) || {};
  var countUrl = data.countUrl || "/count/";
  var timer = null;

  function read(key, fallback) {
    try { var value = localStorage.getItem(key); return value ? JSON.parse(value) : fallback; } catch (e) { return fallback; }
  }
  function write(key, value) {
    try { if (value === null) { localStorage.removeItem(key); } else { localStorage.setItem(key, JSON.stringify(value)); } } catch (e) {}
  }

  // The ISO week, as the portal names it (2026-W09): at most one count per artwork, size and kind in it.
  function thisWeek() {
    var day = new Date();
    day.setHours(0, 0, 0, 0);
    day.setDate(day.getDate() + 3 - ((day.getDay() + 6) % 7));
    var firstThursday = new Date(day.getFullYear(), 0, 4);
    var week = 1 + Math.round(((day - firstThursday) / DAY - 3 + ((firstThursday.getDay() + 6) % 7)) / 7);
    return day.getFullYear() + "-W" + (week < 10 ? "0" : "") + week;
  }
  function countedCells() {
    var counted = read(COUNTED, {});
    return counted.week === thisWeek() ? counted.cells : [];
  }
  function cellOf(item) { return item.asset + "|" + item.preset + "|" + item.kind; }

  function tokens() { return read(TOKENS, { week: "", tokens: [] }); }
  function keepTokens(week, fresh) {
    // Two pages may fetch at once: a second batch of the same week adds to the first
    // (the server gives one account no more than the week's budget in all).
    var stored = tokens();
    write(TOKENS, { week: week, tokens: stored.week === week ? stored.tokens.concat(fresh) : fresh });
  }
  function takeToken() {
    var stored = tokens();
    if (!stored.tokens.length) { return null; }
    var token = stored.tokens.shift();
    write(TOKENS, stored);
    return { token: token, week: stored.week };
  }

  // Sent later, at a random moment 2 to 20 seconds on, so the count does not sit
  // next to the download in a proxy log; without cookies, so it names nobody.
  function enqueue(item) {
    var cells = countedCells();
    if (cells.indexOf(cellOf(item)) >= 0) { return true; }
    var token = takeToken();
    if (!token) { return false; }  // this week's tokens are spent, or not fetched yet
    item.token = token.token;
    item.tokenWeek = token.week;
    write(COUNTED, { week: thisWeek(), cells: cells.concat([cellOf(item)]) });
    item.due = Date.now() + 2000 + Math.random() * 18000;
    write(QUEUE, read(QUEUE, []).concat([item]));
    schedule();
    return true;
  }

  function requeue(item) { write(QUEUE, read(QUEUE, []).concat([item])); schedule(); }

  function send(item) {
    var body = new URLSearchParams({ asset: item.asset, token: item.token, kind: item.kind, preset: item.preset });
    fetch(countUrl, { method: "POST", body: body, credentials: "omit", keepalive: true, cache: "no-store" })
      .then(function (response) { if (response.status === 503) { requeue(item); } })
      .catch(function () { requeue(item); });
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

  // Unticking takes back the download counts not sent yet, and their tokens.
  function withdrawDownloads() {
    var queue = read(QUEUE, []);
    var withdrawn = queue.filter(function (item) { return item.kind === "download"; });
    var cells = withdrawn.map(cellOf);
    write(QUEUE, queue.filter(function (item) { return item.kind !== "download"; }));
    write(COUNTED, { week: thisWeek(), cells: countedCells().filter(function (cell) { return cells.indexOf(cell) < 0; }) });
    var stored = tokens();
    withdrawn.forEach(function (item) { if (item.tokenWeek === stored.week) { stored.tokens.push(item.token); } });
    write(TOKENS, stored);
  }

  function fromBase64(text) {
    var binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(binary, function (c) { return c.charCodeAt(0); });
  }
  function toBase64(bytes) {
    return btoa(String.fromCharCode.apply(null, bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  // The batched issuance of Privacy Pass: B token inputs (random nonce, the week's challenge
  // and key id) blinded together, evaluated by the server with one proof, checked and unblinded here.
  async function issue(pp, key) {
    var publicKey = fromBase64(key.token_key);
    var challenge = new pp.TokenChallenge(key.token_type, key.issuer_name, new Uint8Array(0));
    var digest = new Uint8Array(await crypto.subtle.digest("SHA-256", challenge.serialize()));
    var keyId = new Uint8Array(await crypto.subtle.digest("SHA-256", publicKey));
    var inputs = [];
    for (var i = 0; i < key.batch; i++) {
      var nonce = crypto.getRandomValues(new Uint8Array(32));
      inputs.push(new pp.AuthenticatorInput(pp.VOPRF, key.token_type, nonce, digest, keyId));
    }
    var client = new pp.VOPRFClient(pp.Oprf.Suite.P384_SHA384, publicKey);
    var blinded = await client.blind(inputs.map(function (input) { return input.serialize(); }));
    var finData = blinded[0];
    var elements = finData.evalReq.blinded.map(function (element) { return element.serialize(); });
    var size = pp.VOPRF.Ne;
    var body = new Uint8Array(5 + elements.length * size);
    var header = new DataView(body.buffer);
    header.setUint16(0, key.token_type);
    header.setUint8(2, keyId[keyId.length - 1]);
    header.setUint16(3, elements.length * size);
    elements.forEach(function (element, index) { body.set(element, 5 + index * size); });
    var csrf = document.querySelector("form.sign-out [name=csrfmiddlewaretoken]");
    var response = await fetch(data.tokensIssueUrl, {
      method: "POST", body: body, credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/private-token-batch-request", "X-CSRFToken": csrf ? csrf.value : "" },
    });
    if (response.status === 429) { keepTokens(key.week, []); return; }  // this account has had the week's batch
    if (!response.ok) { return; }
    var answer = new Uint8Array(await response.arrayBuffer());
    var length = new DataView(answer.buffer).getUint16(0);
    var granted = length / size;  // fewer than asked when another device had some of the week's
    var evaluated = [];
    for (var j = 0; j < granted; j++) { evaluated.push(pp.VOPRF.group.desElt(answer.subarray(2 + j * size, 2 + (j + 1) * size))); }
    var proof = pp.DLEQProof.deserialize(pp.VOPRF.group.id, answer.subarray(2 + length));
    var asked = new pp.FinalizeData(finData.inputs.slice(0, granted), finData.blinds.slice(0, granted),
      new pp.EvaluationRequest(finData.evalReq.blinded.slice(0, granted)));
    var outputs = await client.finalize(asked, new pp.Evaluation(pp.Oprf.Mode.VOPRF, evaluated, proof));
    keepTokens(key.week, outputs.map(function (output, index) {
      return toBase64(new pp.Token(pp.VOPRF, inputs[index], output).serialize());
    }));
  }

  function fetchTokens() {
    if (!data.tokensKeyUrl || tokens().week === thisWeek()) { return; }
    fetch(data.tokensKeyUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { if (!response.ok) { throw new Error("no token key"); } return response.json(); })
      .then(function (key) {
        if (tokens().week === key.week) { return null; }  // the portal's week, where the browser's clock differs
        return import(data.tokensLibrary).then(function (pp) { return issue(pp, key); });
      })
      .catch(function () {});  // tried again on the next page
  }

  // The next person on a shared browser starts with nothing ticked, nothing queued and no tokens.
  document.addEventListener("submit", function (event) {
    if (event.target.matches("form.sign-out")) { write(OPT_IN, null); write(QUEUE, null); write(COUNTED, null); write(TOKENS, null); }
  });
  window.addEventListener("storage", schedule);

  document.querySelectorAll("[data-count-asset]").forEach(function (panel) {
    var optIn = panel.querySelector("[data-count-optin]");
    var using = panel.querySelector("[data-count-using]");
    function item(kind, preset) {
      return { asset: panel.dataset.countAsset, kind: kind, preset: preset || "" };
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

    function markUsing(text) {
      using.disabled = true;
      using.textContent = text;
    }
    if (countedCells().indexOf(cellOf(item("using", ""))) >= 0) { markUsing(gettext("Counted as in use this week, thank you")); }
    using.addEventListener("click", function () {
      if (enqueue(item("using", ""))) {
        markUsing(gettext("Counted as in use this week, thank you"));
      } else {
        markUsing(gettext("This browser has no counts left this week"));
      }
    });
  });

  fetchTokens();
  sendDue();
})();
