/* mediawatch-web: the only script.  A filter applies as soon as its
 * choice changes; every page works without the script too. */
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("form.filters select").forEach(function (s) {
    s.addEventListener("change", function () { s.form.submit(); });
  });
});
