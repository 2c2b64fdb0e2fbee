// The operations page's charts: one uPlot line chart per series, a line per key, drawn from the
// page's own JSON (#overview-data); the tables beside them hold the same totals without script.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("overview-data");
    if (!source || typeof uPlot === "undefined") return;
    var seen = JSON.parse(source.textContent);
    var xs = seen.buckets.map(function (b) { return Date.parse(b) / 1000; });
    var colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
                   "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];
    seen.series.forEach(function (s) {
      var box = document.querySelector('.chart[data-series="' + s.name + '"]');
      if (!box || !s.lines.length) return;
      var data = [xs].concat(s.lines.map(function (l) { return l.values; }));
      var lines = [{}].concat(s.lines.map(function (l, n) {
        return {label: l.key || "all", stroke: colours[n % colours.length], width: 1.5};
      }));
      var chart = new uPlot({
        width: Math.max(320, Math.min(900, box.clientWidth || 640)), height: 180,
        series: lines, scales: {x: {time: true}},
        axes: [{}, {size: 50}], legend: {live: false},
      }, data, box);
      box.dataset.drawn = String(chart.series.length - 1);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
