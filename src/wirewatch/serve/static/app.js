// wirewatch dashboard: map, timeline and table of events; an event's reports; an article with its evidence.
// Plain ES2020, no build step. Every value from the API is put into the page as text (textContent or
// text nodes), never as HTML: article texts and all other fields are untrusted.
"use strict";

(() => {
  const MAX_EVENTS = 2000;          // events loaded for the map and table (pages of PAGE)
  const PAGE = 500;                 // the API's largest page
  const DAY = 86400000;
  const FIELDS = ["since", "until", "type", "country", "actor", "text", "admin1"];
  const TYPE_ORDER = ["Battles", "Explosions/Remote violence", "Violence against civilians", "Protests", "Riots",
    "Strategic developments"];
  const TYPE_COLOURS = {
    "Battles": "#c0392b",
    "Explosions/Remote violence": "#e67e22",
    "Violence against civilians": "#8e44ad",
    "Protests": "#2e9e5b",
    "Riots": "#c9a400",
    "Strategic developments": "#2f6fb3",
  };
  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  const SVG_NS = "http://www.w3.org/2000/svg";

  const state = {
    config: { tile_url: "", writable: false },
    events: [],
    total: 0,
    daily: [],
    types: [],
    selected: null,
    markers: new Map(),   // event id -> L.CircleMarker
    seq: 0,               // guards against out-of-order responses
    articleSeq: 0,
    eventSeq: 0,
  };
  let map = null;
  let markerLayer = null;
  let regionLayer = null;
  let regionLegend = null;
  const view = { layer: "events", metric: "events", regions: [] };
  let tileNoticeShown = false;

  // ------------------------------------------------------------------ DOM helpers (text only)
  const $ = (sel) => document.querySelector(sel);

  function add(node, children) {
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      node.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return node;
  }

  function setAttrs(node, attrs) {
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      node.setAttribute(k, v === true ? "" : String(v));
    }
  }

  // h("tr", {class: "x", "data-event-id": 3}, "text", otherNode): attribute values and children are text.
  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    setAttrs(node, attrs);
    return add(node, children);
  }

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG_NS, tag);
    setAttrs(node, attrs);
    return add(node, children);
  }

  const narrow = () => window.matchMedia("(max-width: 900px)").matches;     // panels stacked below the table

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function swatch(type) {
    const s = h("span", { class: "swatch", "aria-hidden": "true" });
    s.style.backgroundColor = colour(type);      // CSSOM, allowed by the page's CSP
    return s;
  }

  // ------------------------------------------------------------------ values
  function colour(type) {
    if (TYPE_COLOURS[type]) return TYPE_COLOURS[type];
    let hash = 0;
    for (const ch of String(type || "")) hash = (hash * 31 + ch.codePointAt(0)) >>> 0;
    return `hsl(${hash % 360}, 55%, 45%)`;
  }

  function typeRank(type) {
    const i = TYPE_ORDER.indexOf(type);
    return i < 0 ? TYPE_ORDER.length : i;
  }

  function sortTypes(types) {
    return [...new Set(types.filter(Boolean))].sort((a, b) => typeRank(a) - typeRank(b) || a.localeCompare(b));
  }

  function dayNumber(iso) {
    const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
    return m ? Math.round(Date.UTC(+m[1], +m[2] - 1, +m[3]) / DAY) : null;
  }

  function isoDay(n) {
    return new Date(n * DAY).toISOString().slice(0, 10);
  }

  function shortDay(n, withYear) {
    const d = new Date(n * DAY);
    return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}` + (withYear ? ` ${d.getUTCFullYear()}` : "");
  }

  function place(ev) {
    const parts = [];
    for (const p of [ev.location, ev.admin1, ev.country]) {
      if (p && !parts.some((q) => q.toLowerCase() === String(p).toLowerCase())) parts.push(String(p));
    }
    return parts.join(", ") || "unknown place";
  }

  function actors(ev) {
    return [ev.actor1, ev.actor2].filter(Boolean).join(" — ") || "—";
  }

  function fatalities(n) {
    return n === null || n === undefined ? "—" : String(n);
  }

  function killed(n) {
    if (n === null || n === undefined) return "no toll given";
    return n === 1 ? "1 killed" : `${n} killed`;
  }

  function safeHref(url) {
    try {
      const u = new URL(String(url), location.href);
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : null;
    } catch (_) {
      return null;
    }
  }

  // ------------------------------------------------------------------ API
  async function api(path, params) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(params || {})) {
      if (v !== undefined && v !== null && v !== "") qs.set(k, v);
    }
    const q = qs.toString();
    const res = await fetch(`api/${path}${q ? `?${q}` : ""}`, { headers: { Accept: "application/json" } });
    let body = null;
    try {
      body = await res.json();
    } catch (_) {
      body = null;
    }
    if (!res.ok) {
      const msg = body && body.error ? body.error : `${res.status} ${res.statusText}`;
      throw new Error(res.status === 401 ? `${msg} (this server is private)` : msg);
    }
    return body;
  }

  function setStatus(text, isError) {
    const el = $("#status");
    el.textContent = text;
    el.classList.toggle("error", Boolean(isError));
  }

  // ------------------------------------------------------------------ filters
  function readFilters() {
    const f = {};
    for (const k of FIELDS) f[k] = $(`#${k}`).value.trim();
    const conf = Number($("#min_confidence").value);
    f.min_confidence = conf > 0 ? conf.toFixed(2) : "";
    f.disputed = $("#disputed").checked ? "true" : "";
    if (f.since && f.until && f.since > f.until) {
      [f.since, f.until] = [f.until, f.since];
      $("#since").value = f.since;
      $("#until").value = f.until;
    }
    return f;
  }

  function writeUrl(f) {
    const qs = new URLSearchParams();
    for (const k of [...FIELDS, "min_confidence", "disputed"]) if (f[k]) qs.set(k, f[k]);
    const q = qs.toString();
    history.replaceState(null, "", location.pathname + (q ? `?${q}` : ""));
  }

  function showConfidence() {
    $("#min_confidence_value").textContent = Number($("#min_confidence").value).toFixed(2);
  }

  function readUrl() {
    const qs = new URLSearchParams(location.search);
    const conf = Number(qs.get("min_confidence"));
    $("#min_confidence").value = Number.isFinite(conf) && conf > 0 && conf <= 1 ? String(conf) : "0";
    showConfidence();
    $("#disputed").checked = qs.get("disputed") === "true";
    for (const k of FIELDS) {
      const v = qs.get(k);
      if (v === null) continue;
      if (k === "type") ensureTypeOption(v);
      $(`#${k}`).value = v;
    }
  }

  function ensureTypeOption(type) {
    const sel = $("#type");
    if (!type || [...sel.options].some((o) => o.value === type)) return;
    sel.appendChild(h("option", { value: type }, type));
  }

  function fillTypes(types) {
    const sel = $("#type");
    const current = sel.value;
    clear(sel);
    sel.appendChild(h("option", { value: "" }, "All types"));
    for (const t of types) sel.appendChild(h("option", { value: t }, t));
    ensureTypeOption(current);
    sel.value = current;
  }

  // ------------------------------------------------------------------ loading
  async function loadEvents(f) {
    // the first page tells how many there are; the rest (up to MAX_EVENTS) are fetched at once
    const first = await api("events", { ...f, limit: PAGE, offset: 0 });
    const total = first.total;
    const offsets = [];
    for (let offset = PAGE; offset < Math.min(total, MAX_EVENTS); offset += PAGE) offsets.push(offset);
    const rest = await Promise.all(offsets.map((offset) => api("events", { ...f, limit: PAGE, offset })));
    const out = [first, ...rest].flatMap((page) => page.events);
    return { events: out.slice(0, MAX_EVENTS), total };
  }

  async function refresh({ timeline = true } = {}) {
    const seq = ++state.seq;
    const f = readFilters();
    writeUrl(f);
    setStatus("Loading…");
    const noDates = { ...f, since: "", until: "" };
    try {
      const [evs, daily, regions] = await Promise.all([loadEvents(f), timeline ? api("stats/daily", noDates) : null,
        api("stats/regions", f)]);
      if (seq !== state.seq) return;
      state.events = evs.events;
      state.total = evs.total;
      if (daily) state.daily = daily.days;
      view.regions = regions.regions;
      updateExports(f);
      renderMap();
      renderRegions();
      renderTable();
      renderTimeline();
      renderLegend();
      const unplaced = state.events.filter((e) => !hasCoords(e)).length;
      let msg = state.total === 1 ? "1 event" : `${state.total} events`;
      if (state.events.length < state.total) msg = `showing ${state.events.length} of ${state.total} events: narrow the filters to see the rest`;
      if (unplaced) msg += ` (${unplaced} without coordinates, not on the map)`;
      setStatus(msg);
      document.body.dataset.ready = String(seq);
    } catch (err) {
      if (seq !== state.seq) return;
      setStatus(`Could not load events: ${err.message}`, true);
      document.body.dataset.ready = String(seq);
    }
  }

  // ------------------------------------------------------------------ map
  function hasCoords(ev) {
    return typeof ev.latitude === "number" && typeof ev.longitude === "number"
      && Number.isFinite(ev.latitude) && Number.isFinite(ev.longitude);
  }

  function initMap() {
    const el = $("#map");
    if (typeof L === "undefined") {
      el.appendChild(h("p", { class: "map-missing" },
        "The map library is missing: run scripts/vendor-assets to install Leaflet."));
      return;
    }
    map = L.map(el, { worldCopyJump: true, minZoom: 1 }).setView([20, 15], 2);
    map.createPane("basemap").style.zIndex = 150;       // under online tiles (200), when there are any
    loadBasemap();
    const url = state.config.tile_url;
    if (url) {
      const osm = /openstreetmap\.org/.test(url);
      const tiles = L.tileLayer(url, {
        maxZoom: 18,
        attribution: osm ? "&copy; OpenStreetMap contributors" : "",
        referrerPolicy: "no-referrer",
      });
      tiles.on("tileerror", () => {
        if (tileNoticeShown) return;
        tileNoticeShown = true;
        el.appendChild(h("p", { class: "tile-notice" }, "Online map tiles could not be loaded; the bundled base map is shown."));
      });
      tiles.addTo(map);
    }
    markerLayer = L.featureGroup().addTo(map);
    regionLayer = L.featureGroup();
    addViewControl();
  }

  // the base map bundled with the package: Natural Earth country borders and coastlines (world-atlas 1:50m),
  // drawn as vectors, so the map needs no tile server and no internet
  async function loadBasemap() {
    if (typeof topojson === "undefined") return;
    try {
      const res = await fetch("static/vendor/basemap/countries-50m.json");
      if (!res.ok) throw new Error(`${res.status}`);
      const topo = await res.json();
      const countries = topojson.feature(topo, topo.objects.countries);
      const layer = L.geoJSON(countries, {
        pane: "basemap",
        interactive: false,
        style: { color: "#7d8796", weight: 0.7, fillColor: "#f3f1ea", fillOpacity: 1 },
        onEachFeature: (feat, lyr) => {
          lyr.on("add", () => {
            const path = lyr.getElement && lyr.getElement();
            if (path) {
              path.classList.add("ww-country");
              path.setAttribute("data-country", (feat.properties && feat.properties.name) || "");
            }
          });
        },
      });
      layer.addTo(map);
      map.attributionControl.addAttribution("Borders: Natural Earth");
      $("#map").dataset.basemap = "ready";
    } catch (err) {
      $("#map").dataset.basemap = "failed";
      $("#map").appendChild(h("p", { class: "tile-notice" }, `The bundled base map could not be loaded (${err.message}).`));
    }
  }

  // ------------------------------------------------------------------ the per-region layer
  function addViewControl() {
    const Ctl = L.Control.extend({
      options: { position: "topright" },
      onAdd() {
        const box = h("form", { class: "view-control", id: "view-control", "aria-label": "Map layer" },
          h("label", null, h("input", { type: "radio", name: "layer", value: "events", checked: "" }), " Events"),
          h("label", null, h("input", { type: "radio", name: "layer", value: "regions" }), " Per region: "),
          h("select", { id: "region-metric", "aria-label": "What the regions count" },
            h("option", { value: "events" }, "events"), h("option", { value: "fatalities" }, "fatalities")));
        L.DomEvent.disableClickPropagation(box);
        box.addEventListener("change", () => {
          view.layer = box.querySelector("input[name=layer]:checked").value;
          view.metric = box.querySelector("#region-metric").value;
          showLayer();
          renderRegions();
        });
        return box;
      },
    });
    map.addControl(new Ctl());
    const Legend = L.Control.extend({
      options: { position: "bottomright" },
      onAdd() {
        return h("div", { class: "region-legend", id: "region-legend", hidden: "" });
      },
    });
    regionLegend = new Legend();
    map.addControl(regionLegend);
  }

  function showLayer() {
    const regions = view.layer === "regions";
    if (regions) {
      map.removeLayer(markerLayer);
      regionLayer.addTo(map);
    } else {
      map.removeLayer(regionLayer);
      markerLayer.addTo(map);
    }
    $("#region-legend").hidden = !regions;
    $("#map").dataset.layer = view.layer;
  }

  function regionRadius(value, max) {
    return max > 0 ? 4 + 22 * Math.sqrt(value / max) : 4;
  }

  // graduated circles at each first-order region's position (no region borders are bundled: see README)
  function renderRegions() {
    if (!map) return;
    regionLayer.clearLayers();
    const key = view.metric;
    const rows = view.regions.filter((r) => typeof r.latitude === "number" && typeof r.longitude === "number");
    const max = Math.max(0, ...rows.map((r) => r[key]));
    for (const r of rows) {
      const value = r[key];
      if (key === "fatalities" && !value) continue;
      const c = L.circleMarker([r.latitude, r.longitude], {
        radius: regionRadius(value, max), color: "#7a1f1f", weight: 1.2, fillColor: "#d9534f", fillOpacity: 0.55,
        className: "ww-region",
      });
      c.bindTooltip(h("div", { class: "tip" }, h("strong", null, `${r.admin1}, ${r.country}`), h("br"),
        `${r.events} event${r.events === 1 ? "" : "s"} · ${r.fatalities} killed`), { direction: "top" });
      c.on("click", () => {
        $("#admin1").value = r.admin1;
        $("#country").value = r.country || "";
        refresh();
      });
      c.addTo(regionLayer);
      const path = c.getElement();
      if (path) {
        path.classList.add("ww-region");
        path.setAttribute("data-admin1", r.admin1);
        path.setAttribute("data-country", r.country || "");
        path.setAttribute("data-value", String(value));
      }
    }
    const legend = clear($("#region-legend"));
    legend.appendChild(h("div", { class: "legend-title" }, key === "fatalities" ? "Fatalities per region" : "Events per region"));
    const steps = max > 0 ? [...new Set([max, Math.max(1, Math.round(max / 4)), 1])].filter((v) => v <= max) : [];
    for (const v of steps) {
      const d = 2 * regionRadius(v, max);
      legend.appendChild(h("div", { class: "legend-step" },
        h("span", { class: "legend-circle", style: null, "data-size": String(Math.round(d)) }), ` ${v}`));
    }
    for (const el of legend.querySelectorAll(".legend-circle")) {
      const d = Number(el.dataset.size);
      el.style.width = `${d}px`;
      el.style.height = `${d}px`;
    }
  }

  // ------------------------------------------------------------------ export and submit
  function updateExports(f) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(f)) if (v) qs.set(k, v);
    for (const [id, fmt] of [["export-acled", "acled-csv"], ["export-geojson", "geojson"], ["export-jsonl", "jsonl"]]) {
      qs.set("format", fmt);
      $(`#${id}`).setAttribute("href", `api/export?${qs.toString()}`);
    }
  }

  function initSubmit() {
    const dialog = $("#submit-dialog");
    $("#submit-open").hidden = !state.config.writable;
    $("#submit-open").addEventListener("click", () => {
      $("#submit-status").textContent = "";
      dialog.showModal();
    });
    $("#submit-cancel").addEventListener("click", () => dialog.close());
    $("#submit-form").addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = { text: $("#submit-text").value };
      if ($("#submit-date").value) body.date = $("#submit-date").value;
      if ($("#submit-title-input").value.trim()) body.title = $("#submit-title-input").value.trim();
      if ($("#submit-source").value.trim()) body.source = $("#submit-source").value.trim();
      const status = $("#submit-status");
      status.textContent = "Extracting…";
      try {
        const res = await fetch("api/articles", {
          method: "POST",
          headers: { "Content-Type": "application/json", Accept: "application/json",
            Authorization: `Bearer ${$("#submit-token").value}` },
          body: JSON.stringify(body),
        });
        const out = await res.json().catch(() => null);
        if (!res.ok) throw new Error(out && out.error ? out.error : `${res.status} ${res.statusText}`);
        const n = (out.incidents || []).length;
        status.textContent = `Stored: ${n} incident${n === 1 ? "" : "s"}, ${(out.interactions || []).length} interactions, ` +
          `${(out.quotes || []).length} quotes, ${(out.claims || []).length} claims.`;
        dialog.dataset.submitted = String(n);
        await refresh();
        const ids = out.events || [];
        if (ids.length) selectEvent(ids[0]);
      } catch (err) {
        status.textContent = `Could not submit: ${err.message}`;
      }
    });
  }

  function tooltipNode(ev) {
    return h("div", { class: "tip" },
      h("strong", null, ev.event_type || "event"), h("br"),
      `${ev.event_date || "undated"} · ${place(ev)}`, h("br"),
      `${actors(ev)} · ${killed(ev.fatalities)}`,
      typeof ev.confidence === "number" ? h("br") : null,
      typeof ev.confidence === "number" ? `confidence ${ev.confidence.toFixed(2)}` : null);
  }

  // a place known only by its region (a village the gazetteer lacks) or its country sits at the region's or
  // country's centre: drawn hollow with a dashed ring, so nobody reads it as the spot where it happened
  function approximate(ev) {
    return !!ev.location_precision && ev.location_precision !== "place";
  }

  function markerStyle(ev, selected) {
    const rough = approximate(ev);
    return {
      radius: 6 + Math.min(10, Math.sqrt(ev.fatalities || 0) * 1.5),
      color: selected ? "#111" : (rough ? colour(ev.event_type) : "#fff"),
      weight: selected ? 3 : (rough ? 2 : 1.5),
      dashArray: rough ? "3 3" : null,
      fillColor: colour(ev.event_type),
      fillOpacity: rough ? 0.25 : 0.85,
      className: "ww-marker",
    };
  }

  function renderMap() {
    if (!map) return;
    markerLayer.clearLayers();
    state.markers.clear();
    for (const ev of state.events) {
      if (!hasCoords(ev)) continue;
      const m = L.circleMarker([ev.latitude, ev.longitude], markerStyle(ev, ev.id === state.selected));
      m.bindTooltip(tooltipNode(ev), { direction: "top", offset: [0, -6] });
      m.on("click", () => selectEvent(ev.id));
      m.addTo(markerLayer);
      const path = m.getElement();
      if (path) {
        path.setAttribute("data-event-id", String(ev.id));
        path.setAttribute("data-event-type", ev.event_type || "");
        path.setAttribute("data-approximate", approximate(ev) ? "true" : "false");
        path.classList.add("ww-marker");
      }
      state.markers.set(ev.id, m);
    }
    if (state.markers.size) {
      map.fitBounds(markerLayer.getBounds(), { padding: [40, 40], maxZoom: 6, animate: false });
    }
  }

  function highlightMarker(id) {
    for (const [mid, m] of state.markers) {
      const ev = state.events.find((e) => e.id === mid);
      if (!ev) continue;
      m.setStyle(markerStyle(ev, mid === id));
      const path = m.getElement();
      if (path) path.classList.toggle("selected", mid === id);
      if (mid === id) m.bringToFront();
    }
  }

  // ------------------------------------------------------------------ table
  function renderTable() {
    const body = clear($("#events tbody"));
    if (!state.events.length) {
      body.appendChild(h("tr", { class: "empty" }, h("td", { colspan: 6 }, "No events match these filters.")));
      return;
    }
    for (const ev of state.events) {
      const row = h("tr", { "data-event-id": ev.id, tabindex: 0, class: ev.id === state.selected ? "selected" : null },
        h("td", { class: "date" }, ev.event_date || "undated"),
        h("td", null, swatch(ev.event_type), ev.event_type || "",
          ev.sub_event_type ? h("span", { class: "sub" }, ev.sub_event_type) : null),
        h("td", null, place(ev)),
        h("td", null, actors(ev)),
        h("td", { class: "num" }, fatalities(ev.fatalities)),
        h("td", { class: "num" }, String(ev.n_reports ?? (ev.reports || []).length)));
      row.addEventListener("click", () => selectEvent(ev.id));
      row.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          selectEvent(ev.id);
        }
      });
      body.appendChild(row);
    }
  }

  function highlightRow(id) {
    for (const row of document.querySelectorAll("#events tbody tr[data-event-id]")) {
      const on = Number(row.dataset.eventId) === id;
      row.classList.toggle("selected", on);
      if (on) row.scrollIntoView({ block: "nearest" });
    }
  }

  // ------------------------------------------------------------------ legend
  function renderLegend() {
    const types = sortTypes([...state.daily.map((d) => d.event_type), ...state.events.map((e) => e.event_type)]);
    const ul = clear($("#legend"));
    for (const t of types) ul.appendChild(h("li", null, swatch(t), t));
  }

  // ------------------------------------------------------------------ timeline
  const tl = { x0: 0, width: 0, top: 0, height: 0, first: 0, days: 0, drag: null };

  function renderTimeline() {
    const chart = $("#timeline-chart");
    clear(chart);
    const W = Math.max(chart.clientWidth || 0, 300);
    const H = Math.max(chart.clientHeight || 0, 90);
    chart.setAttribute("viewBox", `0 0 ${W} ${H}`);
    const f = readFilters();
    $("#clear-range").hidden = !(f.since || f.until);
    const days = state.daily.filter((d) => dayNumber(d.date) !== null);
    if (!days.length) {
      tl.days = 0;
      chart.appendChild(svg("text", { x: W / 2, y: H / 2, class: "empty", "text-anchor": "middle" }, "No dated events."));
      return;
    }
    const nums = days.map((d) => dayNumber(d.date));
    let first = Math.min(...nums);
    let last = Math.max(...nums);
    if (last - first < 13) {                      // at least two weeks, centred on the data
      const pad = 13 - (last - first);
      first -= Math.floor(pad / 2);
      last += Math.ceil(pad / 2);
    }
    const n = last - first + 1;
    const m = { l: 30, r: 8, t: 8, b: 20 };
    const pw = W - m.l - m.r;
    const ph = H - m.t - m.b;
    const bw = pw / n;
    Object.assign(tl, { x0: m.l, width: pw, top: m.t - 4, height: ph + 4, first, days: n });

    const byDay = new Map();
    for (const d of days) {
      const k = dayNumber(d.date);
      if (!byDay.has(k)) byDay.set(k, []);
      byDay.get(k).push(d);
    }
    let max = 1;
    for (const list of byDay.values()) max = Math.max(max, list.reduce((s, d) => s + d.count, 0));

    // axes
    chart.appendChild(svg("line", { x1: m.l, x2: W - m.r, y1: m.t + ph + 0.5, y2: m.t + ph + 0.5, class: "axis" }));
    chart.appendChild(svg("text", { x: m.l - 4, y: m.t + 8, class: "tick", "text-anchor": "end" }, String(max)));
    chart.appendChild(svg("text", { x: m.l - 4, y: m.t + ph, class: "tick", "text-anchor": "end" }, "0"));
    const every = Math.max(1, Math.ceil(n / Math.max(1, Math.floor(pw / 70))));
    const multiYear = new Date(first * DAY).getUTCFullYear() !== new Date(last * DAY).getUTCFullYear();
    for (let i = 0; i < n; i += every) {
      const x = m.l + (i + 0.5) * bw;
      chart.appendChild(svg("line", { x1: x, x2: x, y1: m.t + ph, y2: m.t + ph + 3, class: "axis" }));
      chart.appendChild(svg("text", { x, y: H - 5, class: "tick", "text-anchor": "middle" },
        shortDay(first + i, multiYear || i === 0)));
    }

    // stacked bars
    const gap = bw > 4 ? 1 : 0;
    for (const [k, list] of byDay) {
      list.sort((a, b) => typeRank(a.event_type) - typeRank(b.event_type) || String(a.event_type).localeCompare(b.event_type));
      let y = m.t + ph;
      const x = m.l + (k - first) * bw + gap / 2;
      for (const d of list) {
        const bh = (d.count / max) * ph;
        y -= bh;
        chart.appendChild(svg("rect", {
          class: "bar", x, y, width: Math.max(1, bw - gap), height: Math.max(1, bh), fill: colour(d.event_type),
          "data-date": d.date, "data-type": d.event_type, "data-count": d.count,
        }, svg("title", null, `${d.date} · ${d.event_type}: ${d.count}`)));
      }
    }

    // the selected range
    const s = dayNumber(f.since);
    const u = dayNumber(f.until);
    if (s !== null || u !== null) {
      const a = Math.max(s ?? first, first);
      const b = Math.min(u ?? last, last);
      if (a <= b) drawSelection(a - first, b - first);
    }
  }

  function drawSelection(i, j) {
    const chart = $("#timeline-chart");
    let sel = chart.querySelector("rect.selection");
    if (!sel) {
      sel = svg("rect", { class: "selection" });
      chart.appendChild(sel);
    }
    const bw = tl.width / tl.days;
    const a = Math.min(i, j);
    const b = Math.max(i, j);
    setAttrs(sel, { x: tl.x0 + a * bw, y: tl.top, width: Math.max(2, (b - a + 1) * bw), height: tl.height });
  }

  function dayAt(e) {
    const chart = $("#timeline-chart");
    const r = chart.getBoundingClientRect();
    const box = chart.viewBox.baseVal;
    const scale = box && box.width ? box.width / r.width : 1;
    const x = (e.clientX - r.left) * scale - tl.x0;
    const i = Math.floor(x / (tl.width / tl.days));
    return Math.min(tl.days - 1, Math.max(0, i));
  }

  function initTimeline() {
    const chart = $("#timeline-chart");
    chart.addEventListener("pointerdown", (e) => {
      if (e.button !== 0 || !tl.days) return;
      e.preventDefault();
      const i = dayAt(e);
      tl.drag = { start: i, cur: i, x: e.clientX };
      chart.setPointerCapture(e.pointerId);
      drawSelection(i, i);
    });
    chart.addEventListener("pointermove", (e) => {
      if (!tl.drag) return;
      tl.drag.cur = dayAt(e);
      drawSelection(tl.drag.start, tl.drag.cur);
    });
    const finish = (e, cancelled) => {
      if (!tl.drag) return;
      const d = tl.drag;
      tl.drag = null;
      if (cancelled) {
        renderTimeline();
        return;
      }
      const end = Math.abs(e.clientX - d.x) > 3 ? dayAt(e) : d.start;
      $("#since").value = isoDay(tl.first + Math.min(d.start, end));
      $("#until").value = isoDay(tl.first + Math.max(d.start, end));
      refresh({ timeline: false });
    };
    chart.addEventListener("pointerup", (e) => finish(e, false));
    chart.addEventListener("pointercancel", (e) => finish(e, true));
    $("#clear-range").addEventListener("click", () => {
      $("#since").value = "";
      $("#until").value = "";
      refresh({ timeline: false });
    });
    let timer = null;
    window.addEventListener("resize", () => {
      clearTimeout(timer);
      timer = setTimeout(renderTimeline, 150);
    });
  }

  // ------------------------------------------------------------------ event panel
  async function selectEvent(id) {
    state.selected = id;
    highlightRow(id);
    highlightMarker(id);
    const panel = $("#event-panel");
    const seq = ++state.eventSeq;
    panel.setAttribute("aria-busy", "true");
    try {
      const ev = await api(`events/${encodeURIComponent(id)}`);
      if (seq !== state.eventSeq) return;
      renderEvent(ev);
      if (narrow()) panel.scrollIntoView({ block: "start" });
    } catch (err) {
      if (seq !== state.eventSeq) return;
      clear(panel).appendChild(h("p", { class: "error" }, `Could not load event ${id}: ${err.message}`));
    } finally {
      if (seq === state.eventSeq) panel.removeAttribute("aria-busy");
    }
  }

  function row(dl, term, value) {
    if (value === null || value === undefined || value === "") return;
    dl.appendChild(h("dt", null, term));
    dl.appendChild(h("dd", null, value));
  }

  function renderEvent(ev) {
    const panel = clear($("#event-panel"));
    panel.dataset.eventId = String(ev.id);
    const close = h("button", { type: "button", class: "close", "aria-label": "Close event" }, "×");
    close.addEventListener("click", () => {
      state.selected = null;
      highlightRow(null);
      highlightMarker(null);
      clear(panel).appendChild(h("p", { class: "placeholder" }, "Click a marker or a row to see an event."));
      delete panel.dataset.eventId;
    });
    panel.appendChild(h("div", { class: "panel-head" },
      h("h2", null, swatch(ev.event_type), ev.event_type || "event"), close));
    if (ev.sub_event_type) panel.appendChild(h("p", { class: "sub" }, ev.sub_event_type));

    const dl = h("dl", { class: "fields" });
    row(dl, "Date", ev.event_date ? `${ev.event_date}${ev.date_precision && ev.date_precision !== "day" ? ` (${ev.date_precision})` : ""}` : "undated");
    row(dl, "Place", place(ev) + (approximate(ev) ? ` (approximate: ${ev.location_precision} level)` : ""));
    row(dl, "Actor 1", ev.actor1);
    row(dl, "Actor 2", ev.actor2);
    row(dl, "Target", ev.target);
    row(dl, "Fatalities", fatalities(ev.fatalities));
    row(dl, "Reported by", ev.reported_by);
    if (typeof ev.confidence === "number") row(dl, "Confidence", `${ev.confidence.toFixed(2)} (the model's, for its surest report)`);
    if (ev.is_background) row(dl, "Note", "background: reported as past context");
    panel.appendChild(dl);

    if (ev.contradictions && ev.contradictions.length) {
      panel.appendChild(h("h3", null, "Reports disagree"));
      panel.appendChild(h("ul", { class: "contradictions" }, ev.contradictions.map((c) => h("li", null, c.what))));
    }

    const reports = ev.reports || [];
    panel.appendChild(h("h3", null, reports.length === 1 ? "1 report" : `${reports.length} reports`));
    const list = h("ol", { class: "reports" });
    for (const r of reports) {
      const ev0 = (r.evidence || [])[0];
      const snippet = ev0 ? (ev0.text.length > 220 ? `${ev0.text.slice(0, 220)}…` : ev0.text) : null;
      const card = h("div", { class: "report", role: "button", tabindex: 0, "data-article": r.article, "data-report-id": r.report_id },
        h("div", { class: "report-head" },
          h("span", { class: "source" }, r.source || r.article), " ",
          h("span", { class: "date" }, r.article_date || "undated")),
        h("div", { class: "report-meta" },
          h("span", { class: "per" }, `per ${r.reported_by || "unattributed"}`), " · ",
          h("span", { class: "toll" }, killed(r.fatalities))),
        snippet ? h("blockquote", { class: "report-evidence" }, snippet) : null);
      const open = () => openArticle(r.article, r.report_id, card);
      card.addEventListener("click", open);
      card.addEventListener("keydown", (e) => {
        if (e.key === "Enter" || e.key === " ") {
          e.preventDefault();
          open();
        }
      });
      list.appendChild(h("li", null, card));
    }
    panel.appendChild(list);
  }

  // ------------------------------------------------------------------ article view
  async function openArticle(key, reportId, card) {
    for (const c of document.querySelectorAll("#event-panel .report")) c.classList.toggle("selected", c === card);
    const view = $("#article");
    const seq = ++state.articleSeq;
    view.setAttribute("aria-busy", "true");
    try {
      const a = await api(`articles/${encodeURIComponent(key)}`);
      if (seq !== state.articleSeq) return;
      renderArticle(a, reportId);
      if (narrow()) view.scrollIntoView({ block: "start" });
    } catch (err) {
      if (seq !== state.articleSeq) return;
      clear(view).appendChild(h("p", { class: "error" }, `Could not load article ${key}: ${err.message}`));
    } finally {
      if (seq === state.articleSeq) view.removeAttribute("aria-busy");
    }
  }

  // Evidence offsets count code points (Python); JS strings count UTF-16 units.
  function unitOffsets(text) {
    if (!/[\uD800-\uDFFF]/.test(text)) return null;
    const map = [];
    let u = 0;
    for (const ch of text) {
      map.push(u);
      u += ch.length;
    }
    map.push(u);
    return map;
  }

  function collectSpans(a, reportId) {
    const out = [];
    const addAll = (records, kind, label, current) => {
      for (const rec of records || []) {
        for (const e of rec.evidence || []) {
          out.push({ start: e.start, end: e.end, text: e.text, kind, label: label(rec), current: current(rec) });
        }
      }
    };
    addAll(a.incidents, "incident", (r) => `incident: ${r.event_type || ""}${r.sub_event_type ? ` / ${r.sub_event_type}` : ""}`,
      (r) => r.report_id === reportId);
    addAll(a.quotes, "quote", (q) => `quote${q.speaker ? ` by ${q.speaker}` : ""}`, () => false);
    addAll(a.claims, "claim", (c) => `claim: ${c.qualifier ? `${c.qualifier} ` : ""}${c.value} ${c.unit || ""}${c.reported_by ? ` (per ${c.reported_by})` : ""}`, () => false);
    addAll(a.interactions, "interaction", (i) => `interaction: ${i.summary || i.cameo_root || ""}`, () => false);
    return out;
  }

  // The text as text nodes, with every evidence span inside <mark class="evidence">. Overlapping spans
  // split the text at every span boundary; each piece is marked with all the records it supports.
  function highlighted(text, spans) {
    const units = unitOffsets(text);
    const len = units ? units.length - 1 : text.length;
    const at = (cp) => (units ? units[cp] : cp);
    const good = [];
    let bad = 0;
    for (const s of spans) {
      const ok = Number.isInteger(s.start) && Number.isInteger(s.end) && s.start >= 0 && s.end <= len && s.start < s.end
        && text.slice(at(s.start), at(s.end)) === s.text;
      if (ok) good.push(s); else bad += 1;
    }
    const cuts = new Set([0, len]);
    for (const s of good) {
      cuts.add(s.start);
      cuts.add(s.end);
    }
    const points = [...cuts].sort((x, y) => x - y);
    const frag = document.createDocumentFragment();
    for (let i = 0; i < points.length - 1; i += 1) {
      const a = points[i];
      const b = points[i + 1];
      const piece = text.slice(at(a), at(b));
      const cover = good.filter((s) => s.start <= a && s.end >= b);
      if (!cover.length) {
        frag.appendChild(document.createTextNode(piece));
        continue;
      }
      const kinds = [...new Set(cover.map((s) => `ev-${s.kind}`))];
      if (cover.some((s) => s.current)) kinds.push("ev-current");
      const labels = [...new Set(cover.map((s) => s.label))];
      frag.appendChild(h("mark", { class: `evidence ${kinds.join(" ")}`, "data-start": a, "data-end": b, title: labels.join("\n") }, piece));
    }
    return { frag, bad, count: good.length };
  }

  function renderArticle(a, reportId) {
    const view = clear($("#article"));
    view.dataset.article = a.id;
    const close = h("button", { type: "button", class: "close", "aria-label": "Close article" }, "×");
    close.addEventListener("click", () => {
      clear(view).appendChild(h("p", { class: "placeholder" }, "Click a report to read its article."));
      delete view.dataset.article;
      for (const c of document.querySelectorAll("#event-panel .report.selected")) c.classList.remove("selected");
    });
    view.appendChild(h("div", { class: "panel-head" }, h("h2", null, a.title || a.id), close));
    const href = a.url ? safeHref(a.url) : null;
    view.appendChild(h("p", { class: "meta" },
      h("span", { class: "source" }, a.source || "unknown source"), " · ",
      h("span", { class: "date" }, a.date || "undated"),
      href ? [" · ", h("a", { href, target: "_blank", rel: "noopener noreferrer" }, "original")] : null));
    const spans = collectSpans(a, reportId);
    const { frag, bad, count } = highlighted(a.text || "", spans);
    view.appendChild(h("ul", { class: "legend marks" },
      h("li", null, h("mark", { class: "ev-current" }, "this report")),
      h("li", null, h("mark", { class: "ev-incident" }, "other incidents")),
      h("li", null, h("mark", { class: "ev-quote" }, "quotes")),
      h("li", null, h("mark", { class: "ev-claim" }, "figures")),
      h("li", null, h("mark", { class: "ev-interaction" }, "interactions"))));
    const body = h("div", { class: "article-text" });
    body.appendChild(frag);
    view.appendChild(body);
    let note = `${count} evidence span${count === 1 ? "" : "s"} highlighted.`;
    if (bad) note += ` ${bad} span${bad === 1 ? "" : "s"} did not match the text and ${bad === 1 ? "is" : "are"} not shown.`;
    view.appendChild(h("p", { class: "note" }, note));
    const first = body.querySelector("mark.ev-current");
    if (first) first.scrollIntoView({ block: "center" });
  }

  // ------------------------------------------------------------------ start
  async function start() {
    initTimeline();
    $("#filters").addEventListener("submit", (e) => {
      e.preventDefault();
      refresh();
    });
    $("#reset").addEventListener("click", () => {
      for (const k of FIELDS) $(`#${k}`).value = "";
      $("#min_confidence").value = "0";
      $("#disputed").checked = false;
      showConfidence();
      refresh();
    });
    $("#min_confidence").addEventListener("input", showConfidence);
    $("#min_confidence").addEventListener("change", () => refresh());
    $("#disputed").addEventListener("change", () => refresh());
    document.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && $("#article").dataset.article) $("#article .close").click();
    });
    try {
      state.config = await api("config");
    } catch (err) {
      setStatus(`Could not reach the server: ${err.message}`, true);
    }
    initMap();
    initSubmit();
    try {
      const t = await api("stats/types");
      fillTypes(sortTypes(t.types.map((x) => x.event_type)));
    } catch (_) {
      // the select keeps "All types"; refresh() reports the error
    }
    readUrl();
    await refresh();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
