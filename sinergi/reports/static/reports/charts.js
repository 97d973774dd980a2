// Draws every chart of a report page with Chart.js from the JSON the server put in #chart-data.
// The same numbers are in the table under each chart; the canvas is only a picture of them.
(function () {
  "use strict";
  var COLOURS = ["#e1602f", "#1d4ed8", "#15803d", "#a16207", "#7c3aed"];
  function draw() {
    var source = document.getElementById("chart-data");
    if (!source || typeof window.Chart === "undefined") { return; }
    var charts = JSON.parse(source.textContent);
    charts.forEach(function (chart) {
      var canvas = document.querySelector('canvas[data-chart="' + chart.key + '"]');
      if (!canvas) { return; }
      var horizontal = chart.kind === "hbar";
      new window.Chart(canvas, {
        type: chart.kind === "line" ? "line" : "bar",
        data: {
          labels: chart.labels,
          datasets: chart.series.map(function (serie, i) {
            return { label: serie.label, data: serie.values, backgroundColor: COLOURS[i % COLOURS.length],
                     borderColor: COLOURS[i % COLOURS.length], tension: 0.2 };
          })
        },
        options: {
          indexAxis: horizontal ? "y" : "x",
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          plugins: { legend: { display: chart.series.length > 1 } },
          scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { beginAtZero: true, ticks: { precision: 0 } } }
        }
      });
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
