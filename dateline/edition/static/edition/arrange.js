/* The edition's board on the desk: drag a story card to another place or slot, or move it
   from the keyboard (Move up / Move down / Move to…, or Alt+Arrow keys on a focused card).
   Every move saves the whole order at once, with the version it was drawn from; a refused
   save reloads the page, which then shows the order as it is and the reason (the server puts
   it in the desk's messages). Without this script the board stays hidden and the table form
   below does the same job. */
(function () {
  "use strict";
  var board = document.getElementById("edition-board");
  if (!board || !window.fetch) { return; }
  var status = document.getElementById("edition-board-status");
  var alertBox = document.getElementById("edition-board-alert");
  var slots = Array.prototype.slice.call(board.querySelectorAll(".edition-slot"));
  var dragged = null;
  var saving = Promise.resolve();
  var refusedOnce = false;  /* then the page is reloading: later moves are not sent */

  function cardsOf(slot) { return Array.prototype.slice.call(slot.querySelectorAll(".edition-card")); }
  function slotOf(card) { return card.closest(".edition-slot"); }
  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function announce(card) {
    var slot = slotOf(card);
    var place = cardsOf(slot).indexOf(card) + 1;
    status.textContent = "Moved ‘" + card.dataset.headline + "’ to position " + place +
      " in " + slot.dataset.label + ".";
  }

  function refresh() {
    slots.forEach(function (slot) {
      var count = cardsOf(slot).length;
      slot.querySelector(".edition-slot-count").textContent = "(" + count + ")";
      slot.classList.toggle("is-empty", count === 0);
    });
  }

  function order() {
    return slots.map(function (slot) {
      return {
        column: slot.dataset.column,
        section: slot.dataset.section ? Number(slot.dataset.section) : null,
        items: cardsOf(slot).map(function (card) { return Number(card.dataset.item); })
      };
    });
  }

  /* The table form below must not undo a move when it is saved: give it the new places. */
  function syncTable(items) {
    document.querySelectorAll("input[name^='items-'][name$='-id']").forEach(function (idField) {
      var place = items[idField.value];
      if (!place) { return; }
      var prefix = idField.name.slice(0, -"id".length);
      var column = document.querySelector("[name='" + prefix + "column']");
      var position = document.querySelector("[name='" + prefix + "position']");
      var seen = document.querySelector("[name='" + prefix + "seen_state']");
      if (column) { column.value = place.column; }
      if (position) { position.value = place.position; }
      // What the row now shows is what is stored: a table save after this move is no
      // colleague's change to refuse (newsroom.desk.seen).
      if (seen && place.seen) { seen.value = place.seen; }
    });
  }

  function refused(message) {
    refusedOnce = true;
    alertBox.textContent = message + " Reloading…";
    window.setTimeout(function () { window.location.reload(); }, 1200);
  }

  function save() {
    saving = saving.then(function () {
      if (refusedOnce) { return; }
      board.setAttribute("aria-busy", "true");
      return fetch(board.dataset.arrangeUrl, {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken()},
        body: JSON.stringify({version: board.dataset.version, groups: order()})
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (answer) {
          /* A login page after a lost session is a 200 too, but not the answer expected. */
          if (!response.ok || !answer.version) {
            throw new Error(answer.error || "The order was not saved.");
          }
          board.dataset.version = answer.version;
          syncTable(answer.items);
          board.dataset.saved = String(Number(board.dataset.saved || 0) + 1);
        });
      }).catch(function (error) { refused(error.message); })
        .then(function () { board.removeAttribute("aria-busy"); });
    });
  }

  function leadTaken(slot, card) {
    if (slot.dataset.column !== "lead") { return false; }
    var others = cardsOf(slot).filter(function (other) { return other !== card; });
    if (others.length === 0) { return false; }
    status.textContent = "The edition has one lead story: move ‘" + others[0].dataset.headline +
      "’ elsewhere first.";
    return true;
  }

  /* Put `card` in `slot` before `before` (null: at the end), save, and say where it went. */
  function place(card, slot, before, focus) {
    if (leadTaken(slot, card)) { return; }
    var list = slot.querySelector(".edition-cards");
    if (before === card) { return; }
    list.insertBefore(card, before);
    refresh();
    announce(card);
    if (focus) { focus.focus(); }
    save();
  }

  function moveBy(card, step, focus) {
    var slot = slotOf(card);
    var cards = cardsOf(slot);
    var at = cards.indexOf(card) + step;
    if (at < 0 || at >= cards.length) {
      status.textContent = "‘" + card.dataset.headline + "’ is already " +
        (step < 0 ? "first" : "last") + " in " + slot.dataset.label + ".";
      return;
    }
    place(card, slot, step < 0 ? cards[at] : cards[at].nextElementSibling, focus);
  }

  function moveToSlot(card, slot, focus) {
    if (slot === slotOf(card)) { return; }
    place(card, slot, null, focus);
  }

  /* "Move to…": a list of the other slots, filled when it is opened. */
  function fillMenu(details) {
    var card = details.closest(".edition-card");
    var menu = details.querySelector(".edition-move-menu");
    menu.textContent = "";
    slots.forEach(function (slot) {
      if (slot === slotOf(card)) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "edition-move-target";
      button.textContent = slot.dataset.label;
      button.addEventListener("click", function () {
        details.open = false;
        moveToSlot(card, slot, card);
      });
      menu.appendChild(button);
    });
  }

  board.addEventListener("click", function (event) {
    /* Filled on the click that opens it (Enter and Space click too), so that the next Tab
       already finds the slots; the toggle event would come a moment later. */
    var summary = event.target.closest(".edition-move-to summary");
    if (summary && !summary.parentElement.open) { fillMenu(summary.parentElement); }
    var button = event.target.closest("button[data-move]");
    if (!button) { return; }
    moveBy(button.closest(".edition-card"), button.dataset.move === "up" ? -1 : 1, button);
  });

  board.addEventListener("keydown", function (event) {
    var card = event.target.classList && event.target.classList.contains("edition-card")
      ? event.target : null;
    if (!card || !event.altKey) { return; }
    var slotIndex = slots.indexOf(slotOf(card));
    if (event.key === "ArrowUp" || event.key === "ArrowDown") {
      moveBy(card, event.key === "ArrowUp" ? -1 : 1, card);
    } else if (event.key === "ArrowLeft" && slotIndex > 0) {
      moveToSlot(card, slots[slotIndex - 1], card);
    } else if (event.key === "ArrowRight" && slotIndex < slots.length - 1) {
      moveToSlot(card, slots[slotIndex + 1], card);
    } else {
      return;
    }
    event.preventDefault();
  });

  board.addEventListener("dragstart", function (event) {
    dragged = event.target.closest(".edition-card");
    if (!dragged) { return; }
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.item);
    dragged.classList.add("is-dragged");
  });

  board.addEventListener("dragend", function () {
    if (dragged) { dragged.classList.remove("is-dragged"); }
    dragged = null;
    slots.forEach(function (slot) { slot.classList.remove("is-target"); });
  });

  board.addEventListener("dragover", function (event) {
    var slot = event.target.closest(".edition-slot");
    if (!dragged || !slot) { return; }
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    slots.forEach(function (other) { other.classList.toggle("is-target", other === slot); });
  });

  board.addEventListener("drop", function (event) {
    var slot = event.target.closest(".edition-slot");
    if (!dragged || !slot) { return; }
    event.preventDefault();
    /* Before the first card whose middle is below the pointer; else at the end. */
    var before = cardsOf(slot).filter(function (card) {
      if (card === dragged) { return false; }
      var box = card.getBoundingClientRect();
      return event.clientY < box.top + box.height / 2;
    })[0] || null;
    var card = dragged;
    slot.classList.remove("is-target");
    place(card, slot, before, card);
  });

  board.hidden = false;
  document.body.classList.add("edition-arranging");
  refresh();
})();
