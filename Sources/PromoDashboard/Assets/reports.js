// Reports (sales by a dimension over a date range, a day's reconciliation; each downloadable as CSV) and
// operations (the projections: version, position, lag, state; rebuild with live progress).
"use strict";

/// Today (or `days` from it) as a calendar day in Asia/Shanghai, the days reports are kept in.
function shanghaiDay(days) {
  const date = new Date(Date.now() + (days || 0) * 86400000);
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit" }).format(date);
}

/// Downloads `path` with format=csv: fetched with the key (a link cannot send the Bearer header), saved under
/// the name the server gives.
async function downloadCSV(path, fallbackName, status) {
  status.textContent = "";
  try {
    const response = await fetch(path + (path.includes("?") ? "&" : "?") + "format=csv", { headers: { Authorization: "Bearer " + state.key } });
    if (!response.ok) throw new APIError(response.status, await response.json().catch(() => ({})));
    const disposition = response.headers.get("Content-Disposition") || "";
    const name = (/filename="([^"]+)"/.exec(disposition) || [])[1] || fallbackName;
    const url = URL.createObjectURL(await response.blob());
    const link = el("a", { href: url, download: name, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    status.textContent = t("reports.downloaded") + " " + name;
  } catch (error) {
    status.textContent = t("error.load") + error.message;
  }
}

VIEWS.reports = async function reports(view) {
  const sales = section("reports.sales", "sales");
  const reconciliation = section("reports.reconciliation", "reconciliation");
  view.append(sales.card, reconciliation.card);

  const saved = JSON.parse(sessionStorage.getItem("promo.reports") || "{}");
  const from = el("input", { type: "date", id: "sales-from", value: saved.from || shanghaiDay(-6) });
  const to = el("input", { type: "date", id: "sales-to", value: saved.to || shanghaiDay(0) });
  const groupBy = el("select", { id: "sales-group" }, ...["product", "category", "region", "store", "channel", "segment"].map((g) =>
    el("option", { value: g, selected: g === (saved.groupBy || "category"), text: t("reports.by." + g) })));
  const salesStatus = el("span", { class: "muted", role: "status" });
  const salesChart = el("div");
  const salesTable = el("div", { class: "scroll tall" });
  const salesPath = () => "/v1/reports/sales?from=" + from.value + "&to=" + to.value + "&groupBy=" + groupBy.value;
  const drawSales = chartIn(salesChart, { type: "bar", label: t("reports.sales"), scales: { y: { beginAtZero: true } } });
  sales.body.append(
    el("form", { class: "filters", id: "sales-form", onsubmit: (event) => { event.preventDefault(); loadSales(); } },
      field("reports.from", from, "from"), field("reports.to", to, "to"), field("reports.groupBy", groupBy, "groupBy"),
      el("div", { class: "actions" }, el("button", { type: "submit", text: t("reports.run") }),
        el("button", { type: "button", class: "button secondary", id: "sales-csv", text: t("reports.csv"), onclick: () => downloadCSV(salesPath(), "sales.csv", salesStatus) }),
        salesStatus)),
    salesChart, salesTable);

  async function loadSales() {
    sessionStorage.setItem("promo.reports", JSON.stringify({ from: from.value, to: to.value, groupBy: groupBy.value }));
    let report;
    try { report = await api(salesPath()); } catch (error) { salesTable.replaceChildren(errorText(error)); return; }
    const rows = report.rows || [];
    // The chart sums the range per key; the table keeps each day.
    const byKey = new Map();
    for (const row of rows) {
      const total = byKey.get(row.key) || { name: row.name || row.key, netFen: 0, discountFen: 0 };
      total.netFen += row.netFen; total.discountFen += row.discountFen;
      byKey.set(row.key, total);
    }
    const keys = [...byKey.values()].sort((a, b) => b.netFen - a.netFen).slice(0, 20);
    drawSales(keys.map((k) => k.name), [
      { label: t("reports.net"), data: keys.map((k) => k.netFen / 100), backgroundColor: "#c8102e" },
      { label: t("col.discount"), data: keys.map((k) => k.discountFen / 100), backgroundColor: "#bf8700" },
    ]);
    salesTable.replaceChildren(rows.length === 0 ? el("p", { class: "muted", text: t("reports.empty") }) :
      table("sales-rows", [["reports.day"], ["reports.key"], ["reports.units", "num"], ["col.gmv", "num"], ["col.discount", "num"], ["reports.net", "num"], ["col.refunded", "num hide-narrow"]],
        rows.map((row) => [row.day, row.name && row.name !== row.key ? row.name + " (" + row.key + ")" : row.key, row.units, yuan(row.gmvFen), yuan(row.discountFen), yuan(row.netFen), yuan(row.refundFen)])));
  }

  const day = el("input", { type: "date", id: "reconciliation-date", value: shanghaiDay(0) });
  const reconciliationStatus = el("span", { class: "muted", role: "status" });
  const reconciliationBody = el("div");
  const reconciliationPath = () => "/v1/reports/reconciliation?date=" + day.value;
  reconciliation.body.append(
    el("form", { class: "filters", onsubmit: (event) => { event.preventDefault(); loadReconciliation(); } },
      field("reports.date", day, "date"),
      el("div", { class: "actions" }, el("button", { type: "submit", text: t("reports.run") }),
        el("button", { type: "button", class: "button secondary", id: "reconciliation-csv", text: t("reports.csvMismatches"), onclick: () => downloadCSV(reconciliationPath(), "reconciliation.csv", reconciliationStatus) }),
        reconciliationStatus)),
    reconciliationBody);

  async function loadReconciliation() {
    let report;
    try { report = await api(reconciliationPath()); } catch (error) { reconciliationBody.replaceChildren(errorText(error)); return; }
    const totals = report.totals || {};
    const mismatches = report.mismatches || [];
    reconciliationBody.replaceChildren(
      el("p", {}, el("span", { class: "status " + (report.ok ? "active" : "bad"), id: "reconciliation-ok", text: t(report.ok ? "reports.balanced" : "reports.unbalanced") }),
        " " + t("reports.entries") + " " + (totals.entries || 0)),
      el("div", { class: "tiles small" },
        tile("payments", "reports.payments", yuan(totals.paymentsFen)), tile("refunds", "reports.refunds", yuan(totals.refundsFen)),
        tile("netCash", "reports.netCash", yuan(totals.netCashFen)), tile("netRevenue", "reports.netRevenue", yuan(totals.netRevenueFen)),
        tile("points", "reports.pointsLiability", yuan(totals.pointsLiabilityFen))),
      el("h3", { text: t("reports.byCampaign") }),
      table("reconciliation-campaigns", [["col.campaign"], ["reports.costKind"], ["reports.amount", "num"]],
        (report.byCampaign || []).map((row) => [row.campaignId || "—", row.costKind, yuan(row.amountFen)])),
      el("h3", { text: t("reports.mismatches") }),
      mismatches.length === 0 ? el("p", { class: "muted", id: "no-mismatches", text: t("reports.noMismatches") }) :
        el("ul", { class: "alerts", id: "mismatches" }, ...mismatches.map((m) => el("li", {}, el("span", { class: "kind", text: m.check + " " }),
          el("span", { text: [m.orderId, m.refundId, m.campaignId].filter(Boolean).join(" · ") }), el("div", { class: "muted", text: m.message })))));
  }

  await Promise.all([loadSales(), loadReconciliation()]);
  return () => Promise.all([loadSales(), loadReconciliation()]);
};

VIEWS.operations = async function operations(view) {
  const card = section("ops.projections", "projections");
  view.append(card.card);
  let timer = null;

  async function refresh() {
    let status;
    try { status = await api("/v1/projections"); } catch (error) { card.fill(errorText(error)); return; }
    const items = status.projections || [];
    const rows = items.map((item) => {
      const rebuild = item.rebuild;
      let progress = null;
      if (rebuild) {
        const percent = rebuild.eventsTotal > 0 ? Math.min(100, (100 * rebuild.eventsDone) / rebuild.eventsTotal) : 0;
        progress = el("div", { class: "progress", "data-field": "rebuild" },
          el("div", { class: "burn" }, el("div", { class: "fill", style: "width:" + percent + "%" })),
          el("div", { class: "burn-label", text: t("ops.generation") + " " + rebuild.generation + " · v" + rebuild.version + " · " +
            rebuild.eventsDone + " / " + rebuild.eventsTotal + " (" + percent.toFixed(0) + "%)" }));
      }
      const button = can("operate") && !rebuild ? el("button", {
        type: "button", class: "button small secondary", "data-rebuild": item.name, text: t("ops.rebuildNow"),
        onclick: async (event) => {
          event.target.disabled = true;
          try { await api("/v1/projections/" + encodeURIComponent(item.name) + "/rebuild", { method: "POST", body: {} }); } catch (error) { alert(error.message); }
          refresh();
        },
      }) : null;
      const state = item.status + (item.workerRunning ? "" : " · " + t("ops.noWorker")) + (item.parked && item.parked.length ? " · " + t("ops.parked") + " " + item.parked.length : "");
      return el("tr", { "data-projection": item.name },
        el("td", {}, el("strong", { text: item.name }), el("div", { class: "muted", text: t("ops.generation") + " " + item.generation })),
        el("td", { class: "num", text: "v" + item.version }),
        el("td", { class: "num hide-narrow", "data-field": "position", text: String(item.position) }),
        el("td", { class: "num", "data-field": "lag", text: item.lagEvents + " · " + Number(item.lagSeconds || 0).toFixed(1) + " s" }),
        el("td", {}, el("span", { class: "status " + (item.status === "failed" ? "bad" : item.status === "running" ? "active" : ""), "data-field": "status", text: state })),
        el("td", {}, progress || button || ""));
    });
    card.fill(el("div", { class: "scroll" }, tableOf("projection-table", [["ops.name"], ["ops.version", "num"],
      ["ops.position", "num hide-narrow"], ["ops.lag", "num"], ["col.status"], ["ops.rebuild"]], rows)));
    // A rebuild moves a generation that is not live yet, which /v1/live does not report: follow it every second.
    clearTimeout(timer);
    if (items.some((item) => item.rebuild) && document.getElementById("projections")) timer = setTimeout(refresh, 1000);
  }
  await refresh();
  return refresh;
};
