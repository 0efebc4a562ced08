// The deposit form: keyword tags, technique search, "add a row". Works without it too.
(function setUp() {
  "use strict";
  // The admin loads its media in <head>: wait for the page.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
    return;
  }
  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    button.addEventListener("click", function () {
      var prefix = button.getAttribute("data-add-row");
      var body = document.querySelector('[data-rows="' + prefix + '"]');
      var last = body && body.lastElementChild;
      if (!last) return;
      var index = body.children.length;
      var row = last.cloneNode(true);
      row.querySelectorAll("input, select").forEach(function (input) {
        input.name = input.name.replace(/-\d+-/, "-" + index + "-");
        if (input.tagName === "INPUT") input.value = "";
      });
      row.querySelectorAll(".field-error").forEach(function (p) { p.remove(); });
      body.appendChild(row);
    });
  });
  document.querySelectorAll("[data-filter]").forEach(function (search) {
    var select = document.getElementById(search.getAttribute("data-filter"));
    search.addEventListener("input", function () {
      var q = search.value.toLowerCase();
      Array.prototype.forEach.call(select.options, function (o) {
        o.hidden = q && o.text.toLowerCase().indexOf(q) === -1 && !o.selected;
      });
    });
  });
  document.querySelectorAll("[data-tags]").forEach(function (input) {
    var list = input.parentNode.querySelector(".tags");
    function render() {
      list.innerHTML = "";
      input.value.split(",").map(function (s) { return s.trim(); }).filter(Boolean)
        .forEach(function (tag) {
          var li = document.createElement("li");
          li.className = "chip";
          li.textContent = tag;
          list.appendChild(li);
        });
    }
    input.addEventListener("input", render);
    render();
  });
})();
