// Hotline work pages: live countdowns, the new-urgent-order cue, keyboard shortcuts.
(function () {
  "use strict";

  function remaining(ms) {
    var late = ms < 0, m = Math.round(Math.abs(ms) / 60000), d = Math.floor(m / 1440),
        h = Math.floor((m % 1440) / 60), mm = m % 60;
    var text = (d ? d + " 天 " : "") + (d || h ? h + " 小时 " : "") + mm + " 分";
    return (late ? "已超时 " : "剩余 ") + text;
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll(".countdown[data-deadline]").forEach(function (el) {
      var ms = Date.parse(el.dataset.deadline) - now;
      el.textContent = remaining(ms);
      el.classList.toggle("late", ms < 0);
    });
  }

  // A short two-tone beep with WebAudio (no sound file needed).
  function beep() {
    try {
      var ctx = new (window.AudioContext || window.webkitAudioContext)();
      [880, 660].forEach(function (freq, i) {
        var o = ctx.createOscillator(), g = ctx.createGain();
        o.frequency.value = freq; o.connect(g); g.connect(ctx.destination);
        g.gain.value = 0.15; o.start(ctx.currentTime + i * 0.25); o.stop(ctx.currentTime + i * 0.25 + 0.2);
      });
    } catch (e) { /* audio may be blocked until the user interacts; the banner still shows */ }
  }

  var knownUrgent = null;
  function watchUrgent(root) {
    var marker = root.querySelector("[data-urgent-ids]");
    if (!marker) return;
    var ids = marker.dataset.urgentIds ? marker.dataset.urgentIds.split(",") : [];
    if (knownUrgent !== null) {
      var fresh = ids.filter(function (id) { return knownUrgent.indexOf(id) < 0; });
      if (fresh.length) {
        var banner = document.getElementById("new-urgent");
        if (banner) banner.hidden = false;
        document.title = "【新紧急工单】" + document.title.replace(/^【新紧急工单】/, "");
        beep();
      }
    }
    knownUrgent = ids;
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    setInterval(tick, 30000);
    var rows = document.querySelector("[data-watch-urgent]");
    if (rows) watchUrgent(rows);

    // Ctrl+Enter submits the intake form from anywhere in it — once: the page ignores a second
    // press while the first submit is on its way (the server also recognises the form's
    // submission key, so a resent form never makes a second order).
    document.querySelectorAll("form[data-ctrl-enter-submit]").forEach(function (form) {
      var sent = false;
      form.addEventListener("submit", function (ev) {
        if (sent) { ev.preventDefault(); return; }
        sent = true;
      });
      form.addEventListener("keydown", function (ev) {
        if ((ev.ctrlKey || ev.metaKey) && ev.key === "Enter") {
          ev.preventDefault();
          if (sent) return;
          var button = form.querySelector("button[name=register]");
          if (button) form.requestSubmit(button); else form.requestSubmit();
        }
      });
      // Ticking a vulnerable-person box is an explicit choice that overrides triage.
      form.querySelectorAll("#vulnerable-checks input").forEach(function (box) {
        box.addEventListener("change", function () {
          document.getElementById("id_vulnerable_set").value = "1";
        });
      });
    });

    // The description's length, said as the agent types or pastes: past the limit the text is
    // kept (nothing is cut off silently) and the agent is told how much to shorten it.
    document.querySelectorAll("textarea[data-max-chars]").forEach(function (area) {
      var max = parseInt(area.dataset.maxChars, 10);
      var out = document.getElementById(area.getAttribute("aria-describedby"));
      function count() {
        if (!out) return;
        var n = area.value.length;
        out.textContent = n > max ? "已输入 " + n + " 字，超出上限 " + (n - max) + " 字：请概括要点后再登记"
                                  : "已输入 " + n + " / " + max + " 字";
        out.classList.toggle("over", n > max);
      }
      area.addEventListener("input", count);
      count();
    });

    // Searchable pickers (unit, town): a box before the select narrows its options to the
    // names (or codes) containing what is typed and picks the first match; the select still
    // sends the code, so the list's links with codes keep working.
    document.querySelectorAll("select[data-picker]").forEach(function (select) {
      var box = document.createElement("input");
      box.type = "search";
      box.className = "picker-filter";
      box.placeholder = select.dataset.picker;
      box.setAttribute("aria-label", select.dataset.picker);
      box.setAttribute("aria-controls", select.id);
      box.autocomplete = "off";
      select.parentNode.insertBefore(box, select);
      box.addEventListener("input", function () {
        var q = box.value.trim().toLowerCase(), first = null;
        Array.prototype.forEach.call(select.options, function (opt) {
          if (!opt.value) return;
          var hit = !q || opt.text.toLowerCase().indexOf(q) >= 0 || opt.value.indexOf(q) === 0 ||
            (opt.parentNode.label || "").toLowerCase().indexOf(q) >= 0;
          opt.hidden = !hit;
          opt.disabled = !hit;
          if (hit && first === null) first = opt;
        });
        select.querySelectorAll("optgroup").forEach(function (group) {
          group.hidden = !group.querySelector("option:not([hidden])");
        });
        var current = select.options[select.selectedIndex];
        if (q && first && (!current || !current.value || current.hidden)) first.selected = true;
        if (q && !first) select.value = "";
      });
    });

    // Clicking a suggested article fills the first-contact citation.
    document.addEventListener("click", function (ev) {
      var cite = ev.target.closest ? ev.target.closest("button.cite") : null;
      if (!cite) return;
      var field = document.getElementById("id_article_key");
      if (field) {
        field.value = cite.dataset.article;
        var details = field.closest("details");
        if (details) details.open = true;
      }
    });
  });

  document.addEventListener("htmx:afterSwap", function (ev) {
    tick();
    if (ev.detail.target && ev.detail.target.matches("[data-watch-urgent]")) watchUrgent(ev.detail.target);
  });
})();
