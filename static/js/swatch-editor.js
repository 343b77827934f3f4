// The guidelines' colours as rows: a name, a colour picker beside its HEX field, CMYK and
// Pantone, instead of one "name | HEX | C M Y K | Pantone" line each. The rows write those
// lines into the form's own field, which is what is sent, so the page works without this too.
(function () {
  "use strict";
  var field = document.getElementById("id_swatches");
  if (!field) return;
  var HEX = /^#?([0-9a-f]{6})$/i;
  var editor = document.createElement("div");
  editor.className = "swatch-editor";
  var list = document.createElement("ol");
  list.className = "swatch-rows";
  var add = document.createElement("button");
  add.type = "button";
  add.className = "button";
  add.textContent = gettext("Add a colour");
  editor.appendChild(list);
  editor.appendChild(add);
  var count = 0;

  function input(row, key, labelText, type) {
    count += 1;
    var id = "swatch-" + key + "-" + count;
    var wrap = document.createElement("span");
    wrap.className = "swatch-field swatch-" + key;
    var label = document.createElement("label");
    label.setAttribute("for", id);
    label.textContent = labelText;
    var control = document.createElement("input");
    control.type = type || "text";
    control.id = id;
    control.setAttribute("data-key", key);
    control.autocomplete = "off";
    wrap.appendChild(label);
    wrap.appendChild(control);
    row.appendChild(wrap);
    return control;
  }

  function write() {
    field.value = Array.prototype.map
      .call(list.children, function (row) {
        var value = function (key) {
          return row.querySelector('[data-key="' + key + '"]').value.trim();
        };
        var parts = [value("name"), value("hex"), value("cmyk")];
        if (value("pantone")) parts.push(value("pantone"));
        return parts.join(" | ");
      })
      .join("\n");
  }

  function addRow(parts) {
    var row = document.createElement("li");
    row.className = "swatch-row";
    var name = input(row, "name", gettext("Name"));
    var picker = input(row, "picker", gettext("Colour"), "color");
    var hex = input(row, "hex", "HEX");
    var cmyk = input(row, "cmyk", "C M Y K");
    var pantone = input(row, "pantone", gettext("Pantone (optional)"));
    hex.spellcheck = false;
    hex.maxLength = 7;
    name.value = parts[0] || "";
    hex.value = (parts[1] || "#000000").toUpperCase();
    picker.value = HEX.test(hex.value) ? "#" + HEX.exec(hex.value)[1].toLowerCase() : "#000000";
    cmyk.value = parts[2] || "0 0 0 100";
    pantone.value = parts[3] || "";
    picker.addEventListener("input", function () {
      hex.value = picker.value.toUpperCase();
      write();
    });
    hex.addEventListener("input", function () {
      var match = HEX.exec(hex.value.trim());
      if (match) picker.value = "#" + match[1].toLowerCase();
      write();
    });
    [name, cmyk, pantone].forEach(function (control) {
      control.addEventListener("input", write);
    });
    var remove = document.createElement("button");
    remove.type = "button";
    remove.className = "link-button";
    remove.textContent = gettext("Remove");
    remove.setAttribute("aria-label", gettext("Remove this colour"));
    remove.addEventListener("click", function () {
      row.remove();
      write();
      add.focus();
    });
    row.appendChild(remove);
    list.appendChild(row);
    return name;
  }

  field.value.split("\n").forEach(function (line) {
    if (line.trim()) addRow(line.split("|").map(function (part) {
      return part.trim();
    }));
  });
  add.addEventListener("click", function () {
    addRow([]).focus();
    write();
  });
  field.hidden = true;
  field.parentNode.insertBefore(editor, field);
  var help = document.getElementById("id_swatches_help");
  if (help) help.textContent = gettext("One row a colour: pick it or type its HEX; RGB is worked out from HEX.");
})();
