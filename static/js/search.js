// Progressive enhancement of /search/: the page works without this file.
// - ticking a facet or changing sort/page size submits the form at once;
// - "Add condition" adds a row for another scientific-metadata condition;
// - the unit list follows the chosen key (units from /api/v1/search/keys).
(function () {
  "use strict";
  var form = document.getElementById("search-form");
  if (!form) return;

  function submit() {
    // Drop the empty condition rows and the default values so URLs stay short.
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  // On phones the filters fold into a drawer, so the first result is on the first screen.
  var drawer = document.getElementById("filters-drawer");
  if (drawer && window.matchMedia) {
    var phone = window.matchMedia("(max-width: 900px)");
    var fold = function () { drawer.open = !phone.matches; };
    fold();
    if (phone.addEventListener) phone.addEventListener("change", fold);
  }

  form.querySelectorAll(".facet-values input[type=checkbox], select[data-autosubmit]").forEach(function (el) {
    el.addEventListener("change", submit);
  });

  var rows = document.getElementById("condition-rows");
  var add = document.getElementById("add-condition");
  if (rows && add) {
    add.hidden = false;
    add.addEventListener("click", function () {
      var all = rows.querySelectorAll("[data-row]");
      var last = all[all.length - 1];
      var copy = last.cloneNode(true);
      var n = all.length;
      copy.querySelectorAll("input, select, label").forEach(function (el) {
        if (el.id) el.id = el.id.replace(/-\d+$/, "-" + n);
        if (el.htmlFor) el.htmlFor = el.htmlFor.replace(/-\d+$/, "-" + n);
        if (el.tagName === "INPUT") el.value = "";
      });
      var legend = copy.querySelector("legend");
      // The page wrote "Condition 1" in its language: only the number changes.
      if (legend) legend.textContent = legend.textContent.replace(/\d+\s*$/, String(n + 1));
      rows.appendChild(copy);
      copy.querySelector("input").focus();
    });
  }

  // Suggest the units in use for the chosen key first.
  var keyList = document.getElementById("sci-keys");
  var unitList = document.getElementById("sci-units");
  if (keyList && unitList) {
    var allUnits = Array.prototype.map.call(unitList.options, function (o) { return o.value; });
    form.addEventListener("change", function (event) {
      var input = event.target;
      if (input.name !== "ck") return;
      var option = keyList.querySelector('option[value="' + CSS.escape(input.value) + '"]');
      var units = option && option.dataset.units ? option.dataset.units.split("|") : [];
      var ordered = units.concat(allUnits.filter(function (u) { return units.indexOf(u) < 0; }));
      unitList.innerHTML = "";
      ordered.forEach(function (u) {
        var o = document.createElement("option");
        o.value = u;
        unitList.appendChild(o);
      });
    });
  }
})();
