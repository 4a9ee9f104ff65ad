// Dossier's one script. Every page works without it; it only fits the filter panel to the screen.
(function () {
  "use strict";
  // The filter panel is a <details>, closed by default so that on a phone the results
  // come first. On a wide screen it is a sidebar and is opened; widening or narrowing
  // the window follows.
  var wide = window.matchMedia("(min-width: 60rem)");
  function fit() {
    var panels = document.querySelectorAll("details.filters__panel");
    for (var i = 0; i < panels.length; i++) {
      panels[i].open = wide.matches;
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fit);
  } else {
    fit();
  }
  wide.addEventListener("change", fit);
})();
