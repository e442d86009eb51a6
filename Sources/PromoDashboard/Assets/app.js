// PromoLedger operator dashboard. No build step: plain JavaScript against the platform's own API.
"use strict";

const I18N = {
  zh: {
    brand: "促销运营台", "nav.overview": "总览", signOut: "退出",
    "signIn.title": "登录", "signIn.key": "API 密钥", "signIn.submit": "登录",
    "signIn.hint": "请输入 API 密钥（promoctl keys create 生成）。密钥只保存在本浏览器的会话中。",
    "signIn.bad": "密钥无效或已吊销。", "signIn.unreachable": "无法连接服务器。",
    "overview.title": "活动总览", "overview.today": "今日", "overview.empty": "暂无活动。",
    "col.campaign": "活动", "col.status": "状态", "col.kind": "类型", "col.window": "时间",
    "col.burn": "预算消耗", "col.orders": "订单", "col.gmv": "成交额", "col.discount": "优惠",
    "alerts.title": "告警", "alerts.empty": "暂无告警。",
    "status.draft": "草稿", "status.scheduled": "待开始", "status.active": "进行中", "status.paused": "已暂停",
    "status.ended": "已结束",
    "kind.spend_reduction": "满减", "kind.spend_discount": "满折", "kind.flash_sale": "限时秒杀", "kind.gift": "满赠",
    "kind.bundle": "组合价", "kind.coupon": "优惠券", "kind.second_item": "第二件优惠", "kind.points": "积分",
    "kind.lottery": "抽奖", "kind.delivery_fee": "免运费", "kind.member_price": "会员价",
    "alert.low_stock": "库存不足", "alert.budget_threshold": "预算阈值", "alert.refund_spike": "退款激增",
    "alert.projection_lag": "读模型延迟", "alert.parked_event": "事件搁置",
    "budget.none": "无预算", "error.load": "加载失败：",
    "budget.totalFen": "总预算", "budget.discountFen": "折扣预算", "budget.giftCostFen": "赠品预算",
    "budget.couponSubsidyFen": "券补贴预算", "budget.pointsCostFen": "积分预算",
  },
  en: {
    brand: "Promotion console", "nav.overview": "Overview", signOut: "Sign out",
    "signIn.title": "Sign in", "signIn.key": "API key", "signIn.submit": "Sign in",
    "signIn.hint": "Enter an API key (made with promoctl keys create). It is kept in this browser session only.",
    "signIn.bad": "The key is not valid or was revoked.", "signIn.unreachable": "The server cannot be reached.",
    "overview.title": "Campaigns", "overview.today": "today", "overview.empty": "No campaigns yet.",
    "col.campaign": "Campaign", "col.status": "Status", "col.kind": "Kind", "col.window": "Window",
    "col.burn": "Budget burn", "col.orders": "Orders", "col.gmv": "GMV", "col.discount": "Discount",
    "alerts.title": "Alerts", "alerts.empty": "No alerts.",
    "status.draft": "draft", "status.scheduled": "scheduled", "status.active": "active", "status.paused": "paused",
    "status.ended": "ended",
    "kind.spend_reduction": "spend & save", "kind.spend_discount": "spend & % off", "kind.flash_sale": "flash sale",
    "kind.gift": "gift", "kind.bundle": "bundle", "kind.coupon": "coupon", "kind.second_item": "second item",
    "kind.points": "points", "kind.lottery": "lottery", "kind.delivery_fee": "free delivery",
    "kind.member_price": "member price",
    "alert.low_stock": "Low stock", "alert.budget_threshold": "Budget threshold", "alert.refund_spike": "Refund spike",
    "alert.projection_lag": "Read model lag", "alert.parked_event": "Parked event",
    "budget.none": "no budget", "error.load": "Could not load: ",
    "budget.totalFen": "total", "budget.discountFen": "discount budget", "budget.giftCostFen": "gift budget",
    "budget.couponSubsidyFen": "coupon subsidy budget", "budget.pointsCostFen": "points budget",
  },
};

const state = { lang: sessionStorage.getItem("promo.lang") || "zh", key: sessionStorage.getItem("promo.key"), me: null };

function t(name) { return (I18N[state.lang] && I18N[state.lang][name]) || I18N.zh[name] || name; }

/// Money from integer fen, in yuan: ¥1,234.50 (no floating point on the way).
function yuan(fen) {
  if (fen === null || fen === undefined) return "—";
  const negative = fen < 0;
  const abs = Math.abs(fen);
  const whole = Math.floor(abs / 100).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const cents = String(abs % 100).padStart(2, "0");
  return (negative ? "-¥" : "¥") + whole + "." + cents;
}

/// A time in the viewer's zone.
function when(text) {
  if (!text) return "";
  const date = new Date(text);
  return isNaN(date) ? text : date.toLocaleString(state.lang === "zh" ? "zh-CN" : "en-GB", { hour12: false });
}

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (name === "class") node.className = value; else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

async function api(path) {
  const response = await fetch(path, { headers: { Authorization: "Bearer " + state.key } });
  if (response.status === 401) { signOut(); throw new Error(t("signIn.bad")); }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error((body.error && body.error.message) || response.status);
  return body;
}

function applyLanguage() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  document.getElementById("lang").textContent = state.lang === "zh" ? "English" : "中文";
}

function signOut() {
  sessionStorage.removeItem("promo.key");
  state.key = null;
  state.me = null;
  show();
}

async function signIn(key) {
  const error = document.getElementById("signin-error");
  error.textContent = "";
  try {
    const response = await fetch("/v1/me", { headers: { Authorization: "Bearer " + key } });
    if (!response.ok) { error.textContent = t("signIn.bad"); return; }
    state.key = key;
    state.me = await response.json();
    sessionStorage.setItem("promo.key", key);
    show();
  } catch (e) {
    error.textContent = t("signIn.unreachable");
  }
}

async function show() {
  applyLanguage();
  const signedIn = Boolean(state.key);
  document.getElementById("signin").hidden = signedIn;
  document.getElementById("nav").hidden = !signedIn;
  document.getElementById("signout").hidden = !signedIn;
  const view = document.getElementById("view");
  view.replaceChildren();
  if (!signedIn) { document.getElementById("who").textContent = ""; return; }
  if (!state.me) {
    try { state.me = await api("/v1/me"); } catch (e) { return; }
  }
  document.getElementById("who").textContent = state.me.name + " · " + state.me.role;
  await overview(view);
}

function burnBar(budget, thresholds) {
  const percent = budget && budget.percent !== null && budget.percent !== undefined ? Number(budget.percent) : null;
  if (percent === null || !budget.limitFen) return el("span", { class: "muted", text: t("budget.none") });
  const bar = el("div", { class: "burn", role: "img", "aria-label": percent.toFixed(1) + "%" });
  const level = percent >= 95 ? " bad" : percent >= 80 ? " warn" : "";
  bar.append(el("div", { class: "fill" + level, style: "width:" + Math.min(100, percent) + "%" }));
  for (const mark of thresholds || []) {
    bar.append(el("div", { class: "mark", style: "left:calc(" + Math.min(100, mark * 100) + "% - 1px)", title: Math.round(mark * 100) + "%" }));
  }
  const which = budget.name && budget.name !== "totalFen" ? t("budget." + budget.name) + " " : "";
  return el("div", {}, bar, el("div", { class: "burn-label", text: which + percent.toFixed(1) + "% · " + yuan(budget.netFen) + " / " + yuan(budget.limitFen) }));
}

async function overview(view) {
  const campaignsCard = el("div", { class: "card" }, el("h1", { text: t("overview.title") }));
  const alertsCard = el("div", { class: "card" }, el("h2", { text: t("alerts.title") }));
  view.append(el("div", { class: "grid" }, campaignsCard, alertsCard));
  let definitions, figures, alerts;
  try {
    [definitions, figures, alerts] = await Promise.all([api("/v1/campaigns"), api("/v1/dashboards/campaigns"), api("/v1/alerts")]);
  } catch (e) {
    campaignsCard.append(el("p", { class: "error", text: t("error.load") + e.message }));
    return;
  }
  const byId = new Map((figures.campaigns || []).map((c) => [c.campaignId, c]));
  campaignsCard.querySelector("h1").append(el("span", { class: "muted", text: " · " + t("overview.today") + " " + figures.date }));
  const rows = (definitions.campaigns || []).map((campaign) => {
    const definition = campaign.definition || campaign;
    const figure = byId.get(campaign.campaignId) || { today: {}, budget: null };
    const today = figure.today || {};
    const window = definition.window || {};
    const thresholds = (definition.alerts && definition.alerts.budgetThresholds) || [];
    return el("tr", { "data-campaign": campaign.campaignId },
      el("td", {}, el("div", { text: definition.name || campaign.campaignId }), el("div", { class: "muted", text: campaign.campaignId })),
      el("td", {}, el("span", { class: "status " + campaign.status, text: t("status." + campaign.status) })),
      el("td", { class: "hide-narrow", text: t("kind." + definition.kind) }),
      el("td", { class: "hide-narrow muted", text: (window.start ? when(window.start) : "") + " – " + (window.end ? when(window.end) : "") }),
      el("td", {}, burnBar(figure.budget, thresholds)),
      el("td", { class: "num", "data-field": "orders", text: String(today.orders || 0) }),
      el("td", { class: "num", "data-field": "gmv", text: yuan(today.gmvFen || 0) }),
      el("td", { class: "num hide-narrow", "data-field": "discount", text: yuan(today.discountFen || 0) }));
  });
  if (rows.length === 0) {
    campaignsCard.append(el("p", { class: "muted", text: t("overview.empty") }));
  } else {
    const head = el("tr", {}, ...[["col.campaign"], ["col.status"], ["col.kind", "hide-narrow"], ["col.window", "hide-narrow"], ["col.burn"],
      ["col.orders", "num"], ["col.gmv", "num"], ["col.discount", "num hide-narrow"]].map(([name, cls]) => el("th", { class: cls || "", text: t(name) })));
    campaignsCard.append(el("table", { id: "campaigns" }, el("thead", {}, head), el("tbody", {}, ...rows)));
  }
  const items = (alerts.alerts || []).slice().sort((a, b) => String(b.at).localeCompare(String(a.at)));
  if (items.length === 0) {
    alertsCard.append(el("p", { class: "muted", text: t("alerts.empty") }));
  } else {
    alertsCard.append(el("ul", { class: "alerts", id: "alerts" }, ...items.map((alert) =>
      el("li", {}, el("span", { class: "kind", text: t("alert." + alert.kind) + " " }), el("span", { text: alert.subject }),
        el("time", { datetime: alert.at, text: when(alert.at) })))));
  }
}

document.getElementById("signin-form").addEventListener("submit", (event) => {
  event.preventDefault();
  signIn(document.getElementById("key").value.trim());
});
document.getElementById("lang").addEventListener("click", () => {
  state.lang = state.lang === "zh" ? "en" : "zh";
  sessionStorage.setItem("promo.lang", state.lang);
  show();
});
document.getElementById("signout").addEventListener("click", signOut);
show();
