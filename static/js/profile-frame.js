// Puts the employee's own photo under the avatar frame, in this browser only. The photo is read
// from the file input through an object URL and drawn on a canvas; this script never sends it
// anywhere (no fetch, no XHR, no form), and the result is saved straight from the canvas.
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
  var size = canvas.width;
  var overlay = new Image();
  var photo = null;
  var offset = { x: 0, y: 0 }; // the photo's centre, from the canvas centre, in canvas pixels
  var drag = null;

  function scale() {
    // Zoom 1 covers the whole square, like a cover crop.
    var cover = Math.max(size / photo.naturalWidth, size / photo.naturalHeight);
    return cover * Number(zoom.value);
  }

  function keepCovered() {
    // The photo never leaves an empty edge showing through the frame's clear centre.
    var s = scale();
    var slackX = (photo.naturalWidth * s - size) / 2;
    var slackY = (photo.naturalHeight * s - size) / 2;
    offset.x = Math.max(-slackX, Math.min(slackX, offset.x));
    offset.y = Math.max(-slackY, Math.min(slackY, offset.y));
  }

  function draw() {
    context.clearRect(0, 0, size, size);
    if (photo) {
      keepCovered();
      var s = scale();
      var w = photo.naturalWidth * s;
      var h = photo.naturalHeight * s;
      context.drawImage(photo, (size - w) / 2 + offset.x, (size - h) / 2 + offset.y, w, h);
    } else {
      context.fillStyle = "#e6e9ef";
      context.fillRect(0, 0, size, size);
    }
    if (overlay.complete && overlay.naturalWidth) context.drawImage(overlay, 0, 0, size, size);
    circleContext.clearRect(0, 0, circle.width, circle.height);
    circleContext.drawImage(canvas, 0, 0, circle.width, circle.height);
  }

  function move(dx, dy) {
    if (!photo) return;
    offset.x += dx;
    offset.y += dy;
    draw();
  }

  input.addEventListener("change", function () {
    var file = input.files[0];
    if (!file) return;
    var url = URL.createObjectURL(file);
    var image = new Image();
    image.onload = function () {
      URL.revokeObjectURL(url);
      photo = image;
      offset = { x: 0, y: 0 };
      zoom.value = "1";
      zoom.disabled = false;
      save.disabled = false;
      status.textContent = "Your photo is in the frame. Move and zoom it, then save.";
      draw();
    };
    image.onerror = function () {
      URL.revokeObjectURL(url);
      status.textContent = "That file could not be opened as a picture. Try a JPEG or PNG.";
    };
    image.src = url;
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
      var link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = tool.getAttribute("data-filename");
      document.body.appendChild(link);
      link.click();
      link.remove();
      // Give the download a moment to start before the object URL goes.
      setTimeout(function () {
        URL.revokeObjectURL(link.href);
      }, 10000);
      status.textContent = "Saved. Upload the PNG as your profile photo, if you want to.";
    }, "image/png");
  });

  // Same origin as the page, so drawing it keeps the canvas exportable.
  overlay.onload = draw;
  overlay.src = tool.getAttribute("data-overlay-url");
  tool.hidden = false;
  draw();
})();
