// @ts-check
/**
 * The KPI chart: bars of each KPI's value against its target (chart.js from /vendor).
 * Data comes from data-* attributes of the canvas; redrawn after every HTMX swap.
 */

/** @type {any} */
let chart = null;

function draw() {
  const canvas = /** @type {HTMLCanvasElement | null} */ (document.getElementById("kpi-chart"));
  const Chart = /** @type {any} */ (window).Chart;
  if (!canvas || !Chart) return;
  const data = JSON.parse(canvas.dataset.chart || "{}");
  const names = JSON.parse(canvas.dataset.names || "[]");
  if (chart) chart.destroy();
  chart = new Chart(canvas, {
    type: "bar",
    data: {
      labels: names,
      datasets: [
        { label: canvas.dataset.valueLabel, data: data.values, backgroundColor: "#0b5cad" },
        { label: canvas.dataset.targetLabel, data: data.targets, backgroundColor: "#c7ccd6" },
      ],
    },
    options: { responsive: true, maintainAspectRatio: false, animation: false,
      scales: { y: { beginAtZero: true, suggestedMax: 100, ticks: { callback: (/** @type {number} */ v) => v + "%" } } } },
  });
}

window.addEventListener("load", draw);
document.body.addEventListener("htmx:afterSettle", draw);
