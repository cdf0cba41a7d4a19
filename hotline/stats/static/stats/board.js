// The stats board: draws the ECharts figures from the json_script the server rendered
// (#board-data), again after every htmx refresh of the panels. No data is fetched here.
(function () {
  "use strict";
  var charts = {};
  var palette = ["#1f4e79", "#e05a2b", "#5b9bd5", "#70ad47", "#ffc000", "#7f6084", "#2e8b8b", "#a5a5a5", "#c0504d", "#4bacc6"];

  function option(name, d) {
    if (name === "volume") {
      var labels = d.volume.map(function (v) { return v.label; });
      return {
        color: palette, tooltip: { trigger: "axis" }, legend: { top: 0, data: ["本期", "去年同期（同星期）"] },
        grid: { left: 48, right: 16, top: 40, bottom: 28 },
        xAxis: { type: "category", data: labels }, yAxis: { type: "value" },
        series: [
          { name: "本期", type: "bar", data: d.volume.map(function (v) { return v.count; }) },
          { name: "去年同期（同星期）", type: "line", smooth: true, connectNulls: false,
            data: d.volume.map(function (v) { return v.last_year; }) }
        ]
      };
    }
    if (name === "channels") {
      return {
        color: palette, tooltip: { trigger: "item" },
        series: [{ type: "pie", radius: ["40%", "70%"],
          data: d.channels.map(function (c) { return { name: c.name, value: c.count }; }) }]
      };
    }
    if (name === "categories") {
      var cats = d.categories.slice(0, 10);
      return {
        color: palette, tooltip: { trigger: "axis" }, legend: { top: 0, data: ["涉疫", "非涉疫"] },
        grid: { left: 96, right: 16, top: 30, bottom: 20 },
        yAxis: { type: "category", inverse: true, data: cats.map(function (c) { return c.name; }) },
        xAxis: { type: "value" },
        series: [
          { name: "涉疫", type: "bar", stack: "n", data: cats.map(function (c) { return c.epidemic; }) },
          { name: "非涉疫", type: "bar", stack: "n", data: cats.map(function (c) { return c.count - c.epidemic; }) }
        ]
      };
    }
    if (name === "pipeline") {
      return {
        color: palette, tooltip: { trigger: "item" },
        series: [{ type: "funnel", sort: "none", left: "4%", width: "52%", top: 10, bottom: 10,
          label: { formatter: function (p) {
            var step = d.pipeline[p.dataIndex];
            return step.name + " " + step.count + (step.median_minutes !== null ? "（中位 " + step.median_minutes + " 分钟）" : "");
          } },
          data: d.pipeline.map(function (s) { return { name: s.name, value: s.count }; }) }]
      };
    }
    if (name === "overdue") {
      var rows = d.overdue.slice(0, 10);
      return {
        color: ["#c0504d", "#f2864f"], tooltip: { trigger: "axis" }, legend: { top: 0, data: ["超时工单", "仍在办"] },
        grid: { left: 150, right: 16, top: 30, bottom: 20 },
        yAxis: { type: "category", inverse: true, data: rows.map(function (r) { return r.unit; }) },
        xAxis: { type: "value", minInterval: 1 },
        series: [
          { name: "超时工单", type: "bar", data: rows.map(function (r) { return r.orders; }) },
          { name: "仍在办", type: "bar", data: rows.map(function (r) { return r.open; }) }
        ]
      };
    }
    return null;
  }

  function draw() {
    var source = document.getElementById("board-data");
    if (!source || !window.echarts) { return; }
    var d = JSON.parse(source.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var name = el.getAttribute("data-chart");
      var old = charts[name];
      if (old && old.getDom() !== el) { old.dispose(); old = null; }
      var chart = old || window.echarts.init(el, null, { renderer: "canvas" });
      charts[name] = chart;
      chart.setOption(option(name, d), true);
      el.setAttribute("data-drawn", "1");
    });
  }

  document.addEventListener("DOMContentLoaded", draw);
  document.body && document.body.addEventListener("htmx:afterSwap", draw);
  document.addEventListener("htmx:afterSwap", draw);
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (k) { charts[k].resize(); });
  });
})();
