// Focal point picker: a click on the picture (or the arrow keys on it) sets the focal point
// fields, and a box per output shape shows what each cover crop keeps, computed the way
// assets/renditions/engine/plan.py `plan_preset` crops photos (and illustrations without a keep box).
// Below it, a box dragged for one size is that size's crop override (or the keep box), grown
// to the slot's shape as plan.py `_slot_shaped` does, and previewed next to the picture.
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
    readout.textContent = interpolate(gettext("Focal point: %(across)s%% across, %(down)s%% down."), { across: Math.round(fx * 100), down: Math.round(fy * 100) }, true);
  }

  function set(fx, fy) {
    // Two decimals, the fields' step, so the browser accepts the value as it is.
    inputX.value = (Math.round(Math.min(1, Math.max(0, fx)) * 100) / 100).toFixed(2);
    inputY.value = (Math.round(Math.min(1, Math.max(0, fy)) * 100) / 100).toFixed(2);
    render();
  }

  var dragged = false; // the click that ends a drag of the crop box is not a focal point
  stage.addEventListener("click", function (event) {
    if (dragged) {
      dragged = false;
      return;
    }
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

  // --- crop override and keep box -----------------------------------------------------------
  var override = picker.querySelector("[data-crop-override]");
  var select = override.querySelector("[data-crop-target]");
  var preview = override.querySelector("[data-crop-preview]");
  var reset = override.querySelector("[data-crop-reset]");
  var overridesInput = document.getElementById("id_crop_overrides");
  var keepInput = document.getElementById("id_keep_box");
  var textInput = document.getElementById("id_text_box");
  var overrides = parseJSON(overridesInput.value) || {};
  var keep = parseJSON(keepInput.value);
  var text = parseJSON(textInput.value);
  var drag = document.createElement("span");
  drag.className = "crop-drag";
  drag.hidden = true;
  drag.setAttribute("data-crop-drag", "");
  var handle = document.createElement("span");
  handle.className = "crop-handle";
  drag.appendChild(handle);
  stage.appendChild(drag);

  function parseJSON(text) {
    try {
      return text ? JSON.parse(text) : null;
    } catch (error) {
      return null;
    }
  }

  function chosen() {
    var option = select.options[select.selectedIndex];
    if (!option || !option.value) return null;
    if (option.value === "keep" || option.value === "text") return { slug: option.value, aspect: null };
    // The slot's shape in picture fractions: w/h of the box, in fractions, not pixels.
    var aspect = (Number(option.getAttribute("data-width")) / Number(option.getAttribute("data-height"))) * (height / width);
    return { slug: option.value, aspect: aspect };
  }

  function slotShaped(box, aspect) {
    // Mirrors plan.py _slot_shaped: grow to the slot's shape around the centre, keep inside.
    var w = box.w;
    var h = box.h;
    if (aspect) {
      if (w / h > aspect) h = w / aspect;
      else w = h * aspect;
      if (w > 1) {
        w = 1;
        h = 1 / aspect;
      }
      if (h > 1) {
        h = 1;
        w = aspect;
      }
    }
    var cx = box.x + box.w / 2;
    var cy = box.y + box.h / 2;
    return {
      x: Math.min(Math.max(cx - w / 2, 0), 1 - w),
      y: Math.min(Math.max(cy - h / 2, 0), 1 - h),
      w: w,
      h: h,
    };
  }

  function current(target) {
    if (target.slug === "keep") return keep;
    if (target.slug === "text") return text;
    return overrides[target.slug];
  }

  function automatic(target) {
    if (target.slug === "keep") return { x: 0.1, y: 0.1, w: 0.8, h: 0.8 };
    if (target.slug === "text") return { x: 0.35, y: 0.65, w: 0.6, h: 0.3 };
    var option = select.options[select.selectedIndex];
    var box = crop(Number(option.getAttribute("data-width")), Number(option.getAttribute("data-height")), fraction(inputX), fraction(inputY));
    return { x: box.left, y: box.top, w: box.width, h: box.height };
  }

  function round(box) {
    var out = {};
    ["x", "y", "w", "h"].forEach(function (key) {
      out[key] = Math.round(box[key] * 10000) / 10000;
    });
    return out;
  }

  function store(target, box) {
    if (target.slug === "keep") keep = box;
    else if (target.slug === "text") text = box;
    else if (box) overrides[target.slug] = box;
    else delete overrides[target.slug];
    overridesInput.value = JSON.stringify(overrides);
    keepInput.value = keep ? JSON.stringify(keep) : "";
    textInput.value = text ? JSON.stringify(text) : "";
  }

  function show() {
    var target = chosen();
    drag.hidden = preview.hidden = reset.hidden = !target;
    if (!target) return;
    var box = current(target) || automatic(target);
    drag.style.left = percent(box.x);
    drag.style.top = percent(box.y);
    drag.style.width = percent(box.w);
    drag.style.height = percent(box.h);
    // The preview shows exactly that part of the picture, in the slot's shape.
    var option = select.options[select.selectedIndex];
    preview.style.aspectRatio = target.aspect ? option.getAttribute("data-width") + " / " + option.getAttribute("data-height") : box.w * width + " / " + box.h * height;
    preview.style.backgroundImage = "url(" + JSON.stringify(image.currentSrc || image.src) + ")";
    preview.style.backgroundSize = 100 / box.w + "% " + 100 / box.h + "%";
    preview.style.backgroundPosition = (box.w < 1 ? (box.x / (1 - box.w)) * 100 : 0) + "% " + (box.h < 1 ? (box.y / (1 - box.h)) * 100 : 0) + "%";
    preview.setAttribute("data-box", JSON.stringify(round(box)));
  }

  function startDrag(event, resizing) {
    var target = chosen();
    if (!target) return;
    event.preventDefault();
    event.stopPropagation();
    var rect = image.getBoundingClientRect();
    var start = { x: event.clientX, y: event.clientY, box: current(target) || automatic(target) };
    function move(moved) {
      dragged = true;
      var dx = (moved.clientX - start.x) / rect.width;
      var dy = (moved.clientY - start.y) / rect.height;
      var box = start.box;
      var next;
      if (resizing) {
        var w = Math.max(0.02, box.w + dx);
        var h = target.aspect ? w / target.aspect : Math.max(0.02, box.h + dy);
        next = slotShaped({ x: box.x + (w - box.w) / 2, y: box.y + (h - box.h) / 2, w: w, h: h }, target.aspect);
      } else {
        next = slotShaped({ x: box.x + dx, y: box.y + dy, w: box.w, h: box.h }, target.aspect);
      }
      store(target, round(next));
      show();
    }
    function end() {
      window.removeEventListener("pointermove", move);
      window.removeEventListener("pointerup", end);
      // A click follows only when the pointer went up inside the picture.
      window.setTimeout(function () {
        dragged = false;
      }, 0);
    }
    window.addEventListener("pointermove", move);
    window.addEventListener("pointerup", end);
  }

  // The keyboard does what the mouse does: arrows move the box, Shift and arrows resize it.
  drag.tabIndex = 0;
  drag.setAttribute("role", "group");
  drag.setAttribute("aria-label", gettext("The box: arrow keys move it, Shift and the arrow keys resize it"));
  drag.addEventListener("keydown", function (event) {
    var target = chosen();
    var moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
    if (!target || !moves[event.key]) return;
    event.preventDefault();
    event.stopPropagation(); // not the focal point's keys
    var step = 0.01;
    var dx = moves[event.key][0] * step;
    var dy = moves[event.key][1] * step;
    var box = current(target) || automatic(target);
    var next;
    if (event.shiftKey) {
      var w = Math.max(0.02, box.w + dx);
      var h = target.aspect ? w / target.aspect : Math.max(0.02, box.h + dy);
      if (target.aspect && !dx) w = Math.max(0.02, box.w + dy * target.aspect);
      if (target.aspect && !dx) h = w / target.aspect;
      next = slotShaped({ x: box.x, y: box.y, w: Math.min(w, 1 - box.x), h: Math.min(h, 1 - box.y) }, target.aspect);
    } else {
      next = slotShaped({ x: box.x + dx, y: box.y + dy, w: box.w, h: box.h }, target.aspect);
    }
    store(target, round(next));
    show();
  });

  drag.addEventListener("pointerdown", function (event) {
    startDrag(event, event.target === handle);
  });
  select.addEventListener("change", show);
  reset.addEventListener("click", function () {
    var target = chosen();
    if (target) store(target, null);
    show();
  });

  picker.hidden = false;
  render();
})();
