// @ts-check
/**
 * A survey's charts: 满意率 by service and by building against the target (chart.js from
 * /vendor). Data comes from data-* attributes of each canvas; redrawn after every HTMX swap.
 */

/** @type {Map<string, any>} */
const charts = new Map();

/** @param {string} id */
function draw(id) {
  const canvas = /** @type {HTMLCanvasElement | null} */ (document.getElementById(id));
  const Chart = /** @type {any} */ (window).Chart;
  if (!canvas || !Chart) return;
  const data = JSON.parse(canvas.dataset.chart || "{}");
  const target = Number(canvas.dataset.target || 0);
  charts.get(id)?.destroy();
  charts.set(id, new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels || [],
      datasets: [
        { label: canvas.dataset.valueLabel, data: data.values || [], backgroundColor: "#0b5cad" },
        { label: canvas.dataset.targetLabel, data: (data.labels || []).map(() => target), backgroundColor: "#c7ccd6" },
      ],
    },
    options: { responsive: true, maintainAspectRatio: false, animation: false,
      scales: { y: { beginAtZero: true, suggestedMax: 100, ticks: { callback: (/** @type {number} */ v) => v + "%" } } } },
  }));
}

function drawAll() {
  draw("survey-services");
  draw("survey-buildings");
}

window.addEventListener("load", drawAll);
document.body.addEventListener("htmx:afterSettle", drawAll);
