// Open Strike: the one script, embedded in the binary. Pages work without it; with it they
// stay current. The server's event stream says only "something changed" (no content); the
// script then fetches this same page and swaps the parts marked data-live, leaving forms
// (and anything being typed) alone. The fetch says it is a live refresh, so it never takes
// the message a form left for the page the browser is being redirected to.
(function () {
  "use strict";

  var refreshing = false;
  var again = false;

  function swapLive(html) {
    var fresh = new DOMParser().parseFromString(html, "text/html");
    document.querySelectorAll("[data-live][id]").forEach(function (old) {
      var next = fresh.getElementById(old.id);
      if (next && next.innerHTML !== old.innerHTML) {
        old.innerHTML = next.innerHTML;
      }
    });
    document.documentElement.setAttribute("data-refreshed", String(Date.now()));
  }

  function refresh() {
    if (refreshing) { again = true; return; }
    refreshing = true;
    // The query too: a guide's old revision or a diff stays what it was after a refresh.
    fetch(window.location.pathname + window.location.search, { credentials: "same-origin", headers: { "Accept": "text/html", "X-Live-Refresh": "1" } })
      .then(function (r) {
        if (r.redirected || r.status === 401) { window.location.assign("/login"); return null; }
        return r.ok ? r.text() : null;
      })
      .then(function (html) { if (html) { swapLive(html); } })
      .catch(function () {})
      .then(function () {
        refreshing = false;
        if (again) { again = false; refresh(); }
      });
  }

  function listen() {
    if (!document.querySelector("[data-live]")) { return; }
    if (!window.EventSource) { window.setInterval(refresh, 5000); return; }
    var source = new EventSource("/events");
    source.addEventListener("change", refresh);
    source.onopen = function () { document.documentElement.setAttribute("data-live-stream", "open"); };
    source.onerror = function () {
      // The node stopped or the session ended: look again in a while.
      source.close();
      document.documentElement.setAttribute("data-live-stream", "closed");
      window.setTimeout(listen, 5000);
    };
  }

  // "Copy" buttons copy the value of the field they name.
  document.addEventListener("click", function (e) {
    var button = e.target.closest ? e.target.closest("button[data-copy]") : null;
    if (!button) { return; }
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) { return; }
    field.select();
    if (navigator.clipboard) {
      navigator.clipboard.writeText(field.value).then(function () { button.textContent = "Copied"; });
    }
  });

  // "3 d left" as the server writes it (minutes under two hours, hours under two days).
  function span(minutes) {
    if (minutes < 120) { return minutes + " min"; }
    if (minutes < 48 * 60) { return Math.floor(minutes / 60) + " h"; }
    return Math.floor(minutes / (24 * 60)) + " d";
  }

  // Deadlines count down between refreshes: an element with data-deadline (unix seconds)
  // shows the time left, or how long ago it passed.
  function tick() {
    var now = Date.now() / 1000;
    document.querySelectorAll("[data-deadline]").forEach(function (e) {
      var left = Math.round((Number(e.getAttribute("data-deadline")) - now) / 60);
      e.textContent = left < 0 ? "passed " + span(-left) + " ago" : span(left) + " left";
    });
  }

  function start() {
    listen();
    // Pages whose state moves with the clock (a request going overdue) refresh each minute.
    if (document.querySelector("[data-live-tick]")) { window.setInterval(refresh, 60000); }
    if (document.querySelector("[data-deadline]")) { window.setInterval(tick, 30000); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
