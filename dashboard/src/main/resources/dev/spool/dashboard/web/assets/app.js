// Spool dashboard: polls the JSON API every 2 s and draws the current page. Data is only ever
// inserted as text (textContent), never as HTML.
"use strict";
const state = { me: null, page: "overview", taskId: "", timer: null, generation: 0 };

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") e.className = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function table(headers, rows, id) {
  const head = el("tr", {}, headers.map(h => el("th", { class: h.cls || "" }, h.label || h)));
  const body = rows.length ? rows : [el("tr", {}, el("td", { colspan: headers.length, class: "muted" }, "none"))];
  return el("div", { class: "scroll" }, el("table", id ? { id } : {}, el("thead", {}, head), el("tbody", {}, body)));
}

function ago(iso) {
  if (!iso) return "";
  return duration(Date.now() - Date.parse(iso)) + " ago";
}

function duration(ms) {
  if (ms < 0) ms = 0;
  if (ms < 1000) return ms + " ms";
  const s = ms / 1000;
  if (s < 60) return s.toFixed(1) + " s";
  if (s < 3600) return Math.floor(s / 60) + "m" + String(Math.floor(s % 60)).padStart(2, "0") + "s";
  return Math.floor(s / 3600) + "h" + String(Math.floor((s % 3600) / 60)).padStart(2, "0") + "m";
}

async function api(path, options) {
  const o = Object.assign({ headers: {} }, options || {});
  if (o.method === "POST") {
    o.headers["X-CSRF-Token"] = state.me.csrf;
    o.headers["Content-Type"] = "application/json";
  }
  const r = await fetch(path, o);
  if (r.status === 401) { location.href = "/login"; throw new Error("logged out"); }
  const body = await r.json();
  if (!r.ok) throw new Error(body.error || ("HTTP " + r.status));
  return body;
}

function notice(text) { document.getElementById("notice").textContent = text || ""; }

const pages = {
  async overview(main) {
    const d = await api("/api/overview");
    const s = d.status;
    const work = s.queues.filter(q => q.role === "work");
    const ready = work.reduce((a, q) => a + q.ready, 0);
    const running = work.reduce((a, q) => a + q.unacked, 0);
    const delayed = (s.delayed || []).reduce((a, q) => a + q.waiting + q.rateLimited, 0);
    const dead = s.queues.filter(q => q.role === "dead").reduce((a, q) => a + q.ready, 0);
    main.append(el("div", { class: "cards" },
      card("Ready", ready, "ready"), card("Running", d.running, "running"), card("Unacked", running, "unacked"), card("Delayed", delayed, "delayed"),
      card("Dead", dead, "dead", dead > 0), card("Workers", d.workers, "workers"),
      card("Locks held", (s.locks || []).length, "locks")));
    if (s.stateLost) main.append(el("p", { class: "bad" }, "SHARED STATE LOST: no lock is granted until 'spool-producer state accept-loss'."));
    main.append(el("h2", {}, "Throughput, last hour (tasks per minute: succeeded, failed)"), chart(d.history));
    if ((s.progress || []).length) {
      main.append(el("h2", {}, "In progress"), table(["Task", "Name", "Progress", { label: "Worker", cls: "wide" }],
        s.progress.map(p => el("tr", { "data-task": p.id }, el("td", { class: "id" }, el("a", { href: "#tasks/" + p.id }, p.id)), el("td", {}, p.name),
          el("td", {}, progress(p)), el("td", { class: "wide" }, p.worker))), "progress"));
    }
    main.append(el("h2", {}, "Queues"), table(
      ["Queue", "Role", { label: "Ready", cls: "num" }, { label: "Unacked", cls: "num" }, { label: "Consumers", cls: "num" },
       { label: "In /s", cls: "num wide" }, { label: "Acked /s", cls: "num wide" }],
      s.queues.map(q => el("tr", {}, el("td", {}, q.name), el("td", {}, q.role), el("td", { class: "num" }, q.ready),
        el("td", { class: "num" }, q.unacked), el("td", { class: "num" }, q.consumers),
        el("td", { class: "num wide" }, q.publishRate.toFixed(1)), el("td", { class: "num wide" }, q.ackRate.toFixed(1)))), "queues"));
    const o = s.objects || {};
    const bytes = Object.values(o.bytes || {}).reduce((a, b) => a + b, 0);
    main.append(el("p", { class: "muted" }, "Redis memory used by Spool's shared objects and task records, estimated: " + (bytes / 1024).toFixed(0) + " KiB"));
  },

  async workers(main) {
    const ws = await api("/api/workers");
    main.append(el("h2", {}, ws.length + " live worker(s)"));
    main.append(table(["Worker", "Queue", "State", { label: "Conc.", cls: "num" }, { label: "Done", cls: "num" },
      { label: "Failed", cls: "num" }, { label: "Uptime", cls: "wide" }, { label: "Version", cls: "wide" }],
      ws.map(w => el("tr", { "data-worker": w.id },
        el("td", {}, w.id), el("td", {}, w.queue),
        el("td", { class: w.state === "running" && w.rabbitmq === "up" ? "ok" : "bad" }, w.rabbitmq === "up" ? w.state : w.state + ", broker: " + w.rabbitmq),
        el("td", { class: "num" }, w.concurrency), el("td", { class: "num" }, w.stats.succeeded || 0),
        el("td", { class: "num" }, w.stats.failed || 0), el("td", { class: "wide" }, duration(Date.parse(w.reported) - Date.parse(w.started))),
        el("td", { class: "wide" }, w.version))), "workers"));
    main.append(el("h2", {}, "Running now"));
    const rows = [];
    for (const w of ws) for (const t of w.active) {
      rows.push(el("tr", { "data-task": t.id }, el("td", {}, el("a", { href: "#tasks/" + t.id }, t.id)), el("td", {}, t.name),
        el("td", {}, w.id), el("td", { class: "num" }, t.attempt), el("td", { class: "num" }, duration(t.runningMs))));
    }
    main.append(table(["Task", "Name", "Worker", { label: "Attempt", cls: "num" }, { label: "Running", cls: "num" }], rows, "active"));
    main.append(el("p", { class: "muted" }, "Workers report every 2 s; one that died leaves this list within 10 s."));
  },

  async tasks(main) {
    const input = el("input", { id: "task-id", placeholder: "task id", size: 40, value: state.taskId });
    const form = el("form", { id: "find", onsubmit: e => { e.preventDefault(); location.hash = "#tasks/" + input.value.trim(); } },
      input, " ", el("button", { type: "submit" }, "Find"));
    main.append(el("h2", {}, "Find a task by id"), form);
    if (!state.taskId) { await recentTasks(main); return; }
    const v = await api("/api/tasks/" + encodeURIComponent(state.taskId));
    const t = v.record, run = v.run;
    const st = shownState(t.state, run);
    // Refreshed while it runs, and until the task index has its run's end too.
    state.live = !ENDED.includes(st) || !run || lower(run.state) === "started";
    const dl = el("table", { id: "task" });
    const row = (k, val) => { if (val !== null && val !== undefined && val !== "") dl.append(el("tr", {}, el("th", {}, k), el("td", { "data-field": k }, val))); };
    row("Id", t.id); row("State", el("span", { class: "state " + st }, st)); row("Name", t.name || (run && run.name));
    if (v.workflow) row("Workflow", el("a", { href: "#workflows/" + v.workflow, id: "workflow-link" }, v.workflow));
    if (run && run.input) row("Input", el("code", {}, run.input));
    row("Submitted", t.submitted); row("Queued", run && run.queued); row("Due", t.due);
    row("Started", t.started || (run && run.started)); row("Finished", t.finished || (run && run.finished));
    if (run && run.runMs != null) row("Run time", duration(run.runMs));
    row("Attempts", t.attempts || (run && run.attempt)); row("Worker", t.worker || (run && run.worker));
    if (t.progress) row("Progress", progress(t.progress));
    if (t.resultJson) row("Result", el("pre", {}, t.resultJson));
    if (t.error) row("Error", el("pre", {}, t.error.type + ": " + t.error.message + "\n" + (t.error.stack || []).join("\n")));
    if (v.traceUrl) row("Trace", el("a", { href: v.traceUrl, id: "trace-link", target: "_blank", rel: "noopener noreferrer" }, run.traceId));
    main.append(el("div", { class: "scroll" }, dl));
    if (t.state === "UNKNOWN" && !run) main.append(el("p", { class: "muted" }, "Nothing known of this id: no kept result, and no consumer ran it in the last " + "10,000 tasks or day."));
    else if (t.state === "UNKNOWN") main.append(el("p", { class: "muted" }, "From the task index (its latest run); its result is not kept (TaskOptions.withKeepResult, --keep-result)."));
    if (state.me.role === "admin" && ["pending", "scheduled", "started", "retrying"].includes(st)) {
      main.append(el("button", { class: "danger", id: "cancel", onclick: async () => {
        if (!confirm("Cancel task " + t.id + "?")) return;
        const r = await api("/api/tasks/" + encodeURIComponent(t.id) + "/cancel", { method: "POST", body: "{}" });
        notice("cancelled " + r.cancelled);
      } }, "Cancel this task"));
    }
  },

  async workflows(main) {
    const input = el("input", { id: "workflow-id", placeholder: "workflow id", size: 40, value: state.taskId });
    main.append(el("h2", {}, "Find a workflow by id"),
      el("form", { id: "find-workflow", onsubmit: e => { e.preventDefault(); location.hash = "#workflows/" + input.value.trim(); } },
        input, " ", el("button", { type: "submit" }, "Find")));
    if (!state.taskId) {
      const flows = await api("/api/tasks?name=workflow");
      main.append(el("h2", {}, "Recent workflows"), table(["Workflow", "State", { label: "Run time", cls: "num wide" }, "Latest"],
        flows.map(t => el("tr", { "data-workflow": t.id }, el("td", {}, el("a", { href: "#workflows/" + t.id }, t.id)),
          el("td", {}, el("span", { class: "state " + lower(t.state) }, lower(t.state))),
          el("td", { class: "num wide" }, t.runMs == null ? "" : duration(t.runMs)), el("td", {}, ago(t.finished || t.started || t.queued)))), "workflows"));
      return;
    }
    let w;
    try { w = await api("/api/workflows/" + encodeURIComponent(state.taskId)); }
    catch (e) { main.append(el("p", { class: "bad", id: "workflow-missing" }, e.message)); state.live = false; return; }
    const st = lower(w.state);
    state.live = !ENDED.includes(st);
    // w.steps: how many steps are in each state (w.nodes is empty for one too big to draw).
    const total = Object.values(w.steps).reduce((a, b) => a + b, 0);
    const done = w.steps.succeeded || 0;
    main.append(el("h2", {}, "Workflow " + w.id + ": ", el("span", { class: "state " + st, id: "workflow-state" }, st)),
      el("p", { id: "workflow-progress" }, progress({ done, total, message: "steps succeeded" })));
    if (w.failedStep) main.append(el("p", { class: "bad", id: "failed-step" }, "Failed at step ", el("a", { href: "#tasks/" + w.failedStep }, w.failedStep)));
    if (w.record.error) main.append(el("pre", { id: "workflow-error" }, w.record.error.type + ": " + w.record.error.message));
    if (w.record.resultJson) main.append(el("p", {}, "Result: ", el("code", { id: "workflow-result" }, w.record.resultJson)));
    if (w.nodes.length) {
      main.append(el("div", { class: "scroll" }, el("div", { class: "flow", id: "graph" }, flowNode(w.nodes, 0))));
    } else {
      main.append(el("p", { id: "graph-summary" }, total + " steps, too many to draw: " +
        Object.entries(w.steps).map(([k, v]) => v + " " + k).join(", ")));
    }
    main.append(el("p", { class: "muted" }, "A chain runs left to right, each step on the one before's result; a group's members run side by side. Click a step for its task page."));
    if (state.me.role === "admin" && state.live) {
      main.append(el("button", { class: "danger", id: "cancel-workflow", onclick: async () => {
        if (!confirm("Cancel workflow " + w.id + " and its steps not yet ended?")) return;
        try { await api("/api/workflows/" + encodeURIComponent(w.id) + "/cancel", { method: "POST", body: "{}" }); notice("cancelled " + w.id); refresh(); }
        catch (e) { notice(e.message); }
      } }, "Cancel this workflow"));
    }
  },

  async dead(main) {
    const byQueue = await api("/api/dead");
    const admin = state.me.role === "admin";
    for (const [queue, letters] of Object.entries(byQueue)) {
      main.append(el("h2", {}, "Queue " + queue + ": " + letters.length + " dead letter(s) listed"));
      const checks = [];
      const rows = letters.map(l => {
        const box = el("input", { type: "checkbox", value: l.taskId });
        checks.push(box);
        return el("tr", { "data-task": l.taskId }, el("td", {}, admin ? box : ""), el("td", {}, el("a", { href: "#tasks/" + l.taskId }, l.taskId)), el("td", {}, l.taskName),
          el("td", {}, l.reason), el("td", {}, (l.errorType || "") + (l.errorMessage ? ": " + l.errorMessage : "")),
          el("td", { class: "num" }, l.attempts), el("td", { class: "wide" }, el("code", {}, l.arguments || "")));
      });
      main.append(table(["", "Task", "Name", "Reason", "Error", { label: "Attempts", cls: "num" }, { label: "Arguments", cls: "wide" }], rows, "dead-" + queue));
      if (!admin) { main.append(el("p", { class: "muted" }, "Read-only login: replay and purge need the admin login.")); continue; }
      const post = async (path, body, what) => {
        try { const r = await api(path, { method: "POST", body: JSON.stringify(body) }); notice(what(r)); refresh(); }
        catch (e) { notice(e.message); }
      };
      main.append(el("p", {},
        el("button", { id: "replay-selected", disabled: letters.length ? null : "disabled", onclick: () => {
          const ids = checks.filter(c => c.checked).map(c => c.value);
          if (!ids.length) { notice("select dead letters first"); return; }
          if (confirm("Replay " + ids.length + " dead letter(s) of " + queue + "?")) post("/api/dead/replay", { queue, ids }, r => "replayed " + r.replayed);
        } }, "Replay selected"), " ",
        el("button", { id: "replay-all", onclick: () => {
          if (confirm("Replay every dead letter of " + queue + "?")) post("/api/dead/replay", { queue, all: true }, r => "replayed " + r.replayed);
        } }, "Replay all"), " ",
        el("button", { class: "danger", id: "purge", onclick: () => {
          const typed = prompt("Purging deletes every dead letter of " + queue + " for good. Type the queue's name to confirm:");
          if (typed !== null) post("/api/dead/purge", { queue, confirm: typed }, r => "purged " + r.purged);
        } }, "Purge…")));
    }
    if (!Object.keys(byQueue).length) main.append(el("p", { class: "muted" }, "No work queues."));
  },

  async state(main) {
    const s = (await api("/api/overview")).status;
    main.append(el("h2", {}, "Locks held"), table(["Lock", "Holder", { label: "Held for", cls: "num" }, { label: "Lease left", cls: "num" }],
      (s.locks || []).map(l => el("tr", { "data-lock": l.name }, el("td", {}, l.name), el("td", {}, l.holder || ""),
        el("td", { class: "num" }, l.ageMs == null ? "?" : duration(l.ageMs)), el("td", { class: "num" }, l.expiresInMs == null ? "" : duration(l.expiresInMs)))), "locks"));
    const o = s.objects || { entries: [] };
    main.append(el("h2", {}, "Shared objects"), table(["Kind", "Name", { label: "Size", cls: "num" }, { label: "Expires in", cls: "num wide" }],
      (o.entries || []).map(e => el("tr", {}, el("td", {}, e.kind), el("td", {}, e.name), el("td", { class: "num" }, e.size),
        el("td", { class: "num wide" }, e.ttlMs == null ? "never" : duration(e.ttlMs)))), "objects"));
    main.append(el("h2", {}, "Schedules"), table(["Name", "When", "Task", "Next due", "Last fired"],
      (s.schedules || []).map(x => el("tr", {}, el("td", {}, x.name + (x.paused ? " (paused)" : "")), el("td", {}, x.when), el("td", {}, x.task),
        el("td", {}, x.nextDue || ""), el("td", {}, x.lastFired || ""))), "schedules"));
    main.append(el("h2", {}, "Delayed work"), table(["Queue", { label: "Waiting", cls: "num" }, { label: "Rate-limited", cls: "num" }, "Next due"],
      (s.delayed || []).map(x => el("tr", {}, el("td", {}, x.queue), el("td", { class: "num" }, x.waiting), el("td", { class: "num" }, x.rateLimited), el("td", {}, x.nextDue || ""))), "delayed"));
  },
};

const ENDED = ["succeeded", "failed", "cancelled", "dead", "not run", "unknown"];

function lower(x) { return String(x || "").toLowerCase(); }

// A kept record's state, or the task index's when there is no record.
function shownState(recordState, run) {
  const s = lower(recordState);
  return s === "unknown" && run ? lower(run.state) : s;
}

function progress(p) {
  const max = p.total > 0 ? p.total : Math.max(p.done, 1);
  return el("span", { class: "progress" }, el("progress", { max: max, value: Math.min(p.done, max) }),
    " " + (p.total > 0 ? p.done + " / " + p.total : p.done) + (p.message ? " " + p.message : ""));
}

// A workflow's node as nested boxes: a chain left to right with arrows, a group stacked.
function flowNode(nodes, i) {
  const n = nodes[i];
  if (n.kind === "task") {
    const st = n.state || "pending";
    return el("a", { class: "step state-box " + st.replace(" ", "-"), href: "#tasks/" + n.id, "data-step": n.id, title: n.id },
      el("b", {}, n.task), el("span", {}, st), n.run && n.run.runMs != null ? el("span", { class: "muted" }, duration(n.run.runMs)) : null);
  }
  const kids = n.children.map(c => flowNode(nodes, c));
  if (n.kind === "chain") {
    const parts = [];
    kids.forEach((k, j) => { if (j) parts.push(el("span", { class: "arrow" }, "→")); parts.push(k); });
    return el("div", { class: "chain" }, parts);
  }
  return el("div", { class: "group" }, kids);
}

// Every recent task (the task index) and kept tasks not started yet, filtered by name and state.
async function recentTasks(main) {
  const f = state.filter || (state.filter = { name: "", state: "" });
  const name = el("input", { id: "filter-name", placeholder: "task name", value: f.name });
  const select = el("select", { id: "filter-state" },
    ["", "pending", "scheduled", "started", "retrying", "succeeded", "failed", "cancelled", "dead"]
      .map(s => { const o = el("option", { value: s }, s || "any state"); if (s === f.state) o.selected = true; return o; }));
  const form = el("form", { id: "filter", onsubmit: e => { e.preventDefault(); f.name = name.value.trim(); f.state = select.value; refresh(); } },
    name, " ", select, " ", el("button", { type: "submit" }, "List"));
  main.append(el("h2", {}, "Recent tasks"), form);
  const q = new URLSearchParams();
  if (f.name) q.set("name", f.name);
  if (f.state) q.set("state", f.state);
  const tasks = await api("/api/tasks?" + q.toString());
  main.append(table(["Task", "Name", "State", { label: "Input", cls: "wide" }, { label: "Worker", cls: "wide" }, { label: "Att.", cls: "num wide" },
    { label: "Run time", cls: "num" }, "Latest"],
    tasks.map(t => el("tr", { "data-task": t.id }, el("td", { class: "id" }, el("a", { href: "#tasks/" + t.id }, t.id)), el("td", {}, t.name || ""),
      el("td", {}, el("span", { class: "state " + lower(t.state) }, lower(t.state))), el("td", { class: "wide" }, el("code", {}, t.input || "")),
      el("td", { class: "wide" }, t.worker || ""), el("td", { class: "num wide" }, t.attempts),
      el("td", { class: "num" }, t.runMs == null ? "" : duration(t.runMs)), el("td", {}, ago(t.finished || t.started || t.queued)))), "recent"));
  main.append(el("p", { class: "muted" }, "The 100 most recent: every task a consumer ran (the newest 10,000, for a day), and kept tasks not started yet."));
}

function card(label, value, id, bad) {
  return el("div", { class: "card", id: "card-" + id }, label, el("b", { class: bad ? "bad" : "" }, value));
}

function chart(points) {
  // One bar per minute, the hour across: succeeded (blue) with failed (red) stacked on top. Every
  // consumer adds what it did to Redis, so the hour is there from the moment the page opens.
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", "chart"); svg.setAttribute("viewBox", "0 0 60 100"); svg.setAttribute("preserveAspectRatio", "none");
  const peak = Math.max(0, ...points.map(p => p.succeeded + p.failed));
  const scale = 95 / Math.max(1, peak);
  const start = 60 - points.length;
  const bar = (x, y, h, color) => {
    if (h <= 0) return;
    const r = document.createElementNS(ns, "rect");
    r.setAttribute("x", x + 0.1); r.setAttribute("y", y); r.setAttribute("width", 0.8); r.setAttribute("height", h); r.setAttribute("fill", color);
    svg.append(r);
  };
  points.forEach((p, i) => {
    const ok = p.succeeded * scale, bad = p.failed * scale;
    bar(start + i, 100 - ok, ok, "#2e5aac");
    bar(start + i, 100 - ok - bad, bad, "#c4320a");
  });
  const total = points.reduce((a, p) => a + p.succeeded, 0);
  const failed = points.reduce((a, p) => a + p.failed, 0);
  const caption = total + failed > 0
    ? total + " succeeded, " + failed + " failed in the last hour; at most " + peak + " in a minute"
    : "no task ended in the last hour";
  return el("figure", { id: "history" }, svg, el("figcaption", { class: "muted" }, caption));
}

async function refresh() {
  const main = document.getElementById("page");
  const next = el("div", {});
  const generation = ++state.generation;
  try {
    await pages[state.page](next);
    // A slower answer for a page left since, or an older poll, must not replace a newer one.
    if (generation !== state.generation) return;
    main.replaceChildren(next);
    document.getElementById("updated").textContent = "updated " + new Date().toLocaleTimeString();
  } catch (e) {
    document.getElementById("updated").textContent = "update failed: " + e.message;
  }
}

function route() {
  const [page, ...rest] = (location.hash.slice(1) || "overview").split("/");
  state.page = pages[page] ? page : "overview";
  if (state.page === "tasks" || state.page === "workflows") state.taskId = decodeURIComponent(rest.join("/"));
  for (const a of document.querySelectorAll("nav a")) a.classList.toggle("active", a.dataset.page === state.page);
  notice("");
  refresh();
  clearInterval(state.timer);
  // The dead-letter page and the lists of tasks hold inputs: they are not redrawn under the
  // user's hands. A task's or a workflow's page is, while it runs (state.live).
  state.live = false;
  if (state.page === "tasks" || state.page === "workflows") {
    state.timer = setInterval(() => { if (state.taskId && state.live) refresh(); }, 2000);
  } else if (state.page !== "dead") state.timer = setInterval(refresh, 2000);
}

async function main() {
  state.me = await api("/api/me");
  document.getElementById("namespace").textContent = "namespace " + state.me.namespace;
  document.getElementById("who").textContent = state.me.user + " (" + state.me.role + ")";
  document.getElementById("logout").addEventListener("click", async () => {
    await api("/logout", { method: "POST", body: "{}" });
    location.href = "/login";
  });
  window.addEventListener("hashchange", route);
  route();
}
main();
