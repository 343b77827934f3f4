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
  var align = tool.getAttribute("data-text-align") || "center";
  var maxLines = Math.max(1, Number(tool.getAttribute("data-max-lines")) || 3);
  var fixedColour = tool.getAttribute("data-text-colour");
  var light = tool.getAttribute("data-light") || "#ffffff";
  var dark = tool.getAttribute("data-dark") || "#111111";
  var image = new Image();
  var FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'Noto Sans Arabic', 'Noto Sans Hebrew', sans-serif";
  var RTL = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]/; // Hebrew, Arabic, Syriac, Thaana, N'Ko
  var MIN_CONTRAST = 4.5; // WCAG 2 AA for text
  var LINE = 1.2;

  function option() {
    return choice.options[choice.selectedIndex];
  }

  function slot() {
    // Marketing's text box as this file shows it (or its safe zone), in canvas pixels.
    var parts = option().getAttribute("data-zone").split(",").map(Number);
    return {
      x: parts[0] * canvas.width,
      y: parts[1] * canvas.height,
      w: parts[2] * canvas.width,
      h: parts[3] * canvas.height
    };
  }

  function rgb(hex) {
    return [1, 3, 5].map(function (at) {
      return parseInt(hex.slice(at, at + 2), 16);
    });
  }

  function luminance(colour) {
    var linear = colour.map(function (value) {
      value /= 255;
      return value <= 0.04045 ? value / 12.92 : Math.pow((value + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2];
  }

  function contrast(one, other) {
    var a = luminance(one);
    var b = luminance(other);
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  }

  function inkFor(box) {
    // Marketing's colour while it reads (4.5:1 on the artwork's average colour there), else the
    // brand's light or dark colour, whichever stands out more.
    var data = context.getImageData(box.x, box.y, Math.max(1, box.w), Math.max(1, box.h)).data;
    var sum = [0, 0, 0];
    var count = 0;
    for (var i = 0; i < data.length; i += 4 * 7) {
      sum[0] += data[i];
      sum[1] += data[i + 1];
      sum[2] += data[i + 2];
      count += 1;
    }
    var ground = sum.map(function (value) {
      return value / count;
    });
    if (/^#[0-9a-f]{6}$/i.test(fixedColour || "") && contrast(rgb(fixedColour), ground) >= MIN_CONTRAST) return fixedColour;
    return contrast(rgb(light), ground) >= contrast(rgb(dark), ground) ? light : dark;
  }

  function wrap(text, weight, size, width) {
    // Words onto lines no wider than width; a word wider than a line is cut by characters.
    context.font = weight + " " + size + "px " + FONT;
    var lines = [];
    var line = "";
    text.split(/\s+/).forEach(function (word) {
      var tried = line ? line + " " + word : word;
      if (context.measureText(tried).width <= width) {
        line = tried;
        return;
      }
      if (line) lines.push(line);
      line = "";
      Array.from(word).forEach(function (letter) {
        if (context.measureText(line + letter).width > width && line) {
          lines.push(line);
          line = "";
        }
        line += letter;
      });
    });
    if (line) lines.push(line);
    return lines;
  }

  function layout(name, title, box) {
    // Shrink first: the largest size at which the text fits the box on one line each; only
    // below a readable size wrap, up to the maximum number of lines, then shrink again.
    var width = box.w;
    var parts = [];
    if (name) parts.push({ text: name, weight: "700", scale: 1 });
    if (title) parts.push({ text: title, weight: "400", scale: 0.62 });
    var readable = Math.max(10, box.h / (LINE * (maxLines + 1)));
    for (var size = Math.floor(box.h / (LINE * parts.length * 1.1)); size >= 6; size -= Math.max(1, Math.round(size / 20))) {
      var wrapping = size < readable;
      var lines = [];
      parts.forEach(function (part) {
        var partSize = Math.max(6, Math.round(size * part.scale));
        var split = wrapping ? wrap(part.text, part.weight, partSize, width) : [part.text];
        split.forEach(function (text) {
          lines.push({ text: text, weight: part.weight, size: partSize });
        });
      });
      var fits =
        lines.length <= Math.max(maxLines, parts.length) &&
        lines.reduce(function (total, line) {
          return total + line.size * LINE;
        }, 0) <= box.h &&
        lines.every(function (line) {
          context.font = line.weight + " " + line.size + "px " + FONT;
          return context.measureText(line.text).width <= width;
        });
      if (fits) return lines;
    }
    return lines; // still too long at the smallest size: the clip below keeps it in the box
  }

  function draw() {
    context.clearRect(0, 0, canvas.width, canvas.height);
    if (image.complete && image.naturalWidth) {
      context.drawImage(image, 0, 0, canvas.width, canvas.height);
    }
    var name = nameInput.value.trim();
    var title = titleInput.value.trim();
    if (!name && !title) return;
    var outer = slot();
    var pad = Math.min(outer.w, outer.h) * 0.06;
    var box = { x: outer.x + pad, y: outer.y + pad, w: outer.w - 2 * pad, h: outer.h - 2 * pad };
    var lines = layout(name, title, box);
    var block = lines.reduce(function (total, line) {
      return total + line.size * LINE;
    }, 0);
    var top = box.y;
    if (area === "bottom") top = box.y + box.h - block;
    else if (area === "middle") top = box.y + (box.h - block) / 2;
    context.fillStyle = inkFor({ x: box.x, y: Math.max(box.y, top), w: box.w, h: Math.min(block, box.h) });
    context.save();
    // Never outside marketing's box, whatever the text.
    context.beginPath();
    context.rect(outer.x, outer.y, outer.w, outer.h);
    context.clip();
    context.textBaseline = "top";
    lines.forEach(function (line) {
      var rtl = RTL.test(line.text);
      context.direction = rtl ? "rtl" : "ltr";
      context.font = line.weight + " " + line.size + "px " + FONT;
      // Start and end follow the line's own direction: a Hebrew name starts at the right.
      var side = align === "center" ? "center" : (align === "start") !== rtl ? "left" : "right";
      context.textAlign = side;
      var x = side === "center" ? box.x + box.w / 2 : side === "left" ? box.x : box.x + box.w;
      context.fillText(line.text, x, top + (line.size * (LINE - 1)) / 2);
      top += line.size * LINE;
    });
    context.restore();
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
        status.textContent = gettext("Saved on this device. Upload it where you like, if you want to.");
      },
      "image/jpeg",
      0.9
    );
  });

  tool.hidden = false;
  load();
})();
