/* Charts of the dashboards (ADR 0039), drawn from the tables in the page: every
   <div class="report-chart" data-table="…" data-column="…"> plots the table's column `data-column`
   (raw numbers in data-value) against its row headers. The table stays in the page, folded once the
   chart is drawn; without JavaScript, or if Chart.js failed to load, the open table is the report.
   One series in a dark colour (AA against white, the same in grayscale), values written in the
   tooltip as the table writes them; a holder marked data-stacked draws every value column but the
   last (the total) as stacked bars, one series per column, with a legend. A table whose rows carry
   links (data-keep-open) stays open: its links are the way on. No inline style or script: CSP-safe. */
(function () {
  "use strict";
  var INK = "#1f3a93"; /* --primary: 10:1 against white */
  var GRID = "#767676"; /* --border: 4.5:1 */
  var numbers = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 1 });
  var SUFFIX = { cents: " €", rate: " %", days: " j" };
  /* Series of stacked bars: each at least 3:1 against white (WCAG 1.4.11), told apart by the legend. */
  var PALETTE = ["#1f3a93", "#b3261e", "#1b6e3a", "#8a4b00", "#6a1b9a", "#00607a", "#4d4d4d", "#a0126b"];

  /* Long row names on several lines (Chart.js cuts a single line at the canvas' edge on a phone). */
  function wrap(label) {
    var lines = [], line = "";
    label.split(" ").forEach(function (word) {
      if (line && (line + " " + word).length > 22) { lines.push(line); line = word; } else { line = line ? line + " " + word : word; }
    });
    if (line) { lines.push(line); }
    return lines.length > 1 ? lines : label;
  }

  function read(table, column) {
    var labels = [], values = [], texts = [];
    table.querySelectorAll("tbody tr").forEach(function (row) {
      var head = row.querySelector("th");
      var cell = row.children[column];
      if (!head || !cell || cell.dataset.value === undefined || cell.dataset.value === "") { return; }
      labels.push(head.textContent.trim());
      values.push(Number(cell.dataset.value));
      texts.push(cell.textContent.trim());
    });
    return { labels: labels, values: values, texts: texts };
  }

  /* The value axis counts in French with the unit; the category axis keeps Chart.js' own labels
     (a callback set to undefined would replace them with the rows' indexes). */
  function scales(horizontal, suffix, stacked) {
    var value = {
      beginAtZero: true,
      stacked: stacked,
      grid: { color: GRID },
      ticks: { color: "#1e1e1e", callback: function (v) { return numbers.format(v) + suffix; } }
    };
    var category = { stacked: stacked, grid: { display: false }, ticks: { color: "#1e1e1e" } };
    return horizontal ? { x: value, y: category } : { x: category, y: value };
  }

  function draw(holder) {
    var table = document.getElementById(holder.dataset.table);
    if (!table || typeof window.Chart === "undefined") { return; }
    var column = Number(holder.dataset.column);
    var data = read(table, column);
    if (!data.values.length) { return; }
    var kind = holder.dataset.chart === "line" ? "line" : "bar";
    var horizontal = kind === "bar";
    var summary = document.getElementById(holder.dataset.summary || "");
    var heading = table.querySelectorAll("thead th")[column];
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", (summary ? summary.textContent.trim() + " " : "") +
      "Les valeurs sont dans le tableau des données.");
    holder.appendChild(canvas);
    holder.hidden = false;
    if (horizontal) { holder.style.height = Math.max(12, 3 * data.labels.length + 4) + "rem"; }
    var suffix = SUFFIX[holder.dataset.unit] || "";
    var reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var stacked = holder.hasAttribute("data-stacked");
    var datasets = [{
      label: heading ? heading.textContent.trim() : "",
      data: data.values,
      texts: data.texts,
      backgroundColor: INK,
      borderColor: INK,
      borderWidth: kind === "line" ? 3 : 0,
      pointRadius: kind === "line" ? 4 : 0,
      pointStyle: "rectRot",
      tension: 0
    }];
    if (stacked) {
      var headings = table.querySelectorAll("thead th");
      datasets = [];
      for (var c = 1; c < headings.length - 1; c++) {
        var series = read(table, c);
        datasets.push({
          label: headings[c].textContent.trim(),
          data: series.values,
          texts: series.texts,
          backgroundColor: PALETTE[(c - 1) % PALETTE.length],
          borderWidth: 0
        });
      }
    }
    new window.Chart(canvas, {
      type: kind,
      data: {
        labels: horizontal ? data.labels.map(wrap) : data.labels,
        datasets: datasets
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: reduce ? false : { duration: 300 },
        plugins: {
          legend: { display: stacked, labels: { color: "#1e1e1e" } },
          tooltip: {
            callbacks: {
              label: function (item) {
                var text = item.dataset.texts[item.dataIndex];
                return stacked ? " " + item.dataset.label + " : " + text : " " + text;
              }
            }
          }
        },
        scales: scales(horizontal, suffix, stacked)
      }
    });
    var details = holder.parentElement.querySelector("details.report-data");
    if (details && !details.hasAttribute("data-keep-open")) { details.open = false; }
  }

  function start() { document.querySelectorAll(".report-chart[data-table]").forEach(draw); }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
