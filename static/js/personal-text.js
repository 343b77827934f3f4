// Lays the employee's own text (name, job title, anything) into a banner or call background, on
// a canvas in this browser, and saves the result as a file. The text is never sent anywhere:
// this script makes no request of its own, and the inputs sit in no form.
(function () {
  "use strict";
  var tool = document.querySelector("[data-personal-tool]");
  if (!tool || !HTMLCanvasElement.prototype.toBlob) return;
  var canvas = tool.querySelector(".personal-canvas");
  var context = canvas.getContext("2d");
  var choice = tool.querySelector("#personal-size");
  var nameInput = tool.querySelector("#personal-name");
  var titleInput = tool.querySelector("#personal-title");
  var save = tool.querySelector("[data-personal-save]");
  var status = tool.querySelector(".personal-status");
  var area = tool.getAttribute("data-text-area") || "bottom";
  var fixedColour = tool.getAttribute("data-text-colour");
  var image = new Image();
  var FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

  function option() {
    return choice.options[choice.selectedIndex];
  }

  function zone() {
    var parts = option().getAttribute("data-zone").split(",").map(Number);
    return {
      x: parts[0] * canvas.width,
      y: parts[1] * canvas.height,
      w: parts[2] * canvas.width,
      h: parts[3] * canvas.height
    };
  }

  function inkFor(box) {
    // Marketing's colour, or black or white, whichever stands out more from the artwork there.
    if (/^#[0-9a-f]{6}$/i.test(fixedColour || "")) return fixedColour;
    var data = context.getImageData(box.x, box.y, Math.max(1, box.w), Math.max(1, box.h)).data;
    var sum = 0;
    var count = 0;
    for (var i = 0; i < data.length; i += 4 * 16) {
      sum += 0.2126 * data[i] + 0.7152 * data[i + 1] + 0.0722 * data[i + 2];
      count += 1;
    }
    return sum / count > 150 ? "#111111" : "#ffffff";
  }

  function fitFont(text, weight, size, width) {
    context.font = weight + " " + size + "px " + FONT;
    var measured = context.measureText(text).width;
    if (measured > width) {
      size = Math.floor((size * width) / measured);
      context.font = weight + " " + size + "px " + FONT;
    }
    return size;
  }

  function draw() {
    context.clearRect(0, 0, canvas.width, canvas.height);
    if (image.complete && image.naturalWidth) {
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
    }
    var name = nameInput.value.trim();
    var title = titleInput.value.trim();
    if (!name && !title) return;
    var box = zone();
    var pad = box.w * 0.04;
    var width = box.w - 2 * pad;
    var nameSize = name ? fitFont(name, "700", Math.max(12, box.h * 0.2), width) : 0;
    var titleSize = title ? fitFont(title, "400", Math.max(10, (nameSize || box.h * 0.2) * 0.62), width) : 0;
    var block = nameSize * 1.2 + titleSize * 1.3;
    var top = box.y + pad;
    if (area === "bottom") top = box.y + box.h - pad - block;
    else if (area === "middle") top = box.y + (box.h - block) / 2;
    var ink = inkFor({ x: box.x, y: top, w: box.w, h: block });
    context.fillStyle = ink;
    context.textAlign = "center";
    context.textBaseline = "top";
    var centre = box.x + box.w / 2;
    if (name) {
      context.font = "700 " + nameSize + "px " + FONT;
      context.fillText(name, centre, top);
    }
    if (title) {
      context.font = "400 " + titleSize + "px " + FONT;
      context.fillText(title, centre, top + nameSize * 1.2);
    }
  }

  function load() {
    var chosen = option();
    canvas.width = Number(chosen.getAttribute("data-width"));
    canvas.height = Number(chosen.getAttribute("data-height"));
    image = new Image();
    image.onload = draw; // same origin, so the canvas stays exportable
    image.src = chosen.getAttribute("data-url");
    draw();
  }

  choice.addEventListener("change", load);
  nameInput.addEventListener("input", draw);
  titleInput.addEventListener("input", draw);

  save.addEventListener("click", function () {
    draw();
    canvas.toBlob(
      function (blob) {
        window.saveOnDevice(blob, option().getAttribute("data-filename").replace(/\.jpg$/, " - personal.jpg"));
        status.textContent = "Saved on this device. Upload it where you like, if you want to.";
      },
      "image/jpeg",
      0.9
    );
  });

  tool.hidden = false;
  load();
})();
