// Focal point picker: a click on the picture (or the arrow keys on it) sets the focal point
// fields, and a box per output shape shows what each cover crop keeps, computed the way
// assets/engine/plan.py `plan_preset` crops photos. Logos and illustrations are never cropped.
(function () {
  "use strict";
  var picker = document.querySelector("[data-focal-picker]");
  if (!picker) return;
  var stage = picker.querySelector(".focal-stage");
  var image = stage.querySelector("img");
  var dot = stage.querySelector(".focal-dot");
  var readout = picker.querySelector("[data-focal-readout]");
  var inputX = document.getElementById("id_focal_x");
  var inputY = document.getElementById("id_focal_y");
  var kind = document.getElementById("id_kind");
  var width = Number(picker.getAttribute("data-width"));
  var height = Number(picker.getAttribute("data-height"));

  var shapes = Array.prototype.map.call(picker.querySelectorAll("[data-crop-width]"), function (item, index) {
    var box = document.createElement("span");
    box.className = "crop-box";
    box.setAttribute("data-number", index + 1);
    box.setAttribute("aria-hidden", "true");
    box.style.setProperty("--n", index); // so the numbers of boxes sharing a corner do not overlap
    stage.appendChild(box);
    return { width: Number(item.getAttribute("data-crop-width")), height: Number(item.getAttribute("data-crop-height")), box: box };
  });

  function crop(outW, outH, fx, fy) {
    // Cover: the largest box of the output's shape, centred on the focal point, kept inside.
    var scale = Math.max(outW / width, outH / height);
    var cropW = Math.min(width, outW / scale);
    var cropH = Math.min(height, outH / scale);
    var left = Math.min(Math.max(fx * width - cropW / 2, 0), width - cropW);
    var top = Math.min(Math.max(fy * height - cropH / 2, 0), height - cropH);
    return { left: left / width, top: top / height, width: cropW / width, height: cropH / height };
  }

  function fraction(input) {
    var value = parseFloat(input.value);
    return isFinite(value) ? Math.min(1, Math.max(0, value)) : 0.5;
  }

  function percent(value) {
    return value * 100 + "%";
  }

  function render() {
    var fx = fraction(inputX);
    var fy = fraction(inputY);
    var photo = kind.value === "photo";
    picker.classList.toggle("is-photo", photo);
    dot.style.left = percent(fx);
    dot.style.top = percent(fy);
    shapes.forEach(function (shape) {
      var box = crop(shape.width, shape.height, fx, fy);
      shape.box.hidden = !photo;
      shape.box.style.left = percent(box.left);
      shape.box.style.top = percent(box.top);
      shape.box.style.width = percent(box.width);
      shape.box.style.height = percent(box.height);
    });
    readout.textContent = "Focal point: " + Math.round(fx * 100) + "% across, " + Math.round(fy * 100) + "% down.";
  }

  function set(fx, fy) {
    // Two decimals, the fields' step, so the browser accepts the value as it is.
    inputX.value = (Math.round(Math.min(1, Math.max(0, fx)) * 100) / 100).toFixed(2);
    inputY.value = (Math.round(Math.min(1, Math.max(0, fy)) * 100) / 100).toFixed(2);
    render();
  }

  stage.addEventListener("click", function (event) {
    var rect = image.getBoundingClientRect();
    set((event.clientX - rect.left) / rect.width, (event.clientY - rect.top) / rect.height);
  });
  stage.addEventListener("keydown", function (event) {
    var step = event.shiftKey ? 0.1 : 0.01;
    var moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
    if (!moves[event.key]) return;
    event.preventDefault();
    set(fraction(inputX) + moves[event.key][0], fraction(inputY) + moves[event.key][1]);
  });
  [inputX, inputY, kind].forEach(function (field) {
    field.addEventListener("input", render);
    field.addEventListener("change", render);
  });

  picker.hidden = false;
  render();
})();
