// Switching language keeps what was typed: the page's form values go to sessionStorage (this tab only) when a
// language link is followed, and are put back once on the same page in the other language. Passwords, files
// and hidden values (the CSRF token, form versions) never travel, nor fields marked data-private (what a resident
// tells the consultation desk).
(function () {
  "use strict";
  var KEY = "jii:typed";
  var codes = Array.prototype.map.call(
    document.querySelectorAll(".language-switcher a[data-code]"),
    function (link) { return link.getAttribute("data-code"); }
  );

  function pagePath(pathname) { // the path without its language prefix
    var parts = pathname.split("/");
    return codes.indexOf(parts[1]) >= 0 ? "/" + parts.slice(2).join("/") : pathname;
  }

  function forms() { return document.querySelectorAll("main form[method=post]"); }

  function typedFields(form) {
    return Array.prototype.filter.call(form.elements, function (field) {
      return field.name && !field.hasAttribute("data-private") &&
        ["password", "file", "hidden", "submit", "button", "reset"].indexOf(field.type) < 0;
    });
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest(".language-switcher a");
    if (!link || !forms().length) { return; }
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) { return; } // a new tab
    var saved = [];
    Array.prototype.forEach.call(forms(), function (form, n) {
      typedFields(form).forEach(function (field) {
        if (field.type === "checkbox" || field.type === "radio") {
          saved.push([n, field.name, field.value, field.checked]);
        } else if (field.type === "select-multiple") {
          Array.prototype.forEach.call(field.options, function (option) {
            saved.push([n, field.name, option.value, option.selected]);
          });
        } else {
          saved.push([n, field.name, field.value, null]);
        }
      });
    });
    sessionStorage.setItem(KEY, JSON.stringify({ path: pagePath(new URL(link.href).pathname), fields: saved }));
  });

  var stored = sessionStorage.getItem(KEY);
  sessionStorage.removeItem(KEY);
  if (!stored) { return; }
  var data = JSON.parse(stored);
  if (data.path !== pagePath(location.pathname)) { return; }
  var pageForms = forms();
  data.fields.forEach(function (item) {
    var form = pageForms[item[0]];
    if (!form) { return; }
    typedFields(form).forEach(function (field) {
      if (field.name !== item[1]) { return; }
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.value === item[2]) { field.checked = item[3]; }
      } else if (field.type === "select-multiple") {
        Array.prototype.forEach.call(field.options, function (option) {
          if (option.value === item[2]) { option.selected = item[3]; }
        });
      } else {
        field.value = item[2];
      }
    });
  });
})();
