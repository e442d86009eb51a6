// PromoLedger operator dashboard: the core (sign-in, routing, live updates, formatting) and the overview.
// No build step: plain JavaScript against the platform's own API. Views register in VIEWS (campaign.js, …).
"use strict";

const state = { lang: sessionStorage.getItem("promo.lang") || "zh", key: sessionStorage.getItem("promo.key"), me: null };
const VIEWS = {};

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

function percentText(value) { return value === null || value === undefined ? "—" : Number(value).toFixed(1) + "%"; }

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "class") node.className = value; else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

/// A table of ready-made rows (`<tr>`s, which may carry data attributes) under the headings of `columns`,
/// [label key, class] pairs.
function tableOf(id, columns, rows) {
  const head = el("tr", {}, ...columns.map(([name, cls]) => el("th", { class: cls || "", text: t(name) })));
  return el("table", { id }, el("thead", {}, head), el("tbody", {}, ...rows));
}

/// A table: `columns` are [label key, class] pairs, `rows` arrays of cells (text or nodes).
function table(id, columns, rows) {
  return tableOf(id, columns, rows.map((cells) =>
    el("tr", {}, ...cells.map((cell, index) => {
      const cls = columns[index] && columns[index][1];
      return cell instanceof Node ? el("td", { class: cls || "" }, cell) : el("td", { class: cls || "", text: String(cell) });
    }))));
}

class APIError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || String(status));
    this.status = status;
    this.code = error.code;
    this.details = error.details || {};
  }
}

/// A call of the API with the session's key; the body is JSON; an error answer throws an APIError.
async function api(path, options) {
  const init = { method: (options && options.method) || "GET", headers: { Authorization: "Bearer " + state.key } };
  if (options && options.body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(options.body);
  }
  const response = await fetch(path, init);
  if (response.status === 401) { signOut(); throw new APIError(401, { error: { message: t("signIn.bad") } }); }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new APIError(response.status, body);
  return body;
}

/// What the signed-in role may do (the API refuses the rest anyway).
function can(action) {
  const role = state.me && state.me.role;
  if (role === "admin") return true;
  if (action === "console") return role === "marketing";
  if (action === "operate") return false;
  return ["marketing", "analyst", "auditor"].includes(role);
}

// MARK: Live updates

/// Follows GET /v1/live (Server-Sent Events) with fetch, since EventSource cannot send the Bearer header; calls
/// the current view's refresh when the read models move. When the stream cannot be held, polls every 5 s and
/// tries the stream again.
const live = {
  mode: "off", positions: {}, listener: null, abort: null, pollTimer: null, pending: null, again: false,

  start() {
    if (this.abort) return;
    this.abort = new AbortController();
    this.loop(this.abort.signal);
  },

  stop() {
    if (this.abort) this.abort.abort();
    this.abort = null;
    clearInterval(this.pollTimer);
    this.pollTimer = null;
    this.setMode("off");
  },

  setMode(mode) {
    this.mode = mode;
    const badge = document.getElementById("live");
    if (!badge) return;
    badge.hidden = mode === "off";
    badge.className = "live " + mode;
    badge.textContent = t("live." + mode);
    badge.title = mode === "off" ? "" : t("live." + mode + "Title");
    if (mode === "polling" && !this.pollTimer) this.pollTimer = setInterval(() => this.changed(), 5000);
    if (mode !== "polling") { clearInterval(this.pollTimer); this.pollTimer = null; }
  },

  async loop(signal) {
    while (!signal.aborted) {
      try {
        const response = await fetch("/v1/live", { headers: { Authorization: "Bearer " + state.key, Accept: "text/event-stream" }, signal });
        if (response.status === 401) { signOut(); return; }
        if (!response.ok || !response.body) throw new Error(String(response.status));
        this.setMode("live");
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            this.receive(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        }
      } catch (error) {
        if (signal.aborted) return;
      }
      this.setMode("polling");
      await new Promise((resolve) => setTimeout(resolve, 3000));
    }
  },

  receive(block) {
    let event = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).trim());
    }
    if (event !== "positions" || data.length === 0) return;
    try { this.positions = JSON.parse(data.join("\n")).positions || {}; } catch (e) { return; }
    this.changed();
  },

  /// Coalesces a burst of updates into one refresh of the view, at most two a second, one at a time; a move
  /// during a refresh brings another after it (the first may have read before that move).
  changed() {
    if (this.pending) { this.again = true; return; }
    this.again = false;
    this.pending = setTimeout(async () => {
      try { if (this.listener) await this.listener(this.positions); } catch (error) { /* the view shows its own errors */ }
      this.pending = null;
      if (this.again) this.changed();
    }, 500);
  },
};

// MARK: Shell

function applyLanguage() {
  document.documentElement.lang = state.lang === "zh" ? "zh-CN" : "en";
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  document.getElementById("lang").textContent = state.lang === "zh" ? "English" : "中文";
  live.setMode(live.mode);
}

function signOut() {
  sessionStorage.removeItem("promo.key");
  state.key = null;
  state.me = null;
  live.stop();
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

/// The view the address names: #/ (overview), #/campaigns/ID, #/console, #/reports, #/operations.
function route() {
  const parts = location.hash.replace(/^#\/?/, "").split("/").filter(Boolean).map(decodeURIComponent);
  if (parts[0] === "campaigns" && parts[1]) return { name: parts[2] === "console" ? "campaignConsole" : "campaign", id: parts[1] };
  if (parts[0] && VIEWS[parts[0]]) return { name: parts[0] };
  return { name: "overview" };
}

let rendering = 0;

async function show() {
  applyLanguage();
  const signedIn = Boolean(state.key);
  document.getElementById("signin").hidden = signedIn;
  document.getElementById("nav").hidden = !signedIn;
  document.getElementById("signout").hidden = !signedIn;
  const view = document.getElementById("view");
  view.replaceChildren();
  live.listener = null;
  if (!signedIn) { document.getElementById("who").textContent = ""; return; }
  if (!state.me) {
    try { state.me = await api("/v1/me"); } catch (e) { return; }
  }
  document.getElementById("who").textContent = state.me.name + " · " + state.me.role;
  for (const link of document.querySelectorAll("#nav [data-needs]")) link.hidden = !can(link.dataset.needs);
  const current = route();
  for (const link of document.querySelectorAll("#nav a")) link.classList.toggle("current", link.dataset.view === current.name);
  const token = ++rendering;
  const refresh = await (VIEWS[current.name] || VIEWS.overview)(view, current);
  // The first view drawn with its data: what tools/bench dashboard reads as "interactive".
  if (performance.getEntriesByName("promo-ready").length === 0) performance.mark("promo-ready");
  // A view returns its refresh, which live updates call while it is shown.
  if (token === rendering && typeof refresh === "function") live.listener = refresh;
  if (can("read")) live.start();
}

/// A card with a heading whose body `fill` draws (again, on each refresh), keeping the card in place.
function section(titleKey, id, heading) {
  const body = el("div", { class: "body" });
  const card = el("section", { class: "card", id }, el(heading || "h2", { text: t(titleKey) }), body);
  return { card, body, fill(...nodes) { body.replaceChildren(...nodes); } };
}

function errorText(error) { return el("p", { class: "error", text: t("error.load") + error.message }); }

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
  return el("div", { class: "burn-cell" }, bar, el("div", { class: "burn-label", text: which + percent.toFixed(1) + "% · " + yuan(budget.netFen) + " / " + yuan(budget.limitFen) }));
}

// MARK: Overview

VIEWS.overview = async function overview(view) {
  const campaigns = section("overview.title", "overview", "h1");
  const alerts = section("alerts.title", "alerts-card");
  view.append(el("div", { class: "grid" }, campaigns.card, alerts.card));

  async function refresh() {
    let definitions, figures, feed;
    try {
      [definitions, figures, feed] = await Promise.all([api("/v1/campaigns?summary=true"), api("/v1/dashboards/campaigns"), api("/v1/alerts?limit=50")]);
    } catch (error) {
      campaigns.fill(errorText(error));
      return;
    }
    const byId = new Map((figures.campaigns || []).map((c) => [c.campaignId, c]));
    const heading = campaigns.card.querySelector("h1");
    heading.replaceChildren(t("overview.title"), el("span", { class: "muted", text: " · " + t("overview.today") + " " + figures.date }));
    const rows = (definitions.campaigns || []).map((campaign) => {
      const definition = campaign.definition || campaign;
      const figure = byId.get(campaign.campaignId) || { today: {}, budget: null };
      const today = figure.today || {};
      const window = definition.window || {};
      const thresholds = (definition.alerts && definition.alerts.budgetThresholds) || [];
      return el("tr", { "data-campaign": campaign.campaignId },
        el("td", {}, el("a", { href: "#/campaigns/" + encodeURIComponent(campaign.campaignId), text: definition.name || campaign.campaignId }),
          el("div", { class: "muted", text: campaign.campaignId })),
        el("td", {}, el("span", { class: "status " + campaign.status, text: t("status." + campaign.status) })),
        el("td", { class: "hide-narrow", text: t("kind." + definition.kind) }),
        el("td", { class: "hide-narrow muted", text: (window.start ? when(window.start) : "") + " – " + (window.end ? when(window.end) : "") }),
        el("td", {}, burnBar(figure.budget, thresholds)),
        el("td", { class: "num", "data-field": "orders", text: String(today.orders || 0) }),
        el("td", { class: "num", "data-field": "gmv", text: yuan(today.gmvFen || 0) }),
        el("td", { class: "num hide-narrow", "data-field": "discount", text: yuan(today.discountFen || 0) }));
    });
    if (rows.length === 0) {
      campaigns.fill(el("p", { class: "muted", text: t("overview.empty") }));
    } else {
      campaigns.fill(el("div", { class: "scroll" }, tableOf("campaigns", [["col.campaign"], ["col.status"], ["col.kind", "hide-narrow"],
        ["col.window", "hide-narrow"], ["col.burn"], ["col.orders", "num"], ["col.gmv", "num"], ["col.discount", "num hide-narrow"]], rows)));
    }
    const items = (feed.alerts || []).slice().sort((a, b) => String(b.at).localeCompare(String(a.at)));
    alerts.fill(items.length === 0 ? el("p", { class: "muted", text: t("alerts.empty") }) :
      el("ul", { class: "alerts", id: "alerts" }, ...items.map((alert) =>
        el("li", { class: alert.kind }, el("span", { class: "kind", text: t("alert." + alert.kind) + " " }), el("span", { text: alert.subject }),
          alert.message ? el("div", { class: "muted", text: alert.message }) : null,
          el("time", { datetime: alert.at, text: when(alert.at) })))));
  }
  await refresh();
  return refresh;
};

document.addEventListener("DOMContentLoaded", () => {
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
  window.addEventListener("hashchange", show);
  // A hidden tab or a page left for another holds no stream: a browser allows six connections to a host, and
  // each open page's stream is one. Coming back, the stream is opened again and the view refreshes its figures
  // in place (a form being filled in keeps what was typed).
  const resume = () => { if (state.key && can("read")) { live.start(); live.changed(); } };
  document.addEventListener("visibilitychange", () => { if (document.hidden) live.stop(); else resume(); });
  window.addEventListener("pagehide", () => live.stop());
  window.addEventListener("pageshow", (event) => { if (event.persisted) resume(); });
  show();
});
