// Builds an HTML email signature from what the employee types, in this browser only: no request
// carries the text, the inputs sit in no form, and Copy and Download work on the page's own copy.
// The banner is referenced by one address that is the same for everyone.
(function () {
  "use strict";
  var tool = document.querySelector("[data-signature-tool]");
  if (!tool) return;
  var fields = ["name", "title", "pronouns", "phone"].reduce(function (all, key) {
    all[key] = tool.querySelector("#signature-" + key);
    return all;
  }, {});
  var previews = tool.querySelectorAll("[data-signature-preview]");
  var status = tool.querySelector(".signature-status");

  function value(key) {
    return fields[key].value.trim();
  }

  // Built as DOM nodes, so whatever is typed ends up as text, never as markup. No text colour is
  // set: mail clients then use their own, which reads on light and on dark backgrounds.
  function build() {
    var table = document.createElement("table");
    table.setAttribute("cellpadding", "0");
    table.setAttribute("cellspacing", "0");
    table.setAttribute("border", "0");
    table.setAttribute("role", "presentation");
    table.setAttribute("style", "font-family: Arial, Helvetica, sans-serif; font-size: 14px; line-height: 1.45;");
    var textRow = table.insertRow().insertCell();
    textRow.setAttribute("style", "padding: 0 0 8px;");
    var name = document.createElement("strong");
    name.setAttribute("style", "font-size: 16px;");
    name.textContent = value("name") || "Your name";
    textRow.appendChild(name);
    if (value("pronouns")) textRow.appendChild(document.createTextNode(" (" + value("pronouns") + ")"));
    ["title", "phone"].forEach(function (key) {
      if (!value(key)) return;
      textRow.appendChild(document.createElement("br"));
      textRow.appendChild(document.createTextNode(value(key)));
    });
    var image = document.createElement("img");
    image.src = tool.getAttribute("data-image-url");
    image.alt = tool.getAttribute("data-image-alt");
    image.width = 600;
    image.height = 150;
    image.setAttribute("style", "display: block; border: 0; width: 600px; max-width: 100%; height: auto;");
    table.insertRow().insertCell().appendChild(image);
    return table;
  }

  function render() {
    previews.forEach(function (preview) {
      preview.replaceChildren(build());
    });
  }

  function html() {
    return build().outerHTML;
  }

  function plain() {
    return ["name", "title", "pronouns", "phone"].map(value).filter(Boolean).join("\n");
  }

  tool.querySelector("[data-signature-copy]").addEventListener("click", function () {
    var done = function () { status.textContent = "Copied. Paste it into your mail program's signature settings."; };
    if (navigator.clipboard && window.ClipboardItem) {
      var item = new ClipboardItem({
        "text/html": new Blob([html()], { type: "text/html" }),
        "text/plain": new Blob([plain()], { type: "text/plain" })
      });
      navigator.clipboard.write([item]).then(done, copyBySelection);
    } else {
      copyBySelection();
    }
    function copyBySelection() {
      var range = document.createRange();
      range.selectNodeContents(previews[0]);
      var selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      var copied = document.execCommand && document.execCommand("copy");
      selection.removeAllRanges();
      status.textContent = copied ? "Copied." : "Select the light preview and copy it by hand.";
    }
  });

  tool.querySelector("[data-signature-download]").addEventListener("click", function () {
    var page = "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Email signature</title></head><body>\n" +
      html() + "\n</body></html>\n";
    window.saveOnDevice(new Blob([page], { type: "text/html" }), "email-signature.html");
    status.textContent = "Saved on this device.";
  });

  Object.keys(fields).forEach(function (key) {
    fields[key].addEventListener("input", render);
  });
  tool.hidden = false;
  render();
})();
