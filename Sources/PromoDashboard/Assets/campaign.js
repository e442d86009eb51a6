// The campaign page: its figures, hourly charts, budget burn, the stock of its products, channels and stores,
// uplift; refreshed live. Every figure comes from the read models (the definition from the campaign itself).
"use strict";

/// The hour's label in the viewer's zone: "11-24 17:00".
function hourLabel(text) {
  const date = new Date(text);
  if (isNaN(date)) return text;
  const pad = (n) => String(n).padStart(2, "0");
  return pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + " " + pad(date.getHours()) + ":00";
}

/// A Chart.js chart drawn once and updated in place on refresh (no flicker, no leaking canvases).
function chartIn(holder, config) {
  let chart = null;
  return function draw(labels, datasets) {
    if (typeof Chart === "undefined") return;
    if (!chart) {
      const canvas = el("canvas", { role: "img", "aria-label": config.label });
      holder.replaceChildren(el("div", { class: "chart" }, canvas));
      chart = new Chart(canvas, {
        type: config.type, data: { labels, datasets },
        options: {
          responsive: true, maintainAspectRatio: false, animation: false,
          interaction: { mode: "index", intersect: false },
          plugins: { legend: { position: "bottom" } },
          scales: config.scales,
        },
      });
      return;
    }
    chart.data.labels = labels;
    chart.data.datasets.forEach((dataset, index) => { dataset.data = datasets[index].data; dataset.label = datasets[index].label; });
    chart.update("none");
  };
}

/// The SKUs a campaign concerns: its scope's SKUs and categories, and those its rules name.
function campaignSkus(campaign, products) {
  const skus = new Set((campaign.scope && campaign.scope.skus) || []);
  const categories = new Set((campaign.scope && campaign.scope.categories) || []);
  for (const product of products) if (categories.has(product.category)) skus.add(product.sku);
  const rules = campaign.rules || {};
  for (const name of ["sku", "giftSku"]) if (rules[name]) skus.add(rules[name]);
  for (const sku of Object.keys(rules.prices || {})) skus.add(sku);
  for (const item of rules.items || []) if (item.sku) skus.add(item.sku);
  if (skus.size === 0) for (const product of products) skus.add(product.sku);
  return skus;
}

function tile(field, label, value) {
  return el("div", { class: "tile" }, el("div", { class: "tile-label", text: t(label) }), el("div", { class: "tile-value", "data-field": field, text: value }));
}

VIEWS.campaign = async function campaignPage(view, route) {
  const id = route.id;
  const path = encodeURIComponent(id);
  const header = el("section", { class: "card", id: "campaign-header" });
  const figures = section("campaign.figures", "campaign-figures");
  const hourly = section("campaign.hourly", "campaign-hourly");
  const budget = section("campaign.budget", "campaign-budget");
  const stock = section("campaign.stock", "campaign-stock");
  const channels = section("campaign.byChannel", "campaign-channels");
  const stores = section("campaign.byStore", "campaign-stores");
  const uplift = section("campaign.uplift", "campaign-uplift");
  view.append(header, figures.card, el("div", { class: "columns" }, hourly.card, budget.card),
    el("div", { class: "columns" }, channels.card, stores.card), el("div", { class: "columns" }, stock.card, uplift.card));
  const hourlyChart = chartIn(hourly.body, {
    type: "bar", label: t("campaign.hourly"),
    scales: { y: { beginAtZero: true, position: "left", ticks: { precision: 0 } }, yuan: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } } },
  });
  const dailyHolder = el("div");
  const dailyChart = chartIn(dailyHolder, { type: "bar", label: t("campaign.daily"), scales: { y: { beginAtZero: true } } });
  let products = null;

  async function loadHeader() {
    const campaign = await api("/v1/campaigns/" + path);
    const window = campaign.window || {};
    header.replaceChildren(...[
      el("a", { href: "#/", class: "muted", text: "← " + t("back") }),
      el("h1", {}, campaign.name || id, " ", el("span", { class: "status " + campaign.status, id: "campaign-status", text: t("status." + campaign.status) })),
      el("div", { class: "muted" }, id + " · " + t("kind." + campaign.kind) + " · " + when(window.start) + " – " + when(window.end) +
        " · " + t("campaign.version") + " " + (campaign.definitionVersion || 1)),
      VIEWS.campaignActions ? VIEWS.campaignActions(campaign, () => { loadHeader().catch(() => {}); }) : null].filter(Boolean));
    return campaign;
  }

  function fillFigures(board) {
    figures.fill(el("div", { class: "tiles" },
      tile("orders", "col.orders", String(board.orders)), tile("participants", "col.participants", String(board.participants)),
      tile("gmv", "col.gmv", yuan(board.gmvFen)), tile("discount", "col.discount", yuan(board.discountFen)),
      tile("refunded", "col.refunded", yuan(board.refundedFen)), tile("cancelled", "campaign.cancelled", String(board.cancelledOrders || 0))));
    const hours = (board.hourly || []).slice().sort((a, b) => String(a.hour).localeCompare(String(b.hour)));
    if (hours.length === 0) {
      hourly.fill(el("p", { class: "muted", text: t("campaign.noHours") }));
    } else {
      hourlyChart(hours.map((h) => hourLabel(h.hour)), [
        { type: "bar", label: t("campaign.hourlyOrders"), data: hours.map((h) => h.orders), backgroundColor: "#c8102e", yAxisID: "y", order: 2, maxBarThickness: 48 },
        { type: "line", label: t("campaign.hourlyGmv"), data: hours.map((h) => h.gmvFen / 100), borderColor: "#1f6feb", backgroundColor: "#1f6feb", yAxisID: "yuan", order: 1 },
        { type: "line", label: t("campaign.hourlyDiscount"), data: hours.map((h) => h.discountFen / 100), borderColor: "#bf8700", backgroundColor: "#bf8700", yAxisID: "yuan", order: 1 },
      ]);
    }
    const breakdown = (items, key, label) => table(null, [[label], ["col.orders", "num"], ["col.participants", "num hide-narrow"], ["col.gmv", "num"], ["col.discount", "num"], ["col.refunded", "num hide-narrow"]],
      (items || []).map((item) => [key(item), item.orders, item.participants, yuan(item.gmvFen), yuan(item.discountFen), yuan(item.refundedFen)]));
    channels.fill(breakdown(board.byChannel, (item) => t("channel." + item.channel), "col.channel"));
    stores.fill(el("div", { class: "scroll" }, breakdown(board.byStore, (item) => item.storeId, "col.store")));
  }

  function fillBudget(burn, thresholds) {
    const rows = Object.entries(burn.budgets || {}).filter(([, item]) => item.limitFen !== null || item.consumedFen > 0)
      .sort(([a], [b]) => (a === "totalFen" ? -1 : b === "totalFen" ? 1 : a.localeCompare(b)))
      .map(([name, item]) => {
        return el("tr", { "data-budget": name },
          el("td", { text: t("budget." + name) }),
          el("td", {}, item.limitFen === null ? el("span", { class: "muted", text: t("budget.unlimited") }) : burnBar(Object.assign({ name: "totalFen" }, item), thresholds)),
          el("td", { class: "num", "data-field": "consumed", text: yuan(item.consumedFen) }),
          el("td", { class: "num hide-narrow", "data-field": "released", text: yuan(item.releasedFen) }),
          el("td", { class: "num", "data-field": "net", text: yuan(item.netFen) }),
          el("td", { class: "num hide-narrow", text: item.limitFen === null ? "—" : yuan(item.leftFen) }));
      });
    const crossed = burn.thresholdsCrossed || [];
    budget.fill(el("div", { class: "scroll" }, tableOf("budget", [["col.subBudget"], ["col.burn"], ["col.consumed", "num"],
      ["col.released", "num hide-narrow"], ["col.net", "num"], ["col.left", "num hide-narrow"]], rows)),
      el("h3", { text: t("campaign.thresholds") }),
      crossed.length === 0 ? el("p", { class: "muted", text: t("campaign.noThresholds") }) :
        table("thresholds", [["col.subBudget"], ["col.threshold", "num"], ["col.crossedAt"]],
          crossed.map((item) => [t("budget." + item.budget), (item.thresholdBp / 100) + "%", when(item.at)])));
  }

  function fillStock(report, campaign) {
    const skus = campaignSkus(campaign, products || []);
    const names = new Map((products || []).map((p) => [p.sku, p.name]));
    const bySku = new Map();
    for (const item of report.items || []) {
      if (!skus.has(item.sku)) continue;
      const total = bySku.get(item.sku) || { sku: item.sku, onHand: 0, reserved: 0, available: 0, safetyStock: 0, below: [] };
      total.onHand += item.onHand; total.reserved += item.reserved; total.available += item.available; total.safetyStock += item.safetyStock;
      if (item.belowSafety) total.below.push(item.location);
      bySku.set(item.sku, total);
    }
    const rows = [...bySku.values()].sort((a, b) => b.below.length - a.below.length || a.sku.localeCompare(b.sku)).map((item) => [
      el("span", {}, el("span", { text: item.sku }), " ", el("span", { class: "muted", text: names.get(item.sku) || "" }),
        item.below.length ? el("div", { class: "warn-text", text: t("campaign.belowSafety") + ": " + item.below.join(", ") }) : null),
      item.available, item.reserved, item.safetyStock]);
    stock.fill(rows.length === 0 ? el("p", { class: "muted", text: t("campaign.noStock") }) :
      el("div", { class: "scroll tall" }, table("stock", [["col.sku"], ["col.available", "num"], ["col.reserved", "num"], ["col.safety", "num"]], rows)));
  }

  function fillUplift(report) {
    const before = report.before || {}, during = report.during || {};
    uplift.fill(
      table("uplift", [[""], ["campaign.before", "num"], ["campaign.during", "num"]], [
        [t("campaign.unitsPerDay"), before.unitsPerDay, during.unitsPerDay],
        [t("campaign.netPerDay"), yuan(before.netFenPerDay), yuan(during.netFenPerDay)],
      ]),
      el("div", { class: "tiles small" }, tile("extraUnits", "campaign.extraUnits", String(report.extraUnits)), tile("extraNet", "campaign.extraNet", yuan(report.extraNetFen)),
        tile("cost", "campaign.cost", yuan(report.promotionCostFen)), tile("costPerExtraUnit", "campaign.costPerExtraUnit", yuan(report.costPerExtraUnitFen))),
      dailyHolder);
    const days = (report.daily || []).slice(-28);
    dailyChart(days.map((d) => d.day.slice(5)), [{
      label: t("campaign.daily"), data: days.map((d) => d.netFen / 100),
      backgroundColor: days.map((d) => (d.period === "before" ? "#8c959f" : "#c8102e")),
    }]);
  }

  let campaign;
  try {
    [campaign, products] = await Promise.all([loadHeader(), api("/v1/products").then((body) => body.products || []).catch(() => [])]);
  } catch (error) {
    header.replaceChildren(el("a", { href: "#/", class: "muted", text: "← " + t("back") }), errorText(error));
    return null;
  }

  async function refresh() {
    const parts = [
      api("/v1/dashboards/campaigns/" + path).then(fillFigures),
      api("/v1/budgets/" + path).then((burn) => fillBudget(burn, (campaign.alerts && campaign.alerts.budgetThresholds) || [])),
      api("/v1/reports/stock").then((report) => fillStock(report, campaign)),
      api("/v1/reports/uplift?campaignId=" + path).then(fillUplift),
    ];
    const targets = [figures, budget, stock, uplift];
    const results = await Promise.allSettled(parts);
    results.forEach((result, index) => { if (result.status === "rejected") targets[index].fill(errorText(result.reason)); });
  }
  await refresh();
  return async () => {
    campaign = await loadHeader().catch(() => campaign);
    await refresh();
  };
};
