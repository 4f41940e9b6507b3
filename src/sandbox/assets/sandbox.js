// The warroom sandbox page: shows the stand-in's workspace like a Slack client and sends what
// the person does to the sandbox's page API, which turns it into signed requests to warroom.
// Polls /_sandbox/state every second; re-renders only what changed.
"use strict";

const app = {
  user: localStorage.getItem("sandbox.user") || "UONCALL",
  channel: localStorage.getItem("sandbox.channel") || "CGENERAL",
  thread: null, // the ts of the open thread
  state: null,
  rendered: "", // what the message panes were last drawn from
  modalKey: "", // the id and hash of the modal last drawn
};

const EMOJI = {
  rotating_light: "🚨", eyes: "👀", mega: "📣", white_check_mark: "✅", warning: "⚠️",
  page_facing_up: "📄", lock: "🔒", bell: "🔔", x: "❌", hourglass: "⏳", fire: "🔥",
  memo: "📝", red_circle: "🔴", large_green_circle: "🟢", large_yellow_circle: "🟡",
  alarm_clock: "⏰", arrow_up: "⬆️", arrow_down: "⬇️", clipboard: "📋", busts_in_silhouette: "👥",
  bust_in_silhouette: "👤", heavy_check_mark: "✔️", no_entry: "⛔", sos: "🆘", pushpin: "📌",
  mag: "🔍", wrench: "🔧", hammer_and_wrench: "🛠️", speech_balloon: "💬", closed_lock_with_key: "🔐",
  information_source: "ℹ️", calendar: "📅", stopwatch: "⏱️", zzz: "💤", repeat: "🔁", tada: "🎉",
  rewind: "⏪", performing_arts: "🎭", test_tube: "🧪", link: "🔗", scales: "⚖️", shield: "🛡️",
};

function esc(s) {
  return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

function nameOf(id) {
  return (app.state && app.state.names[id]) || id;
}

function channelName(id) {
  const c = app.state && app.state.channels.find((c) => c.id === id);
  return c ? c.name : id;
}

// Slack's mrkdwn, the basics: escapes, mentions, links, dates, bold, italic, strike, code.
function mrkdwn(text) {
  let s = esc(text);
  const codes = [];
  s = s.replace(/```([\s\S]*?)```/g, (_, c) => { codes.push(`<pre>${c}</pre>`); return `\u0000${codes.length - 1}\u0000`; });
  s = s.replace(/`([^`\n]+)`/g, (_, c) => { codes.push(`<code>${c}</code>`); return `\u0000${codes.length - 1}\u0000`; });
  s = s.replace(/&lt;@([UW][A-Z0-9]+)(?:\|[^&]*)?&gt;/g, (_, id) => `<span class="mention">@${esc(nameOf(id))}</span>`);
  s = s.replace(/&lt;#([CG][A-Z0-9]+)(?:\|([^&]*))?&gt;/g, (_, id) => `<a href="#" class="channel-mention" data-channel="${id}">#${esc(channelName(id))}</a>`);
  s = s.replace(/&lt;!subteam\^([A-Z0-9]+)(?:\|([^&]*))?&gt;/g, (_, id, label) => `<span class="mention">${label || "@group"}</span>`);
  s = s.replace(/&lt;!(here|channel|everyone)&gt;/g, (_, w) => `<span class="mention">@${w}</span>`);
  s = s.replace(/&lt;!date\^[^|]*\|([^&]*)&gt;/g, (_, fallback) => `<span class="date">${fallback}</span>`);
  s = s.replace(/&lt;(https?:\/\/[^|&]+(?:&amp;[^|&]+)*)(?:\|([^&]*(?:&amp;[^&]*)*))?&gt;/g, (_, url, label) => {
    const archive = url.match(/\/archives\/([CG][A-Z0-9]+)\/p(\d{10})(\d{6})/);
    if (archive) {
      return `<a href="#" class="permalink" data-channel="${archive[1]}" data-ts="${archive[2]}.${archive[3]}">${label || url}</a>`;
    }
    return `<a href="${url}" target="_blank" rel="noopener">${label || url}</a>`;
  });
  s = s.replace(/(^|[\s(])\*([^*\n]+)\*(?=$|[\s).,:;!?])/gm, "$1<b>$2</b>");
  s = s.replace(/(^|[\s(])_([^_\n]+)_(?=$|[\s).,:;!?])/gm, "$1<i>$2</i>");
  s = s.replace(/(^|[\s(])~([^~\n]+)~(?=$|[\s).,:;!?])/gm, "$1<s>$2</s>");
  s = s.replace(/:([a-z0-9_+-]+):/g, (m, name) => EMOJI[name] || m);
  s = s.replace(/^&gt; ?(.*)$/gm, "<blockquote>$1</blockquote>");
  s = s.replace(/\n/g, "<br>");
  return s.replace(/\u0000(\d+)\u0000/g, (_, i) => codes[Number(i)]);
}

function textObject(t) {
  if (!t) return "";
  return t.type === "mrkdwn" ? mrkdwn(t.text) : esc(t.text).replace(/:([a-z0-9_+-]+):/g, (m, n) => EMOJI[n] || m);
}

function options(element) {
  const flat = element.options || [];
  const grouped = (element.option_groups || []).flatMap((g) => g.options || []);
  return flat.concat(grouped);
}

// An interactive element in a message: its data attributes say what a click sends.
function messageElement(e, blockId) {
  const data = `data-action-id="${esc(e.action_id)}" data-block-id="${esc(blockId)}"`;
  switch (e.type) {
    case "button":
      return `<button class="block-button ${e.style ? "style-" + esc(e.style) : ""}" ${data}>${textObject(e.text)}</button>`;
    case "static_select":
    case "overflow": {
      const placeholder = e.type === "overflow" ? "⋯" : textObject(e.placeholder) || "Choose…";
      const opts = options(e).map((o) => `<option value="${esc(o.value)}">${textObject(o.text)}</option>`).join("");
      return `<select class="block-select block-${e.type}" ${data}><option value="">${placeholder}</option>${opts}</select>`;
    }
    case "users_select": {
      const opts = app.state.people.map((p) => `<option value="${p.id}">${esc(p.name)}</option>`).join("");
      return `<select class="block-select block-users_select" ${data}><option value="">${textObject(e.placeholder) || "Pick someone"}</option>${opts}</select>`;
    }
    case "datepicker":
      return `<input type="date" class="block-select block-datepicker" ${data} value="${esc(e.initial_date || "")}">`;
    case "checkboxes":
    case "radio_buttons":
      return options(e).map((o) => `<label class="choice"><input type="${e.type === "checkboxes" ? "checkbox" : "radio"}" class="block-choice" name="${esc(blockId + e.action_id)}" ${data} value="${esc(o.value)}">${textObject(o.text)}</label>`).join("");
    case "image":
      return "";
    default:
      return `<span class="unsupported">[${esc(e.type)}]</span>`;
  }
}

function renderBlocks(blocks, inModal) {
  return (blocks || []).map((b, i) => {
    const blockId = b.block_id || `b${i}`;
    switch (b.type) {
      case "header":
        return `<div class="block-header">${textObject(b.text)}</div>`;
      case "section": {
        const fields = b.fields ? `<div class="block-fields">${b.fields.map((f) => `<div>${textObject(f)}</div>`).join("")}</div>` : "";
        const accessory = b.accessory ? `<div class="accessory">${inModal ? modalElement(b.accessory, blockId) : messageElement(b.accessory, blockId)}</div>` : "";
        return `<div class="block-section"><div class="section-body">${b.text ? `<div>${textObject(b.text)}</div>` : ""}${fields}</div>${accessory}</div>`;
      }
      case "context":
        return `<div class="block-context">${(b.elements || []).map((e) => (e.type === "image" ? "" : `<span>${textObject(e)}</span>`)).join(" ")}</div>`;
      case "divider":
        return `<hr class="block-divider">`;
      case "actions":
        return `<div class="block-actions">${(b.elements || []).map((e) => (inModal ? modalElement(e, blockId) : messageElement(e, blockId))).join("")}</div>`;
      case "input":
        return inModal ? modalInput(b, blockId) : "";
      case "rich_text":
        return `<div>${esc(JSON.stringify(b.elements))}</div>`;
      default:
        return `<div class="unsupported">[${esc(b.type)} block]</div>`;
    }
  }).join("");
}

// A form element in a modal; its value is read back on submit.
function modalElement(e, blockId) {
  const data = `class="modal-field" data-block-id="${esc(blockId)}" data-action-id="${esc(e.action_id)}" data-kind="${esc(e.type)}"`;
  const initial = e.initial_option ? e.initial_option.value : "";
  const placeholder = e.placeholder ? esc(e.placeholder.text) : "";
  switch (e.type) {
    case "plain_text_input":
    case "email_text_input":
    case "url_text_input":
    case "number_input": {
      const v = esc(e.initial_value || "");
      if (e.multiline) return `<textarea ${data} placeholder="${placeholder}" rows="3">${v}</textarea>`;
      const type = e.type === "number_input" ? "number" : e.type === "email_text_input" ? "email" : "text";
      return `<input type="${type}" ${data} placeholder="${placeholder}" value="${v}">`;
    }
    case "static_select":
    case "external_select":
      return `<select ${data}><option value="">${placeholder || "Choose…"}</option>${options(e).map((o) => `<option value="${esc(o.value)}" ${o.value === initial ? "selected" : ""}>${textObject(o.text)}</option>`).join("")}</select>`;
    case "multi_static_select": {
      const chosen = (e.initial_options || []).map((o) => o.value);
      return `<select multiple ${data}>${options(e).map((o) => `<option value="${esc(o.value)}" ${chosen.includes(o.value) ? "selected" : ""}>${textObject(o.text)}</option>`).join("")}</select>`;
    }
    case "users_select":
      return `<select ${data}><option value="">${placeholder || "Pick someone"}</option>${app.state.people.map((p) => `<option value="${p.id}" ${p.id === e.initial_user ? "selected" : ""}>${esc(p.name)}</option>`).join("")}</select>`;
    case "multi_users_select":
      return `<select multiple ${data}>${app.state.people.map((p) => `<option value="${p.id}" ${(e.initial_users || []).includes(p.id) ? "selected" : ""}>${esc(p.name)}</option>`).join("")}</select>`;
    case "checkboxes":
    case "radio_buttons": {
      const chosen = (e.initial_options || (e.initial_option ? [e.initial_option] : [])).map((o) => o.value);
      const type = e.type === "checkboxes" ? "checkbox" : "radio";
      return `<div ${data}>${options(e).map((o) => `<label class="choice"><input type="${type}" name="${esc(blockId + "." + e.action_id)}" value="${esc(o.value)}" ${chosen.includes(o.value) ? "checked" : ""}>${textObject(o.text)}${o.description ? ` <small>${textObject(o.description)}</small>` : ""}</label>`).join("")}</div>`;
    }
    case "datepicker":
      return `<input type="date" ${data} value="${esc(e.initial_date || "")}">`;
    case "timepicker":
      return `<input type="time" ${data} value="${esc(e.initial_time || "")}">`;
    case "datetimepicker": {
      let v = "";
      if (e.initial_date_time) {
        const d = new Date(e.initial_date_time * 1000);
        v = new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
      }
      return `<input type="datetime-local" ${data} value="${v}">`;
    }
    case "button":
      return `<button type="button" class="block-button" disabled>${textObject(e.text)}</button>`;
    default:
      return `<span class="unsupported">[${esc(e.type)}]</span>`;
  }
}

function modalInput(b, blockId) {
  const label = b.label ? esc(b.label.text) : "";
  const id = `field-${blockId}`;
  return `<div class="modal-input" data-block-id="${esc(blockId)}">
    <label class="input-label" for="${esc(id)}">${label}${b.optional ? ' <span class="optional">(optional)</span>' : ""}</label>
    ${modalElement(b.element || {}, blockId).replace("class=\"modal-field\"", `class="modal-field" id="${esc(id)}" aria-label="${label}"`)}
    ${b.hint ? `<div class="hint">${textObject(b.hint)}</div>` : ""}
    <div class="field-error" data-error-for="${esc(blockId)}"></div>
  </div>`;
}

function messageHtml(m, opts) {
  const author = m.user ? nameOf(m.user) : "warroom";
  const files = (m.files || []).map((id) => {
    const f = app.state.files.find((f) => f.id === id);
    return `<a class="file" href="/_sandbox/files/${esc(id)}" target="_blank" rel="noopener">📄 ${esc(f ? f.title || f.name : id)}</a>`;
  }).join("");
  const body = m.blocks && m.blocks.length ? renderBlocks(m.blocks, false) : `<div class="text">${mrkdwn(m.text)}</div>`;
  const replies = app.state.messages.filter((r) => r.thread_ts === m.ts && r.ts !== m.ts && r.channel === m.channel);
  const thread = opts.top && replies.length ? `<a href="#" class="open-thread" data-ts="${m.ts}">${replies.length} ${replies.length === 1 ? "reply" : "replies"}</a>` : "";
  const actions = opts.ephemeral ? "" : `<span class="message-tools">${opts.top ? `<a href="#" class="open-thread" data-ts="${m.ts}">Reply in thread</a>` : ""}<select class="shortcut-menu" data-ts="${m.ts}" data-channel="${m.channel}" aria-label="More actions"><option value="">⋯</option>${app.state.shortcuts.map((s) => `<option value="${esc(s.callback_id)}">${esc(s.name)}</option>`).join("")}</select></span>`;
  const eph = opts.ephemeral ? `<div class="only-you">👁 Only visible to you <a href="#" class="dismiss" data-id="${m.id}">Dismiss</a></div>` : "";
  return `<div class="message ${opts.ephemeral ? "ephemeral" : ""} ${m.user ? "" : "from-bot"}" data-ts="${m.ts}" data-channel="${m.channel}" ${opts.ephemeral ? `data-ephemeral-id="${m.id}"` : ""}>
    ${eph}<div class="message-head"><span class="author">${esc(author)}</span>${m.user ? "" : ' <span class="app-badge">APP</span>'} <span class="ts">${time(m.ts)}</span>${m.edited ? ' <span class="edited">(edited)</span>' : ""}${actions}</div>
    <div class="message-body">${body}${files}</div>${thread}</div>`;
}

function time(ts) {
  return new Date(Number(ts.split(".")[0]) * 1000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

function byTs(a, b) {
  return Number(a.ts) - Number(b.ts);
}

// What each element was drawn from, so an unchanged message keeps its element (and whatever is
// being clicked in it) when the state is polled again.
const drawnFrom = new WeakMap();

// Makes `container`'s children the `items` ({key, html}) in order, replacing only those whose
// html changed.
function patch(container, items) {
  const existing = new Map(Array.from(container.children).map((el) => [el.dataset.key, el]));
  let previous = null;
  for (const { key, html } of items) {
    let el = existing.get(key);
    existing.delete(key);
    if (!el || drawnFrom.get(el) !== html) {
      const holder = document.createElement("div");
      holder.innerHTML = html;
      const fresh = holder.firstElementChild;
      fresh.dataset.key = key;
      drawnFrom.set(fresh, html);
      if (el) el.replaceWith(fresh);
      el = fresh;
    }
    const expected = previous ? previous.nextElementSibling : container.firstElementChild;
    if (expected !== el) container.insertBefore(el, expected);
    previous = el;
  }
  existing.forEach((el) => el.remove());
}

function renderShell() {
  document.getElementById("app").innerHTML = `
  <header id="topbar"><span class="brand">warroom sandbox</span>
    <label>You are <select id="user-switcher"></select></label>
    <span class="hint">A Slack stand-in on your machine: everything here reaches warroom as Slack would send it.</span></header>
  <nav id="sidebar"><div class="section-title">Channels</div><div id="channel-list"></div>
    <div class="section-title">Try</div><div class="tips">
    <code>/incident declare sev2 Checkout is failing</code><br><code>/incident declare</code> (the form)<br>
    <code>/incident declare restricted sev1 Leaked key</code><br><code>/incident help</code></div></nav>
  <main id="channel"><div id="channel-header"></div><div id="messages"></div>
    <form id="composer"><textarea id="composer-input" rows="2" placeholder="Message or /incident …"></textarea><button id="composer-send" type="submit">Send</button></form></main>
  <aside id="thread" hidden><div id="thread-header"><span>Thread</span><a href="#" id="thread-close">✕</a></div><div id="thread-messages"></div>
    <form id="thread-composer"><textarea id="thread-input" rows="2" placeholder="Reply… (@warroom to mention the bot)"></textarea><button id="thread-send" type="submit">Reply</button></form></aside>
  <div id="modal-backdrop" hidden><div id="modal" role="dialog"><div id="modal-title"></div><div id="modal-general-error" class="field-error"></div><div id="modal-body"></div>
    <div id="modal-buttons"><button id="modal-cancel" type="button">Cancel</button><button id="modal-submit" type="button">Submit</button></div></div></div>`;
}

function render() {
  const s = app.state;
  const switcher = document.getElementById("user-switcher");
  if (switcher.options.length !== s.people.length) {
    switcher.innerHTML = s.people.map((p) => `<option value="${p.id}">${esc(p.name)} — ${esc(p.title)}</option>`).join("");
  }
  switcher.value = app.user;
  if (!s.channels.some((c) => c.id === app.channel)) app.channel = "CGENERAL";
  const key = JSON.stringify([s.version, app.user, app.channel, app.thread]);
  if (key !== app.rendered) {
    app.rendered = key;
    document.getElementById("channel-list").innerHTML = s.channels.map((c) => `<a href="#" class="channel-link ${c.id === app.channel ? "active" : ""}" data-channel="${c.id}" id="channel-${c.id}">${c.private ? "🔒" : "#"} ${esc(c.name)}</a>`).join("");
    const channel = s.channels.find((c) => c.id === app.channel);
    document.getElementById("channel-header").innerHTML = `${channel.private ? "🔒" : "#"} ${esc(channel.name)}`;
    const top = s.messages.filter((m) => m.channel === app.channel && !m.thread_ts).map((m) => ({ m, e: false }));
    const eph = s.ephemerals.filter((e) => e.channel === app.channel && !e.thread_ts).map((m) => ({ m, e: true }));
    const list = document.getElementById("messages");
    const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 40;
    const items = top.concat(eph).sort((a, b) => byTs(a.m, b.m)).map(({ m, e }) => ({ key: e ? `e${m.id}` : m.ts, html: messageHtml(m, { top: !e, ephemeral: e }) }));
    patch(list, items.length ? items : [{ key: "empty", html: '<div class="empty">No messages yet.</div>' }]);
    if (atBottom) list.scrollTop = list.scrollHeight;
    renderThread();
  }
  renderModal();
}

function renderThread() {
  const pane = document.getElementById("thread");
  const s = app.state;
  const parent = app.thread && s.messages.find((m) => m.ts === app.thread && m.channel === app.channel);
  if (!parent) {
    pane.hidden = true;
    return;
  }
  pane.hidden = false;
  const replies = s.messages.filter((m) => m.thread_ts === parent.ts && m.ts !== parent.ts && m.channel === app.channel).map((m) => ({ m, e: false }));
  const eph = s.ephemerals.filter((e) => e.thread_ts === parent.ts).map((m) => ({ m, e: true }));
  const list = document.getElementById("thread-messages");
  const opened = list.dataset.parent !== parent.ts;
  const atBottom = list.scrollTop + list.clientHeight >= list.scrollHeight - 40;
  list.dataset.parent = parent.ts;
  patch(list, [{ key: "parent", html: messageHtml(parent, { top: false }) }, { key: "rule", html: '<hr class="thread-rule">' }].concat(
    replies.concat(eph).sort((a, b) => byTs(a.m, b.m)).map(({ m, e }) => ({ key: e ? `e${m.id}` : m.ts, html: messageHtml(m, { top: false, ephemeral: e }) }))));
  if (opened || atBottom) list.scrollTop = list.scrollHeight;
}

function renderModal() {
  const views = app.state.views;
  const top = views[views.length - 1];
  const backdrop = document.getElementById("modal-backdrop");
  if (!top) {
    backdrop.hidden = true;
    app.modalKey = "";
    return;
  }
  const key = `${app.user}/${top.id}/${top.hash}`;
  if (key !== app.modalKey) {
    app.modalKey = key;
    const v = top.view;
    document.getElementById("modal-title").textContent = v.title ? v.title.text : "";
    document.getElementById("modal-body").innerHTML = renderBlocks(v.blocks, true);
    document.getElementById("modal-submit").textContent = v.submit ? v.submit.text : "Submit";
    document.getElementById("modal-submit").hidden = !v.submit;
    document.getElementById("modal-cancel").textContent = v.close ? v.close.text : "Cancel";
    document.getElementById("modal").dataset.viewId = top.id;
  }
  backdrop.hidden = false;
  const errors = top.errors || {};
  document.querySelectorAll("#modal-body .field-error").forEach((el) => {
    el.textContent = errors[el.dataset.errorFor] || "";
  });
  document.getElementById("modal-general-error").textContent = errors[""] || "";
}

function fieldValue(el) {
  switch (el.dataset.kind) {
    case "checkboxes":
      return Array.from(el.querySelectorAll("input:checked")).map((i) => i.value);
    case "radio_buttons": {
      const chosen = el.querySelector("input:checked");
      return chosen ? chosen.value : "";
    }
    case "multi_static_select":
    case "multi_users_select":
      return Array.from(el.selectedOptions).map((o) => o.value);
    case "datetimepicker":
      return el.value ? String(Math.floor(new Date(el.value).getTime() / 1000)) : "";
    default:
      return el.value;
  }
}

async function post(path, body) {
  const response = await fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) showProblem(answer.error || `HTTP ${response.status}`);
  await refresh();
  return answer;
}

function showProblem(text) {
  let el = document.getElementById("problem");
  if (!el) {
    el = document.createElement("div");
    el.id = "problem";
    document.body.appendChild(el);
  }
  el.textContent = text;
  setTimeout(() => { el.textContent = ""; }, 5000);
}

async function refresh() {
  try {
    const response = await fetch(`/_sandbox/state?user=${encodeURIComponent(app.user)}`);
    if (!response.ok) return;
    app.state = await response.json();
    render();
  } catch (e) {
    showProblem("The sandbox is not answering: is `warroom sandbox` still running?");
  }
}

function clickTarget(el) {
  const message = el.closest(".message");
  return {
    user: app.user,
    channel: message.dataset.channel,
    ts: message.dataset.ts,
    ephemeral: message.dataset.ephemeralId ? Number(message.dataset.ephemeralId) : null,
    action_id: el.dataset.actionId,
    block_id: el.dataset.blockId,
  };
}

function wire() {
  document.addEventListener("click", (event) => {
    const el = event.target;
    if (el.matches(".message .block-button")) {
      post("/_sandbox/act", clickTarget(el));
    } else if (el.matches(".channel-link, .channel-mention, .permalink")) {
      event.preventDefault();
      app.channel = el.dataset.channel;
      app.thread = el.classList.contains("permalink") ? el.dataset.ts : null;
      localStorage.setItem("sandbox.channel", app.channel);
      render();
    } else if (el.matches(".open-thread")) {
      event.preventDefault();
      app.thread = el.dataset.ts;
      render();
    } else if (el.matches("#thread-close")) {
      event.preventDefault();
      app.thread = null;
      render();
    } else if (el.matches(".dismiss")) {
      event.preventDefault();
      post("/_sandbox/dismiss", { user: app.user, id: Number(el.dataset.id) });
    } else if (el.matches("#modal-submit")) {
      const values = {};
      document.querySelectorAll("#modal-body .modal-field").forEach((f) => {
        (values[f.dataset.blockId] ||= {})[f.dataset.actionId] = fieldValue(f);
      });
      post("/_sandbox/submit", { user: app.user, view_id: document.getElementById("modal").dataset.viewId, values });
    } else if (el.matches("#modal-cancel")) {
      post("/_sandbox/close", { user: app.user, view_id: document.getElementById("modal").dataset.viewId });
    }
  });
  document.addEventListener("change", (event) => {
    const el = event.target;
    if (el.matches("#user-switcher")) {
      app.user = el.value;
      localStorage.setItem("sandbox.user", app.user);
      app.modalKey = "";
      refresh();
    } else if (el.matches(".message .block-select") && el.value) {
      post("/_sandbox/act", { ...clickTarget(el), value: el.value });
    } else if (el.matches(".message .block-choice")) {
      const boxes = el.closest(".message").querySelectorAll(`.block-choice[data-action-id="${el.dataset.actionId}"]:checked`);
      post("/_sandbox/act", { ...clickTarget(el), value: Array.from(boxes).map((b) => b.value).join(",") });
    } else if (el.matches(".shortcut-menu") && el.value) {
      post("/_sandbox/shortcut", { user: app.user, channel: el.dataset.channel, ts: el.dataset.ts, callback_id: el.value });
    }
  });
  const send = (input, thread) => async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    await post("/_sandbox/say", { user: app.user, channel: app.channel, text, thread_ts: thread() });
  };
  const composer = document.getElementById("composer-input");
  const threadInput = document.getElementById("thread-input");
  document.getElementById("composer").addEventListener("submit", send(composer, () => null));
  document.getElementById("thread-composer").addEventListener("submit", send(threadInput, () => app.thread));
  for (const [input, form] of [[composer, "composer"], [threadInput, "thread-composer"]]) {
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) {
        event.preventDefault();
        document.getElementById(form).requestSubmit();
      }
    });
  }
}

renderShell();
wire();
refresh();
setInterval(refresh, 1000);
