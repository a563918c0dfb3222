// notecheck audit report: charts (Chart.js, inlined above), sortable and filterable notes table,
// and opening a note's evidence when its link is followed. No network access is needed.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var colors = { met: "#2e7d32", partial: "#b26a00", missing: "#c62828", na: "#8a94a6",
                 high: "#c62828", medium: "#e08a00", low: "#5c7cbc", ready: "#2e7d32" };

  function chart(id, config) {
    var canvas = document.getElementById(id);
    if (!canvas || typeof Chart === "undefined") return;
    config.options = Object.assign({ animation: false, responsive: true, maintainAspectRatio: false }, config.options || {});
    new Chart(canvas, config);
  }

  chart("chart-outcomes", {
    type: "doughnut",
    data: { labels: data.outcomes.labels,
            datasets: [{ data: data.outcomes.values, backgroundColor: [colors.ready, colors.partial, colors.na, colors.missing] }] },
    options: { plugins: { legend: { position: "right" } } }
  });

  chart("chart-scores", {
    type: "bar",
    data: { labels: data.histogram.labels,
            datasets: [{ label: "implant-removal notes", data: data.histogram.values, backgroundColor: "#2456a6" }] },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
  });

  chart("chart-gaps", {
    type: "bar",
    data: { labels: data.gaps.labels,
            datasets: [{ label: "partial %", data: data.gaps.partial, backgroundColor: colors.partial },
                       { label: "missing %", data: data.gaps.missing, backgroundColor: colors.missing }] },
    options: { indexAxis: "y", scales: { x: { stacked: true, min: 0, max: 100 }, y: { stacked: true } } }
  });

  chart("chart-risks", {
    type: "bar",
    data: { labels: data.risks.labels,
            datasets: ["high", "medium", "low"].map(function (sev) {
              return { label: sev, backgroundColor: colors[sev],
                       data: data.risks.labels.map(function (_, i) { return data.risks.severity[i] === sev ? data.risks.notes[i] : 0; }) };
            }) },
    options: { indexAxis: "y", scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } } }
  });

  // Sorting: numbers by their data-v value, text case-insensitively; a second click reverses.
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var headers = table.querySelectorAll("thead th");
    headers.forEach(function (th, col) {
      th.tabIndex = 0;
      function sort() {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var numeric = th.classList.contains("num") || th.classList.contains("rank");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        function key(row) {
          var cell = row.cells[col];
          var v = cell.hasAttribute("data-v") ? cell.getAttribute("data-v") : cell.textContent;
          return numeric ? (v === "" ? -Infinity : parseFloat(v)) : v.toLowerCase();
        }
        rows.sort(function (a, b) {
          var ka = key(a), kb = key(b);
          var c = ka < kb ? -1 : ka > kb ? 1 : 0;
          return asc ? c : -c;
        });
        var frag = document.createDocumentFragment();
        rows.forEach(function (r) { frag.appendChild(r); });
        body.appendChild(frag);
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sort(); } });
    });
  });

  var filter = document.getElementById("notes-filter");
  if (filter) {
    filter.addEventListener("input", function () {
      var q = filter.value.trim().toLowerCase();
      document.querySelectorAll("#notes-table tbody tr").forEach(function (row) {
        row.hidden = q !== "" && row.textContent.toLowerCase().indexOf(q) === -1;
      });
    });
  }

  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (el && el.tagName === "DETAILS") { el.open = true; el.scrollIntoView(); }
  }
  window.addEventListener("hashchange", openTarget);
  openTarget();
})();
