/* execcoord: behaviour wired by data attributes (the CSP forbids inline scripts). */
(function () {
  "use strict";

  /* Search-as-you-type pickers: <select data-autocomplete-url="/autocomplete/app.model/">.

     The server searches; Tom Select only shows. With searchField: [] every option Tom Select
     holds counts as a match for whatever is in the box, so what it holds must be the server's
     answer to the text in the box (and the chosen records), and nothing else. Its own loading
     does not keep that: whatever an earlier text loaded (the empty preload's every record)
     stays on offer until an answer for the new text replaces it; its load debounce marks a
     text in loadedSearches and never asks for it again until clearOptions(), so a text
     deleted and typed again before its answer came was not asked for, and the empty box's
     later request won; and closing or choosing empties the box without an input event, so
     the last answer stayed on offer for the empty box. Here each answer is shown only while
     the text it was asked for is in the box, whatever order the answers arrive in, and before
     the list is drawn for a text with no answer yet the old offer is dropped and that text
     is asked for. */
  var ASK_DELAY_MS = 250; /* a request goes out once the typing has paused this long */
  var FAILED = '<div class="no-results ec-search-failed">The search failed: type or reopen ' +
    "the list to try again</div>";

  function initAutocomplete(select) {
    if (select.tomselect || typeof TomSelect === "undefined") return;
    var url = select.getAttribute("data-autocomplete-url");
    /* data-autocomplete-prefer-from="id_lead_unit": the records of that choice come first
       (the lead unit's people for the accountable person) */
    var source = document.getElementById(select.getAttribute("data-autocomplete-prefer-from") || "");
    function preferred() {
      return source && source.value ? "&prefer=" + encodeURIComponent(source.value) : "";
    }
    var answered = null; /* the text whose answer is on offer */
    var failed = false; /* that answer is a failed request: nothing to offer */
    var asking = null; /* the text asked for last, whose answer is awaited */
    var waiting = null; /* a request not sent yet: {timer, callback} */
    var picker;

    function forget() {
      /* drop what was offered for another text; the chosen records stay (clearFilter) */
      picker.clearOptions();
      answered = null;
      failed = false;
    }

    function answer(text, callback, results, ok) {
      if (asking === text) asking = null;
      if (text !== picker.inputValue()) {
        callback(); /* the box says something else now: its own answer is on its way */
        return;
      }
      forget();
      answered = text;
      failed = !ok;
      /* in the server's order, after the records kept (the empty choice, the chosen):
         Tom Select numbers new options from its own counter, which can repeat the numbers
         the options of the page's <select> were given, and would mix them in */
      var last = 0;
      Object.keys(picker.options).forEach(function (key) {
        last = Math.max(last, picker.options[key].$order || 0);
      });
      results.forEach(function (result, i) { result.$order = last + i + 1; });
      callback(results);
    }

    function send(text, callback) {
      fetch(url + "?q=" + encodeURIComponent(text) + preferred(), { credentials: "same-origin",
        headers: { "Accept": "application/json" } })
        .then(function (r) {
          if (!r.ok) throw new Error("HTTP " + r.status);
          return r.json();
        })
        .then(function (data) { answer(text, callback, data.results, true); },
              function () { answer(text, callback, [], false); });
    }

    /* Tom Select calls this with the text it means (the preload with ""); the text asked
       for is the one in the box, which is the one the answer will be shown against. */
    function load(query, callback) {
      var text = picker.inputValue();
      if (text !== answered) forget();
      asking = text;
      if (waiting) {
        /* superseded before it was sent: Tom Select still counts it as loading */
        clearTimeout(waiting.timer);
        waiting.callback();
      }
      waiting = { callback: callback, timer: setTimeout(function () {
        waiting = null;
        send(text, callback);
      }, ASK_DELAY_MS) };
    }

    picker = new TomSelect(select, {
      valueField: "id",
      labelField: "text",
      searchField: [],
      preload: "focus",
      /* no debounce of Tom Select's own (nor its loadedSearches): load() waits itself */
      loadThrottle: null,
      refreshThrottle: 0,
      maxOptions: 20,
      allowEmptyOption: true,
      /* a single choice is made: close the list at once, so the next click lands where
         it is aimed instead of on a control that shrinks as its list closes */
      closeAfterSelect: !select.multiple,
      plugins: select.multiple ? ["remove_button"] : ["clear_button"],
      load: load,
      shouldLoad: function () { return true; },
      render: {
        no_results: function () {
          return failed ? FAILED : '<div class="no-results">No matching records</div>';
        }
      }
    });
    /* Whenever the list is drawn for a text that is neither answered nor asked for (the
       box emptied on closing or choosing, without an input event), drop the stale offer
       and ask: the list then shows Tom Select's loading sign until the answer comes. */
    picker.hook("before", "refreshOptions", function () {
      var text = picker.inputValue();
      if (picker.isFocused && text !== asking && text !== answered) picker.load(text);
    });
    /* say that the search failed even when the empty choice is all there is to show */
    picker.hook("after", "refreshOptions", function () {
      var list = picker.dropdown_content;
      if (failed && !list.querySelector(".ec-search-failed")) {
        list.insertAdjacentHTML("afterbegin", FAILED);
      }
    });
    /* a failed search is tried again when the list is next opened (not in a loop) */
    picker.on("dropdown_close", function () { if (failed) forget(); });
    /* Tom Select points the label at its own combobox, which is what people use; the
       original select stays in the page only to be submitted: keep it out of the
       accessibility tree so it is neither announced twice nor nameless (axe: select-name). */
    select.setAttribute("aria-hidden", "true");
    if (source) {
      /* another lead unit: what was offered no longer comes first */
      source.addEventListener("change", function () { picker.clearOptions(); });
    }
  }

  /* A table wider than the screen scrolls: make the scrolling box reachable by keyboard
     and give it the table's name (WCAG 2.1.1). */
  function markScrollable(box) {
    var scrolls = box.scrollWidth > box.clientWidth + 1;
    if (scrolls && !box.hasAttribute("tabindex")) {
      var caption = box.querySelector("caption");
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", (caption ? caption.textContent.trim() : "Table") +
        " (scrolls sideways)");
      box.setAttribute("data-ec-scrollable", "");
    } else if (!scrolls && box.hasAttribute("data-ec-scrollable")) {
      ["tabindex", "role", "aria-label", "data-ec-scrollable"].forEach(function (name) {
        box.removeAttribute(name);
      });
    }
  }
  function markAllScrollable() {
    document.querySelectorAll(".table-responsive").forEach(markScrollable);
  }

  /* "Select all" checkbox of bulk-action tables. */
  function initSelectAll(box) {
    box.addEventListener("change", function () {
      var table = box.closest("table");
      table.querySelectorAll('tbody input[type="checkbox"][name="pk"]').forEach(function (cb) {
        cb.checked = box.checked;
      });
    });
  }

  /* A filter form sends only the fields that have a value: without this a list's URL
     carried forty empty parameters (the server redirects such a URL the same way when the
     script has not run). */
  function dropEmptyFields(form) {
    form.addEventListener("formdata", function (event) {
      var data = event.formData;
      var kept = [];
      data.forEach(function (value, key) {
        if (!(typeof value === "string" && value === "")) kept.push([key, value]);
      });
      Array.from(new Set(Array.from(data.keys()))).forEach(function (key) { data.delete(key); });
      kept.forEach(function (pair) { data.append(pair[0], pair[1]); });
    });
  }

  /* "Due in N business days": <input data-business-days-target="id_due_date"
     data-today="2026-12-01" data-holidays="2026-12-25,..."> sets the date field and says the
     date, counted as the server counts (actions/business_days.py: weekends and the federal
     holidays it lists skipped; 0 is today, or the next business day). */
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
  var WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

  function isoDay(date) { return date.toISOString().slice(0, 10); }

  function initBusinessDays(input) {
    var target = document.getElementById(input.getAttribute("data-business-days-target"));
    var today = input.getAttribute("data-today");
    var holidays = (input.getAttribute("data-holidays") || "").split(",");
    var output = document.createElement("output");
    output.className = "form-text d-block";
    output.id = input.id + "_result";
    output.setAttribute("aria-live", "polite");
    output.setAttribute("for", input.id);
    input.insertAdjacentElement("afterend", output);
    input.setAttribute("aria-describedby",
      ((input.getAttribute("aria-describedby") || "") + " " + output.id).trim());
    function businessDay(date) {
      var day = date.getUTCDay();
      return day !== 0 && day !== 6 && holidays.indexOf(isoDay(date)) === -1;
    }
    function update() {
      var count = parseInt(input.value, 10);
      if (!today || isNaN(count) || count < 0 || String(count) !== input.value.trim()) {
        output.textContent = "";
        return;
      }
      var date = new Date(today + "T00:00:00Z");
      var remaining = count;
      if (remaining === 0) {
        while (!businessDay(date)) date.setUTCDate(date.getUTCDate() + 1);
      }
      while (remaining > 0) {
        date.setUTCDate(date.getUTCDate() + 1);
        if (businessDay(date)) remaining -= 1;
      }
      if (target) target.value = isoDay(date);
      output.textContent = "Due " + WEEKDAYS[date.getUTCDay()] + " " + date.getUTCDate() + " " +
        MONTHS[date.getUTCMonth()] + " " + date.getUTCFullYear() + ".";
    }
    input.addEventListener("input", update);
    update();
  }

  /* A related panel drawn closed: <details data-url="…/panel/<relation>/"> whose
     [data-ec-rows] holds a link to the list (the way without a script). Opened the first
     time, the rows the server draws for the panel replace the link; a failed request keeps
     the link and is tried again at the next opening. A panel the reader opened stays open
     when they come back to the page in the same tab (after posting an update, the
     timeline shows it), through sessionStorage. */
  function initLazyRows(details) {
    var state = "closed";
    var key = "ec-open:" + details.getAttribute("data-url");
    details.addEventListener("toggle", function () {
      try {
        if (details.open) sessionStorage.setItem(key, "1");
        else sessionStorage.removeItem(key);
      } catch (e) { /* storage off: panels simply open closed */ }
      if (!details.open || state !== "closed") return;
      var target = details.querySelector("[data-ec-rows]");
      state = "loading";
      target.setAttribute("aria-busy", "true");
      fetch(details.getAttribute("data-url"), { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error(String(response.status));
          return response.text();
        })
        .then(function (html) {
          target.innerHTML = html;
          state = "loaded";
          markAllScrollable();
        })
        .catch(function () { state = "closed"; })
        .then(function () { target.removeAttribute("aria-busy"); });
    });
    try {
      if (sessionStorage.getItem(key)) details.open = true;
    } catch (e) { /* storage off */ }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("details[data-url]").forEach(initLazyRows);
    document.querySelectorAll("input[data-business-days-target]").forEach(initBusinessDays);
    document.querySelectorAll("form[data-ec-drop-empty]").forEach(dropEmptyFields);
    document.querySelectorAll("select[data-autocomplete-url]").forEach(initAutocomplete);
    document.querySelectorAll("input.js-select-all").forEach(initSelectAll);
    markAllScrollable();
    window.addEventListener("resize", markAllScrollable);
    window.addEventListener("load", markAllScrollable);
  });
})();
