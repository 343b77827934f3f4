// Drag-and-drop upload. Each file is posted on its own to the same upload view, which answers
// in JSON, so every file gets its own progress bar and result without a page reload. Without
// JavaScript the form posts all files at once and the page lists the results.
(function () {
  "use strict";
  var form = document.querySelector("[data-upload-form]");
  if (!form || !window.FormData || !window.DataTransfer) return;
  var input = form.querySelector('input[type="file"]');
  var zone = form.querySelector("[data-drop-zone]");
  var list = document.querySelector("[data-upload-list]");

  zone.hidden = false;
  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (event) {
      event.preventDefault();
      zone.classList.add("is-over");
    });
  });
  ["dragleave", "drop"].forEach(function (type) {
    zone.addEventListener(type, function () {
      zone.classList.remove("is-over");
    });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    input.files = event.dataTransfer.files;
    zone.querySelector("[data-drop-count]").textContent =
      interpolate(ngettext("%s file ready to upload.", "%s files ready to upload.", input.files.length), [input.files.length]);
  });

  function row(file) {
    var item = document.createElement("li");
    item.className = "result pending";
    var name = document.createElement("strong");
    name.textContent = file.name;
    var bar = document.createElement("progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", interpolate(gettext("Uploading %s"), [file.name]));
    var outcome = document.createElement("span");
    outcome.className = "outcome";
    outcome.textContent = gettext("Waiting");
    item.append(name, " ", bar, " ", outcome);
    list.appendChild(item);
    return { item: item, bar: bar, outcome: outcome, file: file };
  }

  function link(href, text) {
    var anchor = document.createElement("a");
    anchor.href = href;
    anchor.textContent = text;
    return anchor;
  }

  function show(entry, xhr) {
    var data = null;
    try {
      data = JSON.parse(xhr.responseText);
    } catch (error) {
      // not JSON: a proxy page or a server error, reported below
    }
    entry.bar.value = 100;
    entry.item.classList.remove("pending");
    if (data && data.added && data.added.length) {
      entry.item.classList.add("ok");
      entry.outcome.textContent = gettext("added. ");
      entry.outcome.appendChild(link(data.added[0].url, interpolate(gettext("Open %s"), [data.added[0].title])));
      var badge = thumbnail(entry, data.added[0]);
      entry.item.appendChild(kindChoice(data.added[0], badge));
    } else if (data && data.refused && data.refused.length) {
      var refusal = data.refused[0];
      entry.item.classList.add("refused");
      entry.outcome.textContent = interpolate(gettext("refused, %s. "), [refusal.reason]);
      if (refusal.existing_url) entry.outcome.appendChild(link(refusal.existing_url, gettext("See the existing asset")));
    } else if (data && data.errors) {
      entry.item.classList.add("refused");
      var first = Object.values(data.errors)[0][0];
      entry.outcome.textContent = interpolate(gettext("refused, %s"), [first.message]);
    } else {
      entry.item.classList.add("refused");
      entry.outcome.textContent = interpolate(gettext("not uploaded: the portal answered %s. Try again."), [xhr.status]);
    }
  }

  // The file's picture, first in its row, with the kind written on it: a wrong guess shows at
  // a glance. The portal's thumbnail when it is made already, else the file from this device.
  function thumbnail(entry, added) {
    var frame = document.createElement("span");
    frame.className = "upload-thumb";
    var picture = document.createElement("img");
    picture.alt = added.title;
    picture.src = added.thumbnail || URL.createObjectURL(entry.file);
    var badge = document.createElement("span");
    badge.className = "upload-kind";
    badge.setAttribute("data-upload-kind", "");
    badge.textContent = added.kind_label + (added.kind_guessed ? " (guessed)" : "");
    frame.append(picture, badge);
    entry.item.insertBefore(frame, entry.item.firstChild);
    return badge;
  }

  // The kind picks each size's layout rule; the guess (or the batch default) is changed here.
  function kindChoice(added, badge) {
    var label = document.createElement("label");
    label.className = "kind-choice";
    label.textContent = (added.kind_guessed ? gettext("Kind (guessed)") : gettext("Kind")) + " ";
    var select = document.createElement("select");
    select.name = "kind";
    added.kinds.forEach(function (choice) {
      var option = new Option(choice.label, choice.value, false, choice.value === added.kind);
      select.appendChild(option);
    });
    var saved = document.createElement("span");
    saved.className = "meta";
    saved.setAttribute("role", "status");
    select.addEventListener("change", function () {
      var body = new FormData();
      body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
      body.append("kind", select.value);
      saved.textContent = " " + gettext("Saving…");
      fetch(added.kind_url, { method: "POST", body: body, headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.json().then(function (answer) {
            // A refusal says why (a frame needs its transparent hole); anything else: try again.
            if (!response.ok) throw new Error(answer.errors ? answer.errors.kind[0].message : "");
            return answer;
          });
        })
        .then(
          function (answer) {
            saved.textContent = " " + interpolate(gettext("Saved: %s; its sizes are being made again."), [answer.label]);
            badge.textContent = answer.label;
          },
          function (error) {
            saved.textContent = " " + gettext("Not saved.") + " " + (error.message || gettext("Try again."));
          }
        );
    });
    label.appendChild(select);
    var wrap = document.createElement("span");
    wrap.append(" ", label, saved);
    return wrap;
  }

  function send(files, entries, index) {
    if (index >= files.length) {
      input.value = "";
      zone.querySelector("[data-drop-count]").textContent = "";
      return;
    }
    var data = new FormData(form); // carries the CSRF token and the collection, kind and publish
    data.delete(input.name);
    data.append(input.name, files[index]);
    var entry = entries[index];
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("Accept", "application/json");
    entry.outcome.textContent = gettext("Uploading");
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) entry.bar.value = (event.loaded / event.total) * 100;
    });
    xhr.addEventListener("loadend", function () {
      if (xhr.status) show(entry, xhr);
      else {
        entry.item.classList.remove("pending");
        entry.item.classList.add("refused");
        entry.outcome.textContent = gettext("not uploaded: the connection failed. Try again.");
      }
      send(files, entries, index + 1);
    });
    xhr.send(data);
  }

  form.addEventListener("submit", function (event) {
    var files = Array.prototype.slice.call(input.files);
    if (!files.length) return; // let the browser and the form say what is missing
    event.preventDefault();
    list.hidden = false;
    // One at a time: a marketer's fifty files never flood the server.
    send(files, files.map(row), 0);
  });
})();
