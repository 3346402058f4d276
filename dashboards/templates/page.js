(function () {
  function fit(root) {
    if (!window.Plotly) return;
    root.querySelectorAll('.js-plotly-plot').forEach(function (g) {
      if (g.offsetParent !== null) Plotly.Plots.resize(g);  // hidden grains fit when shown
    });
  }
  window.addEventListener('load', function () { fit(document); });
  function show(grain) {
    document.querySelectorAll('.grain-switch button').forEach(function (b) {
      b.setAttribute('aria-pressed', String(b.dataset.grain === grain));
    });
    document.querySelectorAll('.grain-view').forEach(function (view) {
      view.hidden = view.dataset.grain !== grain;
      if (!view.hidden) fit(view);
    });
  }
  document.querySelectorAll('.grain-switch button').forEach(function (b) {
    b.addEventListener('click', function () { show(b.dataset.grain); });
  });
})();
