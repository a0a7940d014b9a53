// The pipeline board: drag and drop between columns (SortableJS), the move dialog, focus.
// Everything here has a plain-HTML fallback: each card's "Move…" link opens the move form as
// a page of its own, and "Load more" opens a page of the column.
(function () {
  "use strict";

  var pending = null;    // a dropped card waiting for the server or the dialog: where it came from
  var returnTo = null;   // the party whose card gets the focus back when the dialog closes
  var refocus = null;    // the same, kept for a moment while a finished move redraws columns
  var closing = false;   // a finished move closed the dialog; its close event is still to come
  var moved = false;     // the dialog's move went through (the columns were redrawn)

  function dialog() { return document.getElementById("move-dialog"); }

  function csrfHeaders() {
    try { return JSON.parse(document.body.getAttribute("hx-headers") || "{}"); } catch (e) { return {}; }
  }

  function stageOf(list) {
    var column = list.closest(".board-column");
    return {
      id: column.dataset.stageId,
      position: Number(column.dataset.position),
      terminal: column.dataset.terminal === "1"
    };
  }

  // The same rule as ladder.is_down: ending, or a lower rung, needs a reason (the dialog).
  function isDown(from, to) {
    return to.terminal || (!from.terminal && to.position < from.position);
  }

  function putBack(drop) {
    if (drop && drop.from.isConnected) {
      drop.from.insertBefore(drop.item, drop.from.children[drop.index] || null);
    }
  }

  function say(text) {
    var status = document.getElementById("board-status");
    if (status) {
      var line = document.createElement("p");
      line.className = "flash flash-error";
      line.textContent = text;
      status.replaceChildren(line);
    }
  }

  function withParam(url, name, value) {
    return url + (url.indexOf("?") < 0 ? "?" : "&") + name + "=" + encodeURIComponent(value);
  }

  function onDrop(event) {
    if (event.from === event.to) { return; }
    var item = event.item;
    var from = stageOf(event.from);
    var to = stageOf(event.to);
    var url = item.dataset.moveUrl;
    pending = { item: item, from: event.from, index: event.oldIndex };
    returnTo = item.dataset.partyId;
    if (isDown(from, to)) {
      // A reason is required: the dialog asks for it; cancelling puts the card back.
      htmx.ajax("GET", withParam(url, "to", to.id), { source: item, target: "#move-dialog-body" });
      return;
    }
    htmx.ajax("POST", url, {
      source: item,
      target: "#move-dialog-body",
      headers: csrfHeaders(),
      values: { to_stage_id: to.id, expected_stage_id: from.id, reason_id: "", comment: "" }
    });
  }

  function makeSortable(list) {
    var board = list.closest(".board");
    if (!board || board.dataset.canMove !== "1" || list.dataset.sortable || !window.Sortable) { return; }
    list.dataset.sortable = "1";
    window.Sortable.create(list, {
      group: "board",
      sort: false,                // the server orders a column; only moves between columns count
      draggable: ".board-card",
      filter: ".board-more",
      preventOnFilter: false,
      delay: 200,                 // on touch screens a short press starts a drag, a swipe scrolls
      delayOnTouchOnly: true,
      animation: 120,
      ghostClass: "board-card-ghost",
      chosenClass: "board-card-chosen",
      onEnd: onDrop
    });
  }

  function focusCard(partyId) {
    var button = partyId && document.querySelector("#card-" + partyId + " .card-move");
    if (button) { button.focus(); }
  }

  // The reason is required for a move down or an ending; say so as the target changes.
  function syncReason(form) {
    var target = form.querySelector("[name=to_stage_id]");
    var reason = form.querySelector("[name=reason_id]");
    var hint = reason && document.getElementById(reason.id + "-hint");
    if (!target || !reason) { return; }
    var down = (form.dataset.downStages || "").split(",").indexOf(target.value) >= 0;
    reason.setAttribute("aria-required", down ? "true" : "false");
    if (hint) { hint.textContent = down ? form.dataset.requiredHint : form.dataset.optionalHint; }
  }

  htmx.onLoad(function (root) {
    var lists = root.matches && root.matches(".board-cards") ? [root] : root.querySelectorAll(".board-cards");
    Array.prototype.forEach.call(lists, makeSortable);

    if (root.matches && root.matches(".board-card")) {
      // A card loaded with "Load more" replaces the copy pinned at the top after a move.
      var list = root.parentNode;
      var copy = list && list.querySelector('.board-card.pinned[data-party-id="' + root.dataset.partyId + '"]');
      if (copy && copy !== root) { copy.remove(); }
      if (root.hasAttribute("data-first-loaded")) {
        root.removeAttribute("data-first-loaded");
        // "Load more" went away with the swap: keep a keyboard user where the new cards start.
        if (!document.activeElement || document.activeElement === document.body) {
          root.querySelector(".card-name").focus();
        }
      }
    }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var link = event.detail.elt;
    if (link && link.matches && link.matches(".card-move")) {
      returnTo = link.closest(".board-card").dataset.partyId;
      pending = null;
    }
  });

  // SortableJS animates with inline styles (through the CSSOM, which the CSP allows). htmx would
  // copy such a style attribute onto the redrawn card while settling, which the CSP blocks.
  document.addEventListener("htmx:beforeSwap", function () {
    Array.prototype.forEach.call(document.querySelectorAll(".board [style]"), function (el) {
      el.removeAttribute("style");
    });
  });

  // The browser hands the focus back to the dialog's opener, which the redrawn columns
  // replace. For a few seconds after a move, until the user presses a key or the pointer,
  // whenever the focus is not on the card (lost with a redraw, or taken by anything else),
  // put it back on the card.
  function refocusSoon() {
    if (!refocus) { return; }
    var partyId = refocus;
    var acted = false;
    function userActed() { acted = true; }
    function restore() {
      if (acted) { return; }
      var card = document.getElementById("card-" + partyId);
      var active = document.activeElement;
      if (card && !(active && card.contains(active))) { focusCard(partyId); }
    }
    var observer = new MutationObserver(restore);
    observer.observe(document.body, { childList: true, subtree: true });
    document.addEventListener("keydown", userActed, true);
    document.addEventListener("pointerdown", userActed, true);
    document.addEventListener("focusin", restore);
    restore();
    window.setTimeout(function () {
      restore();
      observer.disconnect();
      document.removeEventListener("keydown", userActed, true);
      document.removeEventListener("pointerdown", userActed, true);
      document.removeEventListener("focusin", restore);
      if (refocus === partyId) { refocus = null; }
    }, 4000);
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "move-dialog-body") { return; }
    // htmx wires new content up only when it settles; until then an Enter in the re-rendered
    // form would submit it natively (a full page load). Wire it up now.
    if (window.htmx) { window.htmx.process(target); }
    var form = target.querySelector(".move-form");
    if (form) { syncReason(form); }
    var box = dialog();
    if (box && !box.open) {
      moved = false;
      box.showModal();
    }
  });

  // A move that failed outright (403, 404, a dropped connection): the card goes back.
  function failed(event) {
    var board = document.querySelector(".board");
    if (pending) {
      putBack(pending);
      pending = null;
      if (board) { say(board.dataset.failedText); }
    }
  }
  document.addEventListener("htmx:responseError", failed);
  document.addEventListener("htmx:sendError", failed);

  // Whatever way a move finished, a focus lost with the redrawn columns lands on the moved
  // card (the focus is never taken from anything else here). Only the latest move counts, and
  // only until the user presses a key or the pointer: an earlier drag must not pull the focus
  // back to its card while a later move redraws the columns.
  var stopCatching = null;
  function catchLostFocus(partyId) {
    if (stopCatching) { stopCatching(); }
    function restore() {
      var active = document.activeElement;
      if (!active || active === document.body || !document.contains(active)) {
        focusCard(partyId);
      }
    }
    var observer = new MutationObserver(restore);
    var timer = window.setTimeout(function () { restore(); stop(); }, 4000);
    function stop() {
      observer.disconnect();
      window.clearTimeout(timer);
      document.removeEventListener("keydown", stop, true);
      document.removeEventListener("pointerdown", stop, true);
      if (stopCatching === stop) { stopCatching = null; }
    }
    stopCatching = stop;
    observer.observe(document.body, { childList: true, subtree: true });
    document.addEventListener("keydown", stop, true);
    document.addEventListener("pointerdown", stop, true);
    window.setTimeout(function () { if (stopCatching === stop) { restore(); } }, 0);
  }

  document.body.addEventListener("board-moved", function (event) {
    if (event.detail && event.detail.id) { catchLostFocus(event.detail.id); }
    pending = null;
    var box = dialog();
    if (box && box.open) {
      moved = true;
      closing = true;  // the close event comes later: keep where the focus goes back to
      box.close();
    } else if (!closing && event.detail && event.detail.id) {
      moved = true;
      returnTo = null;  // a drag: the pointer is where the user looks, leave the focus alone
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-close-dialog]")) {
      var box = dialog();
      if (box && box.open) { box.close(); }
    }
  });

  document.addEventListener("change", function (event) {
    var form = event.target.closest && event.target.closest(".move-form");
    if (form && event.target.name === "to_stage_id") { syncReason(form); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector(".move-form");
    if (form) { syncReason(form); }
    var box = dialog();
    if (!box) { return; }
    // Escape, Cancel or a finished move: put a cancelled drop back, and the focus on the card.
    box.addEventListener("close", function () {
      closing = false;
      if (!moved) { putBack(pending); }
      pending = null;
      document.getElementById("move-dialog-body").replaceChildren();
      focusCard(returnTo);
      // After a move the columns are swapped in a moment, replacing the card: focus it again then.
      refocus = moved ? returnTo : null;
      returnTo = null;
      refocusSoon();
    });
  });
})();
