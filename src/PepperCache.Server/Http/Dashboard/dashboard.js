// PepperCache dashboard: polls this node's /cluster/nodes and every member's /dashboard/stats once a second and
// draws members, slot owners, figures and rebalance progress. No library, nothing loaded from elsewhere.
"use strict";

const SLOT_COUNT = 16384;
const POLL_MS = 1000;
const PALETTE = ["#b3261e", "#1f6feb", "#1b7f3b", "#b36b00", "#7b3fb3", "#0b7a85", "#c2185b", "#5d6b00",
                 "#6d4c41", "#3949ab", "#00897b", "#e65100"];

// Previous stats per member id, to turn command totals into ops/s.
const previous = new Map();
// Stable colours: a member keeps its colour while the page is open.
const colours = new Map();

function colourOf(id) {
  if (!colours.has(id)) {
    colours.set(id, PALETTE[colours.size % PALETTE.length]);
  }
  return colours.get(id);
}

function formatBytes(bytes) {
  if (bytes == null) return "–";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return (unit === 0 ? value : value.toFixed(1)) + " " + units[unit];
}

function formatCount(n) {
  return n == null ? "–" : Number(n).toLocaleString("en-US");
}

// A member's own stats: this node's relative to the page, the others' on their admin port.
function statsUrl(member) {
  return member.myself ? "/dashboard/stats" : `http://${member.host}:${member.adminPort}/dashboard/stats`;
}

async function fetchJson(url) {
  const response = await fetch(url, { cache: "no-store" });
  if (!response.ok) {
    throw new Error(`${url}: HTTP ${response.status}`);
  }
  return response.json();
}

async function fetchStats(member) {
  if (member.state === "failed" || member.state === "left") {
    return null;
  }
  try {
    return await fetchJson(statsUrl(member));
  } catch {
    return null;
  }
}

function parseRanges(text) {
  if (!text) return [];
  return text.split(",").map(part => {
    const [start, end] = part.split("-").map(Number);
    return [start, end === undefined ? start : end];
  });
}

// Every slot gets its own pixel: 16 rows of 1,024 slots, each row STRIP_ROW_HEIGHT pixels tall. The slot map
// spreads a member's slots in many small ranges, which a one-row strip could not show at this width.
const STRIP_COLUMNS = 1024;
const STRIP_ROW_HEIGHT = 4;

function rgb(hex) {
  return [1, 3, 5].map(i => parseInt(hex.slice(i, i + 2), 16));
}

function drawSlots(members) {
  const canvas = document.getElementById("slots");
  const rows = SLOT_COUNT / STRIP_COLUMNS;
  canvas.width = STRIP_COLUMNS;
  canvas.height = rows * STRIP_ROW_HEIGHT;
  const context = canvas.getContext("2d");
  const image = context.createImageData(canvas.width, canvas.height);
  // Unowned slots stay light grey.
  image.data.fill(229);
  for (const member of members) {
    const [r, g, b] = rgb(colourOf(member.id));
    for (const [start, end] of parseRanges(member.slotRanges)) {
      for (let slot = start; slot <= end; slot++) {
        const x = slot % STRIP_COLUMNS;
        const top = Math.floor(slot / STRIP_COLUMNS) * STRIP_ROW_HEIGHT;
        for (let y = top; y < top + STRIP_ROW_HEIGHT; y++) {
          const at = (y * canvas.width + x) * 4;
          image.data[at] = r;
          image.data[at + 1] = g;
          image.data[at + 2] = b;
          image.data[at + 3] = 255;
        }
      }
    }
  }
  context.putImageData(image, 0, 0);

  const legend = document.getElementById("legend");
  legend.replaceChildren(...members.filter(m => m.slots > 0).map(member => {
    const item = document.createElement("span");
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = colourOf(member.id);
    item.append(swatch, `${member.host}:${member.port} ${formatCount(member.slots)} slots`);
    return item;
  }));
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function drawMembers(members, stats) {
  const rows = members.map((member, i) => {
    const s = stats[i];
    const before = previous.get(member.id);
    let ops = null;
    if (s && before && s.time > before.time) {
      ops = Math.max(0, (s.commands - before.commands) * 1000 / (s.time - before.time));
    }
    if (s) previous.set(member.id, s);
    const lookups = s ? s.hits + s.misses : 0;
    const tr = document.createElement("tr");
    tr.dataset.memberId = member.id;
    tr.dataset.state = member.state;
    if (member.myself) tr.className = "myself";
    const swatch = document.createElement("td");
    const dot = document.createElement("span");
    dot.className = "swatch";
    dot.style.background = colourOf(member.id);
    swatch.append(dot);
    tr.append(
      swatch,
      cell(member.id.slice(0, 10)),
      cell(`${member.host}:${member.port}`),
      cell(member.state, "state-" + member.state),
      cell(formatCount(member.slots)),
      cell(formatCount(s ? s.keys : member.keys)),
      cell(s ? formatBytes(s.usedMemory) : "–"),
      cell(s ? formatBytes(s.rss) : "–"),
      cell(s ? formatCount(s.clients) : "–"),
      cell(ops == null ? "–" : formatCount(Math.round(ops))),
      cell(lookups > 0 ? (100 * s.hits / lookups).toFixed(1) + " %" : "–"));
    return tr;
  });
  document.getElementById("members").replaceChildren(...rows);
}

function drawRebalance(members, stats) {
  const moving = [];
  members.forEach((member, i) => {
    const progress = (stats[i] && stats[i].rebalance) || member.rebalance;
    if (progress && progress.running) moving.push([member, progress]);
  });
  const box = document.getElementById("rebalance");
  if (moving.length === 0) {
    const p = document.createElement("p");
    p.className = "quiet";
    p.textContent = "No slots moving.";
    box.replaceChildren(p);
    return;
  }
  box.replaceChildren(...moving.map(([member, progress]) => {
    const div = document.createElement("div");
    div.className = "progress";
    const share = progress.slotsToMove > 0 ? progress.slotsMoved / progress.slotsToMove : 0;
    const label = document.createElement("div");
    label.textContent = `${member.host}:${member.port}: ${formatCount(progress.slotsMoved)} of ${formatCount(progress.slotsToMove)} slots, ` +
      `${formatCount(progress.keysMoved)} keys, ${formatBytes(progress.bytesMoved)} moved`;
    const bar = document.createElement("div");
    bar.className = "bar";
    const fill = document.createElement("div");
    fill.style.width = (100 * share).toFixed(1) + "%";
    bar.append(fill);
    div.append(label, bar);
    return div;
  }));
}

async function refresh() {
  const error = document.getElementById("error");
  try {
    const members = await fetchJson("/cluster/nodes");
    const stats = await Promise.all(members.map(fetchStats));
    drawSlots(members);
    drawMembers(members, stats);
    drawRebalance(members, stats);
    const serving = members.filter(m => m.state === "alive" || m.state === "leaving").length;
    const keys = stats.reduce((sum, s, i) => sum + (s ? s.keys : (members[i].keys || 0)), 0);
    document.getElementById("summary").textContent =
      `${members.length} members, ${serving} serving, ${formatCount(keys)} keys`;
    document.getElementById("updated").textContent = "updated " + new Date().toLocaleTimeString("en-GB");
    document.body.dataset.members = String(members.length);
    error.hidden = true;
  } catch (e) {
    error.textContent = "Cannot reach this node's admin API: " + e.message;
    error.hidden = false;
  } finally {
    setTimeout(refresh, POLL_MS);
  }
}

refresh();
