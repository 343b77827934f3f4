// Puts the employee's own photo in a profile frame, in this browser only. The photo is read from
// the file input through an object URL (or decoded in the page, for HEIC) and drawn on a canvas;
// this script never sends it anywhere (no fetch, no XHR, no form), and the result is saved
// straight from the canvas.
//
// Two modes, from data-mode:
//   overlay  marketing's frame (or the portal's ring made from a photo) is drawn over the photo;
//            the photo fills the frame's transparent hole, found from the overlay's alpha channel.
//   ring     for a logo without a frame: a ring in the brand colour, the mark in a badge big
//            enough to read at 200 px, and marketing's optional ring text along the arc.
(function () {
  "use strict";
  var tool = document.querySelector("[data-frame-tool]");
  if (!tool || !window.URL || !HTMLCanvasElement.prototype.toBlob) return;
  var canvas = tool.querySelector(".frame-canvas");
  var context = canvas.getContext("2d");
  var circle = tool.querySelector(".frame-circle");
  var circleContext = circle.getContext("2d");
  var input = tool.querySelector("#frame-photo");
  var zoom = tool.querySelector("#frame-zoom");
  var save = tool.querySelector("[data-frame-save]");
  var status = tool.querySelector(".frame-status");
  var mode = tool.getAttribute("data-mode");
  var size = canvas.width;
  var artwork = new Image(); // the overlay, or the logo for the ring
  var hole = { x: 0, y: 0, w: size, h: size }; // where the photo shows, in canvas pixels
  var ring = null; // the ring's colours and the trimmed mark, once the logo has loaded
  var photo = null;
  var photoSize = { w: 1, h: 1 };
  var offset = { x: 0, y: 0 }; // the photo's centre, from the hole's centre, in canvas pixels
  var drag = null;

  // Ring geometry, as fractions of the canvas: a band wide enough for text, and a badge that
  // sits on the bottom of the circle so the whole mark stays inside a round crop.
  var RING_BAND = 0.1;
  var BADGE_RADIUS = 0.16;

  function scale() {
    // Zoom 1 covers the whole hole, like a cover crop.
    var cover = Math.max(hole.w / photoSize.w, hole.h / photoSize.h);
    return cover * Number(zoom.value);
  }

  function keepCovered() {
    // The photo never leaves an empty edge showing through the frame's hole.
    var s = scale();
    var slackX = (photoSize.w * s - hole.w) / 2;
    var slackY = (photoSize.h * s - hole.h) / 2;
    offset.x = Math.max(-slackX, Math.min(slackX, offset.x));
    offset.y = Math.max(-slackY, Math.min(slackY, offset.y));
  }

  function drawPhoto() {
    if (!photo) {
      context.fillStyle = "#e6e9ef";
      context.fillRect(0, 0, size, size);
      return;
    }
    keepCovered();
    var s = scale();
    var w = photoSize.w * s;
    var h = photoSize.h * s;
    var cx = hole.x + hole.w / 2 + offset.x;
    var cy = hole.y + hole.h / 2 + offset.y;
    context.drawImage(photo, cx - w / 2, cy - h / 2, w, h);
  }

  function drawRing() {
    var r = size / 2;
    var band = size * RING_BAND;
    context.save();
    context.lineWidth = band;
    context.strokeStyle = ring.colour;
    context.beginPath();
    context.arc(r, r, r - band / 2, 0, 2 * Math.PI);
    context.stroke();
    if (ring.text) drawArcText(ring.text, r, r - band / 2, band);
    // The badge, white and outlined in the ring colour: a disc for a squarish mark, a pill for
    // a wordmark, placed low but inside the circle so a round crop keeps all of it.
    var m = ring.mark;
    var aspect = m.w / m.h;
    var mw, mh, bx, by, bw, bh;
    if (aspect > 1.4) {
      bw = size * 0.5;
      mw = bw * 0.84;
      mh = mw / aspect;
      bh = Math.min(size * 0.22, mh + size * 0.07);
      if (mh > bh - size * 0.05) {
        mh = bh - size * 0.05;
        mw = mh * aspect;
      }
      by = size * 0.8 - bh / 2;
    } else {
      bw = bh = size * BADGE_RADIUS * 2;
      var fit = (bw * 0.72) / Math.max(m.w, m.h);
      mw = m.w * fit;
      mh = m.h * fit;
      by = size - bh / 2 - band * 0.15;
    }
    bx = r;
    context.beginPath();
    context.roundRect(bx - bw / 2, by - bh / 2, bw, bh, bh / 2);
    // On the logo's own background when it has one, so the mark sits in it seamlessly.
    context.fillStyle = ring.paper || "#ffffff";
    context.fill();
    context.lineWidth = band * 0.18;
    context.strokeStyle = ring.paper ? "#ffffff" : ring.colour;
    context.stroke();
    context.drawImage(artwork, m.x, m.y, m.w, m.h, bx - mw / 2, by - mh / 2, mw, mh);
    context.restore();
  }

  function drawArcText(text, centre, radius, band) {
    // Letters along the top of the ring, centred on 12 o'clock, reading left to right.
    var fontSize = band * 0.56;
    context.font = "700 " + fontSize + "px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
    context.fillStyle = ring.ink;
    context.textAlign = "center";
    context.textBaseline = "middle";
    var letters = Array.from(text.toUpperCase());
    var spacing = fontSize * 0.12;
    var widths = letters.map(function (letter) {
      return context.measureText(letter).width + spacing;
    });
    var total = widths.reduce(function (a, b) { return a + b; }, 0);
    // At most the upper half of the circle; longer text is set smaller.
    var most = Math.PI * radius * 0.9;
    var shrink = Math.min(1, most / total);
    var angle = -Math.PI / 2 - (total * shrink) / radius / 2;
    context.save();
    context.translate(centre, centre);
    letters.forEach(function (letter, index) {
      var step = (widths[index] * shrink) / radius;
      angle += step / 2;
      context.save();
      context.rotate(angle + Math.PI / 2);
      context.translate(0, -radius);
      context.scale(shrink, shrink);
      context.fillText(letter, 0, 0);
      context.restore();
      angle += step / 2;
    });
    context.restore();
  }

  function draw() {
    context.clearRect(0, 0, size, size);
    drawPhoto();
    if (mode === "ring" && ring) drawRing();
    else if (mode !== "ring" && artwork.complete && artwork.naturalWidth) {
      context.drawImage(artwork, 0, 0, size, size);
    }
    circleContext.clearRect(0, 0, circle.width, circle.height);
    circleContext.drawImage(canvas, 0, 0, circle.width, circle.height);
  }

  function pixelsOf(image, width, height) {
    var scratch = document.createElement("canvas");
    scratch.width = width;
    scratch.height = height;
    var scratchContext = scratch.getContext("2d", { willReadFrequently: true });
    scratchContext.drawImage(image, 0, 0, width, height);
    return scratchContext.getImageData(0, 0, width, height).data;
  }

  function findHole() {
    // Flood the see-through pixels from the centre on a small copy of the alpha channel; the
    // box around them is where the photo goes. An opaque centre means no hole: use it all.
    var n = 128;
    var data = pixelsOf(artwork, n, n);
    var clear = function (x, y) { return data[(y * n + x) * 4 + 3] < 128; };
    var start = n / 2;
    if (!clear(start, start)) return;
    var seen = new Uint8Array(n * n);
    var stack = [start * n + start];
    var box = { left: start, top: start, right: start, bottom: start };
    seen[start * n + start] = 1;
    while (stack.length) {
      var at = stack.pop();
      var x = at % n;
      var y = (at - x) / n;
      box.left = Math.min(box.left, x);
      box.right = Math.max(box.right, x);
      box.top = Math.min(box.top, y);
      box.bottom = Math.max(box.bottom, y);
      [[x - 1, y], [x + 1, y], [x, y - 1], [x, y + 1]].forEach(function (next) {
        var nx = next[0];
        var ny = next[1];
        if (nx < 0 || ny < 0 || nx >= n || ny >= n) return;
        var index = ny * n + nx;
        if (!seen[index] && clear(nx, ny)) {
          seen[index] = 1;
          stack.push(index);
        }
      });
    }
    var unit = size / n;
    hole = {
      x: box.left * unit,
      y: box.top * unit,
      w: (box.right - box.left + 1) * unit,
      h: (box.bottom - box.top + 1) * unit
    };
    tool.setAttribute("data-hole", [hole.x, hole.y, hole.w, hole.h].map(Math.round).join(","));
  }

  function hexColour(value) {
    return /^#[0-9a-f]{6}$/i.test(value || "") ? value : "";
  }

  function inkFor(hex) {
    // Black or white, whichever reads better on the ring (relative luminance).
    var channels = [1, 3, 5].map(function (i) {
      var c = parseInt(hex.substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    var luminance = 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
    return luminance > 0.4 ? "#111111" : "#ffffff";
  }

  function prepareRing() {
    // Trim the mark to what differs from the corner pixel (transparency or a flat background),
    // so it fills the badge; take the ring colour from its most common strong colour.
    var w = artwork.naturalWidth;
    var h = artwork.naturalHeight;
    var n = 256;
    var data = pixelsOf(artwork, n, n);
    var corner = [data[0], data[1], data[2], data[3]];
    var box = { left: n, top: n, right: -1, bottom: -1 };
    var counts = {};
    for (var y = 0; y < n; y++) {
      for (var x = 0; x < n; x++) {
        var i = (y * n + x) * 4;
        var differs = Math.abs(data[i + 3] - corner[3]) > 32 ||
          (data[i + 3] > 128 && Math.abs(data[i] - corner[0]) + Math.abs(data[i + 1] - corner[1]) + Math.abs(data[i + 2] - corner[2]) > 48);
        if (!differs) continue;
        box.left = Math.min(box.left, x);
        box.right = Math.max(box.right, x);
        box.top = Math.min(box.top, y);
        box.bottom = Math.max(box.bottom, y);
        var strong = data[i + 3] > 200 && data[i] + data[i + 1] + data[i + 2] < 3 * 225;
        if (strong) {
          var key = [data[i] >> 4, data[i + 1] >> 4, data[i + 2] >> 4].join(",");
          counts[key] = (counts[key] || 0) + 1;
        }
      }
    }
    if (box.right < 0) box = { left: 0, top: 0, right: n - 1, bottom: n - 1 };
    var best = Object.keys(counts).sort(function (a, b) { return counts[b] - counts[a]; })[0];
    var colour = hexColour(tool.getAttribute("data-ring-colour"));
    if (!colour) {
      colour = best
        ? "#" + best.split(",").map(function (v) { return ((v * 16 + 8) | 0).toString(16).padStart(2, "0"); }).join("")
        : "#2446c7";
    }
    ring = {
      paper: corner[3] > 200 ? "rgb(" + corner.slice(0, 3).join(",") + ")" : "",
      colour: colour,
      ink: inkFor(colour),
      text: (tool.getAttribute("data-ring-text") || "").trim(),
      mark: {
        x: (box.left / n) * w,
        y: (box.top / n) * h,
        w: ((box.right - box.left + 1) / n) * w,
        h: ((box.bottom - box.top + 1) / n) * h
      }
    };
  }

  function move(dx, dy) {
    if (!photo) return;
    offset.x += dx;
    offset.y += dy;
    draw();
  }

  function usePhoto(image) {
    // An <img> or, for HEIC, an ImageBitmap.
    photo = image;
    photoSize = { w: image.naturalWidth || image.width, h: image.naturalHeight || image.height };
    offset = { x: 0, y: 0 };
    zoom.value = "1";
    zoom.disabled = false;
    save.disabled = false;
    status.textContent = gettext("Your photo is in the frame. Move and zoom it, then save.");
    draw();
  }

  function openImage(blob, onFail) {
    var url = URL.createObjectURL(blob);
    var image = new Image();
    image.onload = function () {
      URL.revokeObjectURL(url);
      usePhoto(image);
    };
    image.onerror = function () {
      URL.revokeObjectURL(url);
      onFail();
    };
    image.src = url;
  }

  function looksLikeHeic(file, head) {
    // ISO-BMFF "ftyp" box with a HEIF brand; the name alone is not trusted.
    var brand = String.fromCharCode.apply(null, head.subarray(8, 12));
    var isBox = String.fromCharCode.apply(null, head.subarray(4, 8)) === "ftyp";
    return isBox && /^(heic|heix|hevc|heim|heis|mif1|msf1)$/.test(brand) || /\.hei[cf]$/i.test(file.name);
  }

  function openHeic(file) {
    // Chrome and Firefox cannot decode HEIC; the decoder vendored with the portal does it here,
    // in this page. It is 3 MB, so it is fetched from the portal only when a HEIC is picked.
    status.textContent = gettext("Opening an iPhone (HEIC) photo on this device…");
    import(tool.getAttribute("data-heic-url"))
      .then(function (decoder) {
        return decoder.heicTo({ blob: file, type: "bitmap" });
      })
      .then(
        function (bitmap) {
          usePhoto(bitmap);
          status.textContent = gettext("Your iPhone photo is in the frame. Move and zoom it, then save.");
        },
        function () {
          status.textContent = gettext("That HEIC photo could not be opened here. Save it as a JPEG and try again.");
        }
      );
  }

  input.addEventListener("change", function () {
    var file = input.files[0];
    if (!file) return;
    file.slice(0, 16).arrayBuffer().then(function (buffer) {
      var head = new Uint8Array(buffer);
      if (head.length >= 12 && looksLikeHeic(file, head)) {
        openHeic(file);
        return;
      }
      openImage(file, function () {
        status.textContent = gettext("That file could not be opened as a picture. Try a JPEG, PNG or HEIC photo.");
      });
    });
  });

  zoom.addEventListener("input", draw);

  canvas.addEventListener("pointerdown", function (event) {
    if (!photo) return;
    canvas.setPointerCapture(event.pointerId);
    drag = { x: event.clientX, y: event.clientY };
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!drag) return;
    // The canvas is drawn smaller than its 1024 pixels; move by the pixels under the pointer.
    var ratio = size / canvas.getBoundingClientRect().width;
    move((event.clientX - drag.x) * ratio, (event.clientY - drag.y) * ratio);
    drag = { x: event.clientX, y: event.clientY };
  });
  ["pointerup", "pointercancel"].forEach(function (type) {
    canvas.addEventListener(type, function () {
      drag = null;
    });
  });

  canvas.addEventListener("keydown", function (event) {
    var step = event.shiftKey ? 64 : 8;
    var moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (moves[event.key]) {
      move(moves[event.key][0], moves[event.key][1]);
    } else if ((event.key === "+" || event.key === "=" || event.key === "-") && photo) {
      zoom.value = Number(zoom.value) + (event.key === "-" ? -0.1 : 0.1);
      draw();
    } else {
      return;
    }
    event.preventDefault();
  });

  save.addEventListener("click", function () {
    canvas.toBlob(function (blob) {
      window.saveOnDevice(blob, tool.getAttribute("data-filename"));
      status.textContent = gettext("Saved. Upload the PNG as your profile photo, if you want to.");
    }, "image/png");
  });

  // Same origin as the page, so reading and drawing it keeps the canvas exportable.
  artwork.onload = function () {
    if (mode === "ring") prepareRing();
    else findHole();
    tool.setAttribute("data-ready", "");
    draw();
  };
  artwork.src = tool.getAttribute("data-image-url");
  tool.hidden = false;
  draw();
})();
