// The campaign console: create a campaign of any kind, simulate it on a sample cart, activate / pause / resume /
// end it, adjust it and read its versions as a diff. The API is the judge of every value: its error is shown
// next to the field it names (details.field); the page only checks that a field can be read (a number, an
// amount with two decimals at most) before sending.
"use strict";

// MARK: Values

/// Fen from a yuan amount typed by a person ("12.5", "1,234.50"); exact, no floating point.
function fenFrom(text) {
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(String(text).replace(/[,¥\s]/g, ""));
  if (!match) return null;
  return (match[1] ? -1 : 1) * (Number(match[2]) * 100 + Number((match[3] || "0").padEnd(2, "0")));
}

function yuanInput(fen) {
  if (fen === null || fen === undefined) return "";
  const abs = Math.abs(fen);
  return (fen < 0 ? "-" : "") + Math.floor(abs / 100) + (abs % 100 ? "." + String(abs % 100).padStart(2, "0") : "");
}

/// Basis points from a percentage ("12.5" → 1250); exact.
function bpFrom(text) {
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(String(text).trim());
  if (!match) return null;
  return (match[1] ? -1 : 1) * (Number(match[2]) * 100 + Number((match[3] || "0").padEnd(2, "0")));
}

function percentInput(bp) { return bp === null || bp === undefined ? "" : yuanInput(bp); }

function listFrom(text) { return String(text || "").split(/[,，\s]+/).map((s) => s.trim()).filter(Boolean); }

/// How each kind's rules are asked for: [name, type] fields, lists of rows, or a map of SKU → amount.
/// Types: fen (yuan in the form), pct (percent off, basis points in the API), int, sku, text; "?" optional.
const RULE_FORMS = {
  spend_reduction: [{ list: "tiers", fields: [["thresholdFen", "fen"], ["reductionFen", "fen"]] }],
  spend_discount: [{ list: "tiers", fields: [["thresholdFen", "fen"], ["percentBp", "pct"]] }],
  item_discount: [["percentBp", "pct"], ["maxUnits", "int?"]],
  special_price: [{ map: "prices", label: "f.prices" }],
  flash_sale: [["sku", "sku"], ["priceFen", "fen"], ["quantity", "int"], ["perCustomerLimit", "int"]],
  gift: [["thresholdFen", "fen"], ["giftSku", "sku"], ["giftQuantity", "int"]],
  add_on: [["thresholdFen", "fen"], ["sku", "sku"], ["priceFen", "fen"]],
  bundle: [{ list: "items", fields: [["sku", "sku"], ["quantity", "int"]] }, ["bundlePriceFen", "fen"]],
  rebate: [["thresholdFen", "fen"], ["points", "int?"], ["couponTemplateId", "text?"]],
  lottery: [["minOrderFen", "fen"], { list: "prizes", fields: [["prizeId", "text"], ["name", "text", "f.prizeName"], ["quantity", "int"], ["weight", "int"], ["costFen", "fen"]] }],
  quantity_reduction: [{ list: "tiers", fields: [["thresholdUnits", "int"], ["reductionFen", "fen"]] }],
  quantity_discount: [{ list: "tiers", fields: [["thresholdUnits", "int"], ["percentBp", "pct"]] }],
  repeat_reduction: [["everyFen", "fen"], ["reductionFen", "fen"], ["maxReductionFen", "fen?"]],
  multi_buy: [["units", "int"], ["percentBp", "pct"]],
  pick_any: [["units", "int"], ["priceFen", "fen"]],
  unit_amount_off: [["amountFen", "fen"], ["maxUnits", "int?"]],
  free_shipping: [["thresholdFen", "fen"], ["reductionFen", "fen?"]],
};

/// An input's text as the API's value; throws {message} when it cannot be read.
function readValue(type, text) {
  const optional = type.endsWith("?");
  const base = type.replace("?", "");
  const trimmed = String(text || "").trim();
  if (trimmed === "") {
    if (optional) return undefined;
    throw { message: t("error.required") };
  }
  if (base === "fen") { const fen = fenFrom(trimmed); if (fen === null) throw { message: t("error.money") }; return fen; }
  if (base === "pct") { const bp = bpFrom(trimmed); if (bp === null) throw { message: t("error.percent") }; return bp; }
  if (base === "int") { if (!/^-?\d+$/.test(trimmed)) throw { message: t("error.number") }; return Number(trimmed); }
  return trimmed;
}

function inputText(type, value) {
  if (value === undefined || value === null) return "";
  const base = type.replace("?", "");
  if (base === "fen") return yuanInput(value);
  if (base === "pct") return percentInput(value);
  return String(value);
}

// MARK: Form

/// A labelled input whose errors show beneath it. `path` is the API field it fills (details.field names it).
let fieldCount = 0;
function field(label, input, path) {
  input.dataset.path = path;
  if (!input.id) input.id = path ? "f-" + path.replace(/[^a-zA-Z0-9]+/g, "-") : "f-" + ++fieldCount;
  return el("div", { class: "field" }, el("label", { for: input.id, text: t(label) }), input, el("div", { class: "field-error", role: "alert" }));
}

function skuInput(value, products) {
  const input = el("input", { type: "text", list: "catalog-skus", value: value || "", autocomplete: "off" });
  if (!document.getElementById("catalog-skus")) {
    document.body.append(el("datalist", { id: "catalog-skus" }, ...products.map((p) => el("option", { value: p.sku, text: p.name }))));
  }
  return input;
}

function typedInput(type, value, products) {
  const base = type.replace("?", "");
  if (base === "sku") return skuInput(value, products);
  const attributes = { type: "text", value: inputText(type, value), inputmode: base === "text" ? "text" : "decimal", autocomplete: "off" };
  if (type.endsWith("?")) attributes.placeholder = t("f.optional");
  return el("input", attributes);
}

/// The rules part of the form for `kind`, filled from `rules`; returns {node, read()} where read() gives
/// the rules object and records which input made which path.
function rulesForm(kind, rules, products) {
  const spec = RULE_FORMS[kind] || [];
  const parts = [];
  const readers = [];
  for (const item of spec) {
    if (Array.isArray(item)) {
      const [name, type, label] = item;
      const input = typedInput(type, rules[name], products);
      parts.push(field(label || "f." + name, input, "rules." + name));
      readers.push((out, errors) => collect(errors, input, () => { const v = readValue(type, input.value); if (v !== undefined) out[name] = v; }));
    } else if (item.list) {
      const { node, rows } = rowList("rules." + item.list, "f.list." + item.list, rules[item.list] || [], {}, (values) => {
        const inputs = item.fields.map(([name, type]) => Object.assign(typedInput(type, values[name], products), { name }));
        return [inputs.map((input, i) => field(item.fields[i][2] || "f." + item.fields[i][0], input, "")), inputs];
      });
      parts.push(node);
      readers.push((out, errors) => {
        out[item.list] = [...rows.children].map((row, index) => {
          const value = {};
          row.inputs.forEach((input, i) => {
            const [name, type] = item.fields[i];
            input.dataset.path = "rules." + item.list + "[" + index + "]." + name;
            collect(errors, input, () => { const v = readValue(type, input.value); if (v !== undefined) value[name] = v; });
          });
          return value;
        });
      });
    } else if (item.map) {
      const entries = Object.entries(rules[item.map] || {}).map(([sku, fen]) => ({ sku, fen }));
      const { node, rows } = rowList("rules." + item.map, item.label, entries, { sku: "", fen: null }, (values) => {
        const inputs = [skuInput(values.sku, products), typedInput("fen", values.fen, products)];
        return [[field("f.sku", inputs[0], ""), field("f.priceFen", inputs[1], "")], inputs];
      });
      parts.push(node);
      readers.push((out, errors) => {
        out[item.map] = {};
        for (const row of rows.children) {
          const [skuField, price] = row.inputs;
          const sku = skuField.value.trim();
          skuField.dataset.path = "rules." + item.map;
          price.dataset.path = "rules." + item.map + "." + sku;
          collect(errors, price, () => { out[item.map][sku] = readValue("fen", price.value); });
        }
      });
    }
  }
  return {
    node: el("div", { class: "form-grid" }, ...parts),
    read(errors) { const out = {}; for (const reader of readers) reader(out, errors); return out; },
  };
}

/// A fieldset of rows, each with a remove link, and an add link for another (`blank`); `make(values)` gives a
/// row's field nodes and its inputs (kept on the row as `inputs`). Empty `initial`: one blank row.
function rowList(path, legendKey, initial, blank, make) {
  const rows = el("div", { class: "rows" });
  const add = (values) => {
    const [nodes, inputs] = make(values);
    const row = el("div", { class: "row" }, ...nodes,
      el("button", { type: "button", class: "link remove", text: t("console.removeRow"), onclick: () => row.remove() }));
    row.inputs = inputs;
    rows.append(row);
  };
  for (const values of initial.length ? initial : [blank]) add(values);
  const node = el("fieldset", { class: "list", "data-path": path }, el("legend", { text: t(legendKey) }), rows,
    el("div", { class: "field-error", role: "alert" }),
    el("button", { type: "button", class: "link", text: t("console.addRow"), onclick: () => add(blank) }));
  return { node, rows };
}

function collect(errors, input, read) {
  try { read(); } catch (error) { if (error && error.message !== undefined && !(error instanceof Error)) errors.push({ input, message: error.message }); else throw error; }
}

/// The datetime-local text of an RFC 3339 time, in the viewer's zone.
function localInput(text) {
  const date = text ? new Date(text) : null;
  if (!date || isNaN(date)) return "";
  const pad = (n) => String(n).padStart(2, "0");
  return date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) + "T" + pad(date.getHours()) + ":" + pad(date.getMinutes()) + ":" + pad(date.getSeconds());
}

function rfc3339(local) {
  const date = new Date(local);
  return isNaN(date) ? local : date.toISOString().replace(/\.000Z$/, "Z");
}

function checkboxes(name, options, chosen, label) {
  const set = new Set(chosen || []);
  const boxes = options.map(([value, text]) => el("label", { class: "check" }, el("input", { type: "checkbox", name, value, checked: set.has(value) }), " " + text));
  const holder = el("div", { class: "checks", "data-path": name, id: "f-" + name.replace(/\./g, "-") }, ...boxes);
  return el("div", { class: "field" }, el("label", { text: t(label) }), holder, el("div", { class: "field-error", role: "alert" }));
}

function checked(form, name) { return [...form.querySelectorAll("input[name='" + name + "']:checked")].map((box) => box.value); }

/// Clears the marks of an earlier attempt.
function clearErrors(form) {
  for (const node of form.querySelectorAll(".field-error")) node.textContent = "";
  for (const node of form.querySelectorAll(".invalid")) node.classList.remove("invalid");
  const general = form.querySelector(".form-error");
  if (general) general.textContent = "";
}

/// Shows `message` beside the input (or fieldset) whose path is the longest prefix of the API's `path`.
function showFieldError(form, path, message) {
  let best = null;
  for (const node of form.querySelectorAll("[data-path]")) {
    const candidate = node.dataset.path;
    if (!candidate) continue;
    const matches = path === candidate || path.startsWith(candidate + ".") || path.startsWith(candidate + "[");
    if (matches && (!best || candidate.length > best.dataset.path.length)) best = node;
  }
  if (!best) { form.querySelector(".form-error").textContent = message; return; }
  best.classList.add("invalid");
  const holder = best.closest(".field, fieldset");
  const slot = holder && [...holder.children].find((child) => child.classList.contains("field-error"));
  if (slot) slot.textContent = message; else form.querySelector(".form-error").textContent = message;
  if (best.focus) best.focus();
}

/// The campaign form: a new campaign, or (given `campaign`) an adjustment of one (id and kind fixed).
function campaignForm(products, campaign, onSaved) {
  const editing = Boolean(campaign);
  const current = campaign || {
    campaignId: "c-" + Math.random().toString(16).slice(2, 8), kind: "spend_reduction",
    window: { start: new Date().toISOString(), end: new Date(Date.now() + 7 * 86400000).toISOString() },
    scope: { channels: ["online", "store"] }, stacking: { priority: 10, stackable: true }, alerts: { budgetThresholds: [0.8, 0.95, 1] },
  };
  const form = el("form", { class: "campaign-form", novalidate: true });
  const id = el("input", { type: "text", value: current.campaignId, disabled: editing, autocomplete: "off" });
  const name = el("input", { type: "text", value: current.name || "", autocomplete: "off" });
  const kind = el("select", { disabled: editing }, ...Object.keys(RULE_FORMS).map((k) => el("option", { value: k, selected: k === current.kind, text: t("kind." + k) + " · " + k })));
  const start = el("input", { type: "datetime-local", step: "1", value: localInput(current.window && current.window.start) });
  const end = el("input", { type: "datetime-local", step: "1", value: localInput(current.window && current.window.end) });
  const scope = current.scope || {};
  const categories = [...new Set(products.map((p) => p.category))].sort();
  const skus = el("input", { type: "text", value: (scope.skus || []).join(", "), list: "catalog-skus" });
  const stores = el("input", { type: "text", value: (scope.stores || []).join(", ") });
  const regions = el("input", { type: "text", value: (scope.regions || []).join(", ") });
  const audience = current.audience || {};
  const newOnly = el("input", { type: "checkbox", checked: Boolean(audience.newCustomersOnly) });
  const stacking = current.stacking || {};
  const priority = el("input", { type: "text", inputmode: "numeric", value: stacking.priority === undefined ? "" : String(stacking.priority) });
  const group = el("input", { type: "text", value: stacking.exclusiveGroup || "" });
  const stackable = el("input", { type: "checkbox", checked: stacking.stackable !== false });
  const budget = current.budget && current.budget.limits ? current.budget.limits : current.budget || {};
  const budgetInputs = ["totalFen", "discountFen", "giftCostFen", "couponSubsidyFen", "pointsCostFen"].map((key) => [key, el("input", { type: "text", inputmode: "decimal", value: yuanInput(budget[key]) })]);
  const thresholds = el("input", { type: "text", value: ((current.alerts && current.alerts.budgetThresholds) || []).map((f) => String(Math.round(f * 10000) / 100)).join(", ") });
  const rulesHolder = el("div");
  let rules = rulesForm(current.kind, current.rules || {}, products);
  rulesHolder.append(rules.node);
  kind.addEventListener("change", () => { rules = rulesForm(kind.value, {}, products); rulesHolder.replaceChildren(rules.node); });

  form.append(
    el("fieldset", {}, el("legend", { text: t("console.basics") }), el("div", { class: "form-grid" },
      field("f.campaignId", id, "campaignId"), field("f.name", name, "name"), field("f.kind", kind, "kind"),
      field("f.windowStart", start, "window.start"), field("f.windowEnd", end, "window.end"))),
    el("fieldset", { "data-path": "rules" }, el("legend", { text: t("console.rules") }), rulesHolder, el("div", { class: "field-error", role: "alert" })),
    el("fieldset", { "data-path": "scope" }, el("legend", { text: t("console.scope") }), el("div", { class: "form-grid" },
      checkboxes("scope.channels", [["online", t("channel.online")], ["store", t("channel.store")]], scope.channels, "f.channels"),
      checkboxes("scope.categories", categories.map((c) => [c, c]), scope.categories, "f.categories"),
      field("f.skus", skus, "scope.skus"), field("f.stores", stores, "scope.stores"), field("f.regions", regions, "scope.regions"),
      checkboxes("audience.tiers", [["regular", "regular"], ["silver", "silver"], ["gold", "gold"]], audience.tiers, "f.tiers"),
      el("div", { class: "field" }, el("label", { class: "check" }, newOnly, " " + t("f.newCustomersOnly"))))),
    el("fieldset", {}, el("legend", { text: t("console.stackingBudget") }), el("div", { class: "form-grid" },
      field("f.priority", priority, "stacking.priority"), field("f.exclusiveGroup", group, "stacking.exclusiveGroup"),
      el("div", { class: "field", "data-path": "stacking.stackable" }, el("label", { class: "check" }, stackable, " " + t("f.stackable"))),
      ...budgetInputs.map(([key, input]) => field("f.budget." + key, input, "budget." + key)),
      field("f.thresholds", thresholds, "alerts.budgetThresholds"))),
    el("p", { class: "form-error error", role: "alert" }),
    el("div", { class: "actions" }, el("button", { type: "submit", id: "campaign-submit", text: t(editing ? "console.save" : "console.create") }),
      el("span", { class: "form-done muted", role: "status" })));

  /// The body the form stands for, or null after marking what cannot be read.
  function read() {
    const errors = [];
    const body = { campaignId: id.value.trim(), name: name.value.trim(), kind: kind.value };
    body.window = { start: rfc3339(start.value), end: rfc3339(end.value) };
    body.rules = rules.read(errors);
    body.scope = {};
    const channels = checked(form, "scope.channels"), chosen = checked(form, "scope.categories");
    if (channels.length) body.scope.channels = channels;
    if (chosen.length) body.scope.categories = chosen;
    for (const [key, input] of [["skus", skus], ["stores", stores], ["regions", regions]]) {
      const values = listFrom(input.value);
      if (values.length) body.scope[key] = values;
    }
    body.audience = { newCustomersOnly: newOnly.checked, tiers: checked(form, "audience.tiers") };
    body.stacking = { stackable: stackable.checked };
    collect(errors, priority, () => { const v = readValue("int?", priority.value); if (v !== undefined) body.stacking.priority = v; });
    if (group.value.trim()) body.stacking.exclusiveGroup = group.value.trim();
    body.budget = {};
    for (const [key, input] of budgetInputs) collect(errors, input, () => { const v = readValue("fen?", input.value); if (v !== undefined) body.budget[key] = v; });
    const percents = listFrom(thresholds.value);
    const fractions = percents.map((p) => bpFrom(p));
    if (fractions.some((f) => f === null)) errors.push({ input: thresholds, message: t("error.thresholds") });
    else body.alerts = { budgetThresholds: fractions.map((bp) => bp / 10000) };
    if (errors.length) {
      for (const error of errors) {
        error.input.classList.add("invalid");
        const slot = error.input.closest(".field").querySelector(".field-error");
        if (slot) slot.textContent = error.message;
      }
      form.querySelector(".form-error").textContent = t("console.fixErrors");
      errors[0].input.focus();
      return null;
    }
    return body;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const body = read();
    if (!body) return;
    const button = form.querySelector("#campaign-submit");
    button.disabled = true;
    try {
      let saved;
      if (editing) {
        // Only the keys that changed: each key given replaces that key, and the version records which.
        const patch = {};
        for (const [key, value] of Object.entries(body)) {
          if (key === "campaignId" || key === "kind") continue;
          const before = key === "budget" ? budget : campaign[key];
          if (JSON.stringify(comparable(key, value)) !== JSON.stringify(comparable(key, before))) patch[key] = value;
        }
        if (Object.keys(patch).length === 0) { form.querySelector(".form-done").textContent = t("console.nothingChanged"); return; }
        saved = await api("/v1/campaigns/" + encodeURIComponent(campaign.campaignId), { method: "PATCH", body: patch });
        form.querySelector(".form-done").textContent = t("console.saved");
      } else {
        saved = await api("/v1/campaigns", { method: "POST", body });
        form.querySelector(".form-done").textContent = t("console.created");
      }
      onSaved(saved);
    } catch (error) {
      if (!(error instanceof APIError)) throw error;
      form.querySelector(".form-error").textContent = error.message;
      if (error.details && error.details.field) {
        showFieldError(form, error.details.field, error.message);
        form.querySelector(".form-error").textContent = t("console.fixErrors");
      }
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

/// A part of a definition as it means, for telling whether the form changed it: defaults left out (an unset
/// key means the same as its default), times as instants, keys sorted.
function comparable(key, value) {
  if (value === undefined || value === null) return null;
  if (key === "window") return { start: new Date(value.start).getTime(), end: new Date(value.end).getTime() };
  const copy = JSON.parse(JSON.stringify(value));
  if (copy && typeof copy === "object" && !Array.isArray(copy)) {
    for (const [name, item] of Object.entries(copy)) {
      const empty = item === null || (Array.isArray(item) && item.length === 0) || item === false;
      if (empty || (key === "stacking" && name === "stackable" && item === true)) delete copy[name];
    }
    if (Object.keys(copy).length === 0) return null;
  }
  return canonical(copy);
}

/// A JSON value with object keys sorted, for comparing.
function canonical(value) {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === "object") return Object.fromEntries(Object.keys(value).sort().map((key) => [key, canonical(value[key])]));
  return value;
}

// MARK: Views

let catalog = null;
async function products() {
  if (!catalog) catalog = (await api("/v1/products")).products || [];
  return catalog;
}

VIEWS.console = async function newCampaign(view) {
  if (!can("console")) { view.append(el("p", { class: "card muted", id: "no-rights", text: t("console.noRights") })); return null; }
  const card = el("section", { class: "card", id: "console" }, el("h1", { text: t("console.title") }));
  view.append(card);
  const form = campaignForm(await products(), null, (saved) => { location.hash = "#/campaigns/" + encodeURIComponent(saved.campaignId) + "/console"; });
  form.id = "campaign-form";
  card.append(form);
  return null;
};

/// The lifecycle buttons a campaign's status allows, for the campaign page's header and the console.
VIEWS.campaignActions = function campaignActions(campaign, changed) {
  if (!can("console")) return null;
  const allowed = { draft: ["activate", "end"], scheduled: ["pause", "end"], active: ["pause", "end"], paused: ["resume", "end"] }[campaign.status] || [];
  const message = el("span", { class: "error", role: "alert" });
  const buttons = allowed.map((action) => el("button", {
    type: "button", class: "button small" + (action === "end" ? " secondary" : ""), "data-action": action, text: t("action." + action),
    onclick: async (event) => {
      if (action === "end" && !confirm(t("action.confirmEnd"))) return;
      event.target.disabled = true;
      message.textContent = "";
      try {
        await api("/v1/campaigns/" + encodeURIComponent(campaign.campaignId) + "/" + action, { method: "POST", body: {} });
        changed();
      } catch (error) {
        message.textContent = error.message;
        event.target.disabled = false;
      }
    },
  }));
  const console = location.hash.endsWith("/console") ? null :
    el("a", { class: "button small secondary", href: "#/campaigns/" + encodeURIComponent(campaign.campaignId) + "/console", text: t("console.open") });
  return el("div", { class: "actions", id: "campaign-actions" }, ...buttons, console, message);
};

VIEWS.campaignConsole = async function campaignConsole(view, route) {
  if (!can("console")) { view.append(el("p", { class: "card muted", id: "no-rights", text: t("console.noRights") })); return null; }
  const id = route.id;
  const path = "/v1/campaigns/" + encodeURIComponent(id);
  const header = el("section", { class: "card", id: "campaign-header" });
  const simulate = section("simulate.title", "simulate");
  const adjust = section("console.adjustTitle", "adjust");
  const versions = section("versions.title", "versions");
  view.append(header, el("div", { class: "columns" }, simulate.card, versions.card), adjust.card);
  const catalogItems = await products();

  async function load() {
    let campaign;
    try { campaign = await api(path); } catch (error) { header.replaceChildren(errorText(error)); return; }
    header.replaceChildren(...[
      el("a", { href: "#/campaigns/" + encodeURIComponent(id), class: "muted", text: "← " + (campaign.name || id) }),
      el("h1", {}, (campaign.name || id) + " ", el("span", { class: "status " + campaign.status, id: "campaign-status", text: t("status." + campaign.status) })),
      el("div", { class: "muted" }, id + " · " + t("kind." + campaign.kind) + " · " + t("campaign.version") + " " + campaign.definitionVersion),
      VIEWS.campaignActions(campaign, load)].filter(Boolean));
    if (!simulate.body.firstChild) simulate.fill(simulationForm(campaign, catalogItems));
    adjust.fill(campaign.status === "ended" || campaign.status === "cancelled" ? el("p", { class: "muted", text: t("status." + campaign.status) }) :
      campaignForm(catalogItems, campaign, async () => {
        await load();
        const done = adjust.body.querySelector(".form-done");
        if (done) done.textContent = t("console.saved");
      }));
    versions.fill(await versionHistory(path).catch(errorText));
  }
  await load();
  return null;
};

// MARK: Simulation

/// A sample cart from the catalog: products in the campaign's scope, enough of the first to reach its threshold.
function sampleCart(campaign, items) {
  const skus = [...campaignSkus(campaign, items)];
  const rules = campaign.rules || {};
  const threshold = rules.thresholdFen || (rules.tiers && rules.tiers[0] && rules.tiers[0].thresholdFen) || rules.everyFen || rules.minOrderFen || 0;
  const units = rules.units || (rules.tiers && rules.tiers[0] && rules.tiers[0].thresholdUnits) || 1;
  if (rules.items) return rules.items.map((item) => ({ sku: item.sku, quantity: item.quantity }));
  const first = items.find((p) => p.sku === (rules.sku || skus[0])) || items[0];
  if (!first) return [];
  const quantity = Math.max(units, threshold > 0 ? Math.ceil(threshold / Math.max(1, first.priceFen)) : 2);
  return [{ sku: first.sku, quantity }];
}

function simulationForm(campaign, items) {
  const saved = JSON.parse(sessionStorage.getItem("promo.simulate") || "{}");
  const channels = (campaign.scope && campaign.scope.channels) || ["online", "store"];
  const customer = el("input", { type: "text", value: saved.customerId || "u-1000" });
  const channel = el("select", {}, ...["online", "store"].map((c) => el("option", { value: c, selected: c === (saved.channel || channels[0]), text: t("channel." + c) })));
  const store = el("input", { type: "text", value: saved.storeId || (channel.value === "online" ? "s-online" : "s-cd-01") });
  channel.addEventListener("change", () => { store.value = channel.value === "online" ? "s-online" : "s-cd-01"; });
  const { node: cartLines, rows: lines } = rowList("cart.lines", "simulate.cart", sampleCart(campaign, items), { sku: "", quantity: 1 }, (line) => {
    const inputs = [skuInput(line.sku, items), el("input", { type: "text", inputmode: "numeric", value: String(line.quantity || 1) })];
    return [[field("f.sku", inputs[0], ""), field("f.quantity", inputs[1], "")], inputs];
  });
  const result = el("div", { id: "simulation" });
  const form = el("form", { id: "simulate-form", novalidate: true },
    el("div", { class: "form-grid" }, field("simulate.customer", customer, "cart.customerId"), field("simulate.channel", channel, "cart.channel"), field("simulate.store", store, "cart.storeId")),
    cartLines,
    el("p", { class: "form-error error", role: "alert" }),
    el("button", { type: "submit", id: "simulate-run", text: t("simulate.run") }), result);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(form);
    const cart = { customerId: customer.value.trim(), channel: channel.value, storeId: store.value.trim() };
    cart.lines = [...lines.children].map((row, index) => {
      row.inputs[0].dataset.path = "cart.lines[" + index + "].sku";
      row.inputs[1].dataset.path = "cart.lines[" + index + "].quantity";
      return { sku: row.inputs[0].value.trim(), quantity: Number(row.inputs[1].value) };
    });
    sessionStorage.setItem("promo.simulate", JSON.stringify({ customerId: cart.customerId, channel: cart.channel, storeId: cart.storeId }));
    try {
      const answer = await api("/v1/campaigns/" + encodeURIComponent(campaign.campaignId) + "/simulate", { method: "POST", body: { cart } });
      result.replaceChildren(simulationResult(answer));
    } catch (error) {
      if (!(error instanceof APIError)) throw error;
      result.replaceChildren();
      if (error.details && error.details.field) showFieldError(form, error.details.field, error.message);
      else form.querySelector(".form-error").textContent = error.message;
    }
  });
  return form;
}

function simulationResult(answer) {
  const withIt = answer.withCampaign || {}, without = answer.withoutCampaign || {};
  const totals = table("simulation-totals", [[""], ["simulate.with", "num"], ["simulate.without", "num"]], [
    [t("simulate.subtotal"), yuan(withIt.subtotalFen), yuan(without.subtotalFen)],
    [t("simulate.discount"), yuan(withIt.discountFen), yuan(without.discountFen)],
    [t("simulate.total"), yuan(withIt.totalFen), yuan(without.totalFen)],
  ]);
  const promotions = (items, text) => items && items.length ? el("ul", {}, ...items.map((item) => el("li", { "data-campaign": item.campaignId || item.couponCode }, text(item)))) : el("p", { class: "muted", text: t("simulate.none") });
  return el("div", {},
    el("p", { class: "difference" }, t("simulate.difference") + " ", el("strong", { id: "simulation-difference", text: yuan(answer.differenceFen) })),
    totals,
    el("h3", { text: t("simulate.applied") }), promotions(withIt.applied, (item) => (item.campaignId || item.couponCode) + " · " + t("kind." + item.kind) + " · " + yuan(item.amountFen)),
    el("h3", { text: t("simulate.rejected") }), promotions(withIt.rejected, (item) => (item.campaignId || item.couponCode) + " · " + t("reason." + item.reason)));
}

// MARK: Versions

/// Every leaf of a JSON value by path: {"rules.tiers[0].thresholdFen": 10000, …}.
function leaves(value, prefix, out) {
  out = out || {};
  if (Array.isArray(value)) {
    if (value.length === 0) out[prefix] = "[]";
    value.forEach((item, index) => leaves(item, prefix + "[" + index + "]", out));
  } else if (value && typeof value === "object") {
    const keys = Object.keys(value);
    if (keys.length === 0 && prefix) out[prefix] = "{}";
    for (const key of keys) leaves(value[key], prefix ? prefix + "." + key : key, out);
  } else {
    out[prefix] = JSON.stringify(value);
  }
  return out;
}

/// The lines of a diff between two definitions: "- path: old" and "+ path: new".
function definitionDiff(before, after) {
  const a = leaves(before || {}, ""), b = leaves(after || {}, "");
  const paths = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const lines = [];
  for (const path of paths) {
    if (a[path] === b[path]) continue;
    if (a[path] !== undefined) lines.push(["removed", "- " + path + ": " + a[path]]);
    if (b[path] !== undefined) lines.push(["added", "+ " + path + ": " + b[path]]);
  }
  return lines;
}

async function versionHistory(path) {
  const history = await api(path + "/versions");
  const items = (history.versions || []).slice().sort((a, b) => b.version - a.version);
  const byVersion = new Map(items.map((v) => [v.version, v]));
  const list = el("ol", { class: "versions", reversed: true });
  for (const version of items) {
    const previous = byVersion.get(version.version - 1);
    const lines = previous ? definitionDiff(previous.definition, version.definition) : [];
    list.append(el("li", { "data-version": String(version.version) },
      el("div", {}, el("strong", { text: t("campaign.version") + " " + version.version }), " · " + when(version.recordedAt) + " · " + version.actor),
      previous ? el("pre", { class: "diff" }, ...lines.map(([kind, text]) => el("span", { class: kind, text: text + "\n" })))
        : el("div", { class: "muted", text: t("versions.initial") })));
  }
  const changes = (history.statusChanges || []).map((change) => [when(change.recordedAt), t("status." + change.from) + " → " + t("status." + change.to), change.actor]);
  return el("div", {}, list, el("h3", { text: t("versions.status") }),
    changes.length ? table("status-changes", [["col.when"], ["col.status"], ["col.actor"]], changes) : el("p", { class: "muted", text: t("simulate.none") }));
}
