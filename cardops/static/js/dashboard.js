/* The dashboard's charts (Apache ECharts, served by the app) and sortable tables. No inline scripts: each chart's
   data comes in its element's data-chart attribute; every point carries the URL of the list it counts. */
(function () {
  "use strict";

  var OUTLET_COLOURS = ["#1f5fa8", "#b3261e", "#1e7b45", "#9a5b00", "#6b3fa0", "#0f7c8c", "#c2185b", "#5d6d1e",
                        "#8d4a2b", "#3e4752", "#2e86de", "#e67e22"];
  var STAGE_COLOURS = ["#9dbce3", "#1f5fa8", "#0f3a66"];
  var LEVEL_COLOURS = { medium: ["#f0b429", "#de911d", "#f7d070"], high: ["#b3261e", "#e25c4b", "#7d1a14"] };
  var RECENCY_COLOURS = { ok: "#1e7b45", warn: "#de911d", danger: "#b3261e", never: "#7d1a14" };

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" }[c];
    });
  }

  function formatNumber(value, unit) {
    if (value === null || value === undefined) { return "—"; }
    return (Math.round(value * 100) / 100).toLocaleString() + " " + unit;
  }

  // Plain-text tooltips: ECharts' default markers carry inline styles, which the CSP refuses.
  function tooltip(spec, lines) {
    return {
      trigger: spec.horizontal ? "item" : "axis",
      axisPointer: { type: "shadow" },
      confine: true,
      formatter: function (params) {
        return lines(Array.isArray(params) ? params : [params]).map(escapeHtml).join("<br>");
      }
    };
  }

  function barOptions(spec, name) {
    var flagCounts = { medium: 0, high: 0 };
    var series = spec.series.map(function (s, i) {
      var options = { name: s.name, type: "bar", data: s.data, barMaxWidth: spec.horizontal ? 22 : 36,
                      emphasis: { focus: "series" } };
      if (spec.stacked) { options.stack = "total"; }
      if (name === "turnaround") { options.itemStyle = { color: STAGE_COLOURS[i % STAGE_COLOURS.length] }; }
      if (name === "flags") {
        var family = LEVEL_COLOURS[s.level] || LEVEL_COLOURS.high;
        options.itemStyle = { color: family[flagCounts[s.level]++ % family.length] };
      }
      if (name === "training") {
        options.data = s.data.map(function (point) {
          return Object.assign({}, point, { itemStyle: { color: RECENCY_COLOURS[point.level] } });
        });
        options.label = { show: true, position: "right", formatter: function (p) { return p.data.label; } };
      }
      return options;
    });
    if (name === "requests") { series.forEach(function (s, i) { s.itemStyle = { color: OUTLET_COLOURS[i % OUTLET_COLOURS.length] }; }); }
    var category = { type: "category", data: spec.categories, inverse: spec.horizontal,
                     axisLabel: { interval: spec.horizontal ? 0 : "auto" } };
    var value = { type: "value", minInterval: name === "turnaround" ? 0 : 1 };
    return {
      tooltip: tooltip(spec, function (params) {
        var p = params[0], d = p.data || {};
        if (name === "requests") {
          var total = 0;
          var rows = params.map(function (q) { total += q.value || 0; return q.seriesName + "：" + q.value; });
          return [p.name + "　" + spec.words.total + " " + total + " " + spec.unit].concat(rows);
        }
        if (name === "training") {
          return [p.name, spec.series[0].name + "：" + (d.level === "never" ? d.label : p.value + " " + spec.unit),
                  d.level === "never" ? "" : d.label];
        }
        if (name === "turnaround") {
          return [p.name + " · " + p.seriesName, spec.words.median + ": " + formatNumber(p.value, spec.unit),
                  spec.words.p90 + ": " + formatNumber(d.p90, spec.unit)];
        }
        return [p.name, p.seriesName + "：" + p.value + " " + spec.unit];
      }),
      legend: name === "training" ? { show: false } : { type: "scroll", top: 28, left: 0, right: 0 },
      grid: { left: 8, right: name === "training" ? 90 : 16, top: name === "training" ? 40 : 64, bottom: 8,
              containLabel: true },
      xAxis: spec.horizontal ? value : category,
      yAxis: spec.horizontal ? category : value,
      series: series
    };
  }

  function drawChart(element) {
    var spec = JSON.parse(element.getAttribute("data-chart"));
    var name = element.getAttribute("data-chart-name");
    var options = barOptions(spec, name);
    options.title = { text: spec.title, subtext: spec.subtitle, left: 0, top: 0,
                      textStyle: { fontSize: 15 }, subtextStyle: { fontSize: 12 }, itemGap: 4 };
    options.animation = false;
    if (options.legend && options.legend.show !== false) { options.legend.top = 44; options.grid.top = 80; }
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(options);
    chart.on("click", function (params) {
      if (params.data && params.data.url) { window.location.assign(params.data.url); }
    });
    element.setAttribute("data-drawn", "true");
    return chart;
  }

  function initCharts() {
    if (!window.echarts) { return; }
    var charts = Array.prototype.map.call(document.querySelectorAll("[data-chart]"), drawChart);
    var pending = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(pending);
      pending = window.setTimeout(function () { charts.forEach(function (c) { c.resize(); }); }, 120);
    });
    window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  // Sortable tables: a click on a header with data-sort orders the body's rows (the totals stay in the footer).
  function sortValue(row, index, kind) {
    var cell = row.children[index];
    var raw = cell ? cell.getAttribute("data-value") : "";
    if (kind === "number") { return raw === "" || raw === null ? -Infinity : parseFloat(raw); }
    return raw || (cell ? cell.textContent.trim() : "");
  }

  function columnIndex(header) {
    // The header row's cells line up with the body's, counting the cells spanned by the group row above.
    var row = header.parentElement, index = 0;
    for (var i = 0; i < row.children.length && row.children[i] !== header; i++) { index += row.children[i].colSpan; }
    var above = row.previousElementSibling;
    if (above) {
      Array.prototype.forEach.call(above.children, function (cell) { if (cell.rowSpan > 1) { index += 1; } });
    }
    return index;
  }

  function initSorting(table) {
    table.addEventListener("click", function (event) {
      var header = event.target.closest("th[data-sort]");
      if (!header || !table.tHead.contains(header)) { return; }
      var kind = header.getAttribute("data-sort");
      var index = header.rowSpan > 1 ? 0 : columnIndex(header);
      var descending = header.getAttribute("aria-sort") !== "descending";
      if (kind === "text" && !header.hasAttribute("aria-sort")) { descending = false; }
      table.querySelectorAll("th[aria-sort]").forEach(function (th) { th.removeAttribute("aria-sort"); });
      header.setAttribute("aria-sort", descending ? "descending" : "ascending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = sortValue(a, index, kind), y = sortValue(b, index, kind);
        var order = x < y ? -1 : x > y ? 1 : 0;
        return descending ? -order : order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
    table.querySelectorAll("th[data-sort]").forEach(function (th) {
      th.setAttribute("tabindex", "0");
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); th.click(); }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initCharts();
    document.querySelectorAll("table[data-sortable]").forEach(initSorting);
  });
})();
