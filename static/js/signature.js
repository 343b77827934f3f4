// Builds an HTML email signature from what the employee types, in this browser only: no request
// carries the text, the inputs sit in no form, and Copy and Download work on the page's own copy.
// The banner is referenced by one address that is the same for everyone.
(function () {
  "use strict";
  var tool = document.querySelector("[data-signature-tool]");
  if (!tool) return;
  var keys = ["name", "pronouns", "title", "company", "phone", "email", "website"];
  var fields = keys.reduce(function (all, key) {
    all[key] = tool.querySelector("#signature-" + key);
    return all;
  }, {});
  var previews = tool.querySelectorAll("[data-signature-preview]");
  var status = tool.querySelector(".signature-status");

  function value(key) {
    return fields[key].value.trim();
  }

  // Styles go through the CSSOM (element.style), which the page's CSP allows, unlike style
  // attributes in markup; they still serialise into the copied HTML, as mail needs them inline.
  function styled(element, styles) {
    Object.keys(styles).forEach(function (name) {
      element.style.setProperty(name, styles[name]);
    });
    return element;
  }

  // Only web addresses become links: anything else typed stays plain text.
  function webAddress(text) {
    var address = /^https?:\/\//i.test(text) ? text : "https://" + text;
    try {
      var url = new URL(address);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : "";
    } catch (error) {
      return "";
    }
  }

  function link(href, text) {
    var anchor = document.createElement("a");
    anchor.href = href;
    anchor.textContent = text;
    return anchor;
  }

  function contactLine(key) {
    var text = value(key);
    if (key === "email" && /^[^\s@]+@[^\s@]+$/.test(text)) return link("mailto:" + text, text);
    if (key === "website" && webAddress(text)) return link(webAddress(text), text);
    return document.createTextNode(text);
  }

  // Built as DOM nodes, so whatever is typed ends up as text, never as markup. No text colour is
  // set: mail clients then use their own, which reads on light and on dark backgrounds.
  function build() {
    var table = document.createElement("table");
    table.setAttribute("cellpadding", "0");
    table.setAttribute("cellspacing", "0");
    table.setAttribute("border", "0");
    table.setAttribute("role", "presentation");
    styled(table, { "font-family": "Arial, Helvetica, sans-serif", "font-size": "14px", "line-height": "1.45" });
    var textRow = styled(table.insertRow().insertCell(), { padding: "0 0 8px" });
    var name = styled(document.createElement("strong"), { "font-size": "16px" });
    name.textContent = value("name") || gettext("Your name");
    textRow.appendChild(name);
    if (value("pronouns")) textRow.appendChild(document.createTextNode(" (" + value("pronouns") + ")"));
    var role = [value("title"), value("company")].filter(Boolean).join(", ");
    if (role) {
      textRow.appendChild(document.createElement("br"));
      textRow.appendChild(document.createTextNode(role));
    }
    ["phone", "email", "website"].forEach(function (key) {
      if (!value(key)) return;
      textRow.appendChild(document.createElement("br"));
      textRow.appendChild(contactLine(key));
    });
    var image = document.createElement("img");
    image.src = tool.getAttribute("data-image-url");
    image.alt = tool.getAttribute("data-image-alt");
    image.width = 600;
    image.height = 150;
    styled(image, { display: "block", border: "0", width: "600px", "max-width": "100%", height: "auto" });
    var banner = image;
    if (tool.getAttribute("data-link-url")) {
      banner = document.createElement("a");
      banner.href = tool.getAttribute("data-link-url");
      banner.appendChild(image);
    }
    table.insertRow().insertCell().appendChild(banner);
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
    return keys.map(value).filter(Boolean).join("\n");
  }

  tool.querySelector("[data-signature-copy]").addEventListener("click", function () {
    var done = function () { status.textContent = gettext("Copied. Paste it into your mail program's signature settings."); };
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
      status.textContent = copied ? gettext("Copied.") : gettext("Select the light preview and copy it by hand.");
    }
  });

  tool.querySelector("[data-signature-download]").addEventListener("click", function () {
    var page = "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>" + gettext("Email signature") + "</title></head><body>\n" +
      html() + "\n</body></html>\n";
    window.saveOnDevice(new Blob([page], { type: "text/html" }), "email-signature.html");
    status.textContent = gettext("Saved on this device.");
  });

  Object.keys(fields).forEach(function (key) {
    fields[key].addEventListener("input", render);
  });
  tool.hidden = false;
  render();
})();
