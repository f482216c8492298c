/*
 * Draws every chart a page carries, and the dashboard's small enhancements.
 *
 * A chart is an element with data-chart="<id>", where <id> is a JSON script element holding
 * a plotly figure ({data, layout}), as the include dashboard/includes/chart.html writes them.
 * Load plotly.min.js first, then this file; no inline script is needed, so a strict
 * Content-Security-Policy can forbid inline code.
 */
(function () {
  "use strict";

  function plotConfig(element) {
    var filename = element.getAttribute("data-filename") || "chart";
    return {
      responsive: true,
      displaylogo: false,
      scrollZoom: false,
      doubleClick: false,
      showTips: false,
      // One button: save the chart as a picture, with a title in the page's language.
      modeBarButtons: [
        [
          {
            name: "download-image",
            title: element.getAttribute("data-download-label") || "Download",
            icon: window.Plotly.Icons.camera,
            click: function (graph) {
              window.Plotly.downloadImage(graph, {
                format: "png",
                filename: filename,
                scale: 2,
              });
            },
          },
        ],
      ],
    };
  }

  // A point's link: its customdata when that is a path on this site.
  function linkOf(point) {
    var link = point.customdata;
    if (link === undefined && Array.isArray(point.pointNumber) && point.data.customdata) {
      var row = point.data.customdata[point.pointNumber[0]];
      link = row ? row[point.pointNumber[1]] : undefined;
    }
    return typeof link === "string" && link.charAt(0) === "/" && link.charAt(1) !== "/"
      ? link
      : null;
  }

  function followLinks(graph, newWindow) {
    graph.on("plotly_click", function (event) {
      var point = event && event.points && event.points[0];
      var link = point ? linkOf(point) : null;
      if (!link) {
        return;
      }
      if (newWindow) {
        window.open(link, "_blank", "noopener");
      } else {
        window.location.assign(link);
      }
    });
  }

  // Below this width (in CSS pixels) a chart whose figure carries short tick labels
  // (layout.meta.shortTicktext: "FY24", "24年度") shows them: the full ones collide on a phone.
  var NARROW_CHART = 600;

  function isNarrow(element) {
    return element.clientWidth > 0 && element.clientWidth < NARROW_CHART;
  }

  // Switches a drawn chart between its short and full tick labels as its width changes.
  function fitTicks(graph, fullTicks, shortTicks) {
    var narrow = isNarrow(graph);
    if (graph.getAttribute("data-short-ticks") === String(narrow)) {
      return;
    }
    graph.setAttribute("data-short-ticks", String(narrow));
    window.Plotly.relayout(graph, { "xaxis.ticktext": narrow ? shortTicks : fullTicks });
  }

  // Lets a drawn chart be scaled as a picture: each of plotly's SVG layers gets a viewBox of
  // its own size, and the chart its proportions, so the print stylesheet can fit the chart to
  // the paper's width instead of cutting off what lies beyond it (plotly draws at the screen's).
  function keepScalable(graph) {
    var container = graph.querySelector(".svg-container");
    var layers = graph.querySelectorAll("svg.main-svg");
    if (!container || !layers.length) {
      return;
    }
    var width = Number(layers[0].getAttribute("width"));
    var height = Number(layers[0].getAttribute("height"));
    if (!width || !height) {
      return;
    }
    Array.prototype.forEach.call(layers, function (layer) {
      layer.setAttribute("viewBox", "0 0 " + width + " " + height);
      layer.setAttribute("preserveAspectRatio", "xMinYMin meet");
    });
    container.style.aspectRatio = width + " / " + height;
  }

  function draw(element) {
    var source = document.getElementById(element.getAttribute("data-chart"));
    if (!source || element.getAttribute("data-drawn")) {
      return;
    }
    var figure = JSON.parse(source.textContent);
    var layout = figure.layout || {};
    var shortTicks = layout.meta && layout.meta.shortTicktext;
    var fullTicks = layout.xaxis && layout.xaxis.ticktext;
    if (shortTicks && fullTicks) {
      var narrow = isNarrow(element);
      element.setAttribute("data-short-ticks", String(narrow));
      if (narrow) {
        layout.xaxis.ticktext = shortTicks;
      }
    }
    element.setAttribute("data-drawn", "true");
    element.textContent = "";
    window.Plotly.newPlot(element, figure.data || [], layout, plotConfig(element)).then(
      function (graph) {
        followLinks(graph, element.getAttribute("data-chart-links") === "new-window");
        element.classList.add("chart-plot--drawn");
        keepScalable(graph);
        graph.on("plotly_afterplot", function () {
          keepScalable(graph);
        });
        if (shortTicks && fullTicks) {
          var pending = null;
          window.addEventListener("resize", function () {
            window.clearTimeout(pending);
            pending = window.setTimeout(function () {
              fitTicks(graph, fullTicks, shortTicks);
            }, 150);
          });
        }
      }
    );
  }

  function drawAll() {
    if (!window.Plotly) {
      return;
    }
    Array.prototype.forEach.call(document.querySelectorAll("[data-chart]"), draw);
  }

  // Filter forms: submit on every change, and leave empty fields out of the URL.
  function enhanceForm(form) {
    form.addEventListener("change", function () {
      if (form.requestSubmit) {
        form.requestSubmit();
      } else {
        form.submit();
      }
    });
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field.name && field.value === "") {
          field.disabled = true;
        }
      });
    });
    // Coming back through the history must not find the fields still disabled.
    window.addEventListener("pageshow", function () {
      Array.prototype.forEach.call(form.elements, function (field) {
        field.disabled = false;
      });
    });
  }

  // Embed code: a button that copies it.
  function addCopyButton(textarea) {
    var button = document.createElement("button");
    var label = textarea.getAttribute("data-copy-label") || "Copy";
    button.type = "button";
    button.className = "btn btn-small";
    button.textContent = label;
    button.addEventListener("click", function () {
      textarea.select();
      var done = function () {
        button.textContent = textarea.getAttribute("data-copied-label") || label;
        window.setTimeout(function () {
          button.textContent = label;
        }, 2000);
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(textarea.value).then(done, function () {});
      } else if (document.execCommand && document.execCommand("copy")) {
        done();
      }
    });
    textarea.insertAdjacentElement("afterend", button);
  }

  function start() {
    drawAll();
    Array.prototype.forEach.call(document.querySelectorAll("form[data-autosubmit]"), enhanceForm);
    Array.prototype.forEach.call(document.querySelectorAll("textarea.embed-snippet"), addCopyButton);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

/*
 * The case map (cases/maps.py): a label that names the shape under the pointer or with the
 * keyboard focus, with its number of cases. The map works without it: each shape is a link
 * with an accessible name and a <title>.
 */
(function () {
  "use strict";

  function setUp(map) {
    var tip = map.querySelector(".us-map-tooltip");
    if (!tip) return;

    function show(shape, x, y) {
      var box = map.getBoundingClientRect();
      tip.textContent = shape.getAttribute("data-label");
      tip.classList.add("is-shown");
      // Kept inside the map: the label is centred on the point, at most to the map's edges.
      var half = Math.min(tip.offsetWidth, box.width) / 2;
      var left = Math.min(Math.max(x - box.left, half), box.width - half);
      tip.style.left = left + "px";
      tip.style.top = Math.max(y - box.top, 30) + "px";
      tip.classList.add("is-shown");
    }

    function hide() {
      tip.classList.remove("is-shown");
    }

    map.addEventListener("mousemove", function (event) {
      var shape = event.target.closest(".us-map-shape");
      if (shape) show(shape, event.clientX, event.clientY);
      else hide();
    });
    map.addEventListener("mouseleave", hide);
    map.addEventListener("focusin", function (event) {
      var shape = event.target.closest(".us-map-shape");
      if (!shape) return;
      var rect = shape.getBoundingClientRect();
      show(shape, rect.left + rect.width / 2, rect.top + rect.height / 2);
    });
    map.addEventListener("focusout", hide);
  }

  function start() {
    document.querySelectorAll(".us-map").forEach(setUp);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
