/* Athlete profile: each trend chart drawn with uPlot from the page's json_script data: points, rolling
   average, personal best ringed, organization median dashed; hover shows values, a click opens the
   session. The table under each chart holds the same numbers. No inline script or style (the CSP). */
(function () {
  "use strict";

  var COLORS = {
    best: "#0b6e4f",
    mean: "#5f6b7a",
    avg: "#1f5fa8",
    pb: "#c2410c",
    median: "#7c3aed",
  };
  var DAY = 86400;

  function text(value, data) {
    if (value === null || value === undefined) return "–";
    var number = value.toLocaleString("en", {
      minimumFractionDigits: data.decimals,
      maximumFractionDigits: data.decimals,
    });
    if (!data.unit) return number;
    return data.unit === "%" || data.unit === "°" ? number + data.unit : number + " " + data.unit;
  }

  // The library on the days of bucket i (a day, a week from Monday, or a month), dates as YYYY-MM-DD.
  function bucketUrl(data, i) {
    if (!data.library || !data.from || !data.from[i]) return "";
    var parts = data.from[i].split("-").map(Number);
    var last = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2]));
    if (data.bucket === "week") last.setUTCDate(last.getUTCDate() + 6);
    else if (data.bucket === "month") last = new Date(Date.UTC(parts[0], parts[1], 0));
    var to = last.toISOString().slice(0, 10);
    return data.library + "&date_from=" + data.from[i] + "&date_to=" + to;
  }

  function dots(color, size, fill) {
    return { show: true, size: size, width: 2, stroke: color, fill: fill || color };
  }

  function draw(el) {
    var source = document.getElementById(el.dataset.chart);
    if (!source || !window.uPlot) return;
    var data = JSON.parse(source.textContent);
    var headline = data.headline === "best" ? data.best : data.mean;
    // The ring sits at the personal best's exact value (a day, week or month point holds it among others).
    var pb = data.t.map(function (_, i) {
      return data.pb.indexOf(i) >= 0 ? (data.pb_value !== null && data.pb_value !== undefined ? data.pb_value : headline[i]) : null;
    });
    var value = function (u, v) {
      return text(v, data);
    };
    var series = [
      {
        label: data.point ? data.point.charAt(0).toUpperCase() + data.point.slice(1) : "Session",
        value: function (u, v, si, i) {
          return i === null || i === undefined ? "" : data.dates[i];
        },
      },
    ];
    var columns = [data.t];
    function add(values, options) {
      if (values.every(function (v) { return v === null; })) return;
      options.value = value;
      series.push(options);
      columns.push(values);
    }
    add(data.best, { label: "Best", stroke: COLORS.best, width: 0, points: dots(COLORS.best, 7) });
    add(data.mean, { label: "Mean", stroke: COLORS.mean, width: 0, points: dots(COLORS.mean, 7, "#fff") });
    add(data.avg, { label: data.rolling || "5-session average", stroke: COLORS.avg, width: 2, points: { show: false } });
    add(pb, { label: "Personal best", stroke: COLORS.pb, width: 0, points: dots(COLORS.pb, 15, "transparent") });
    if (data.median !== null) {
      add(
        data.t.map(function () { return data.median; }),
        { label: "Organization median", stroke: COLORS.median, width: 1.5, dash: [6, 4], points: { show: false } }
      );
    }
    el.hidden = false;
    var options = {
      width: Math.max(240, el.clientWidth),
      height: 220,
      series: series,
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: {
          time: true,
          range: function (u, min, max) {
            // A lone point: a day either side (uPlot's own widening is 1000 days with times in seconds).
            if (u.data[0].length === 1) return [u.data[0][0] - DAY, u.data[0][0] + DAY];
            return min === max ? [min - DAY, max + DAY] : [min - (max - min) * 0.03, max + (max - min) * 0.03];
          },
        },
      },
      axes: [{}, { size: 56, values: function (u, ticks) { return ticks.map(function (t) { return t.toLocaleString("en"); }); } }],
    };
    var chart = new window.uPlot(options, columns, el);
    el.chart = chart; // the browser tests read positions from it
    el.setAttribute("role", "img");
    el.setAttribute("aria-label", data.label + (data.bucket ? ", a point per " + data.point : "") + " over time; the table below has the newest of the same numbers.");
    chart.over.addEventListener("click", function () {
      var i = chart.cursor.idx;
      if (i === null || i === undefined) return;
      var url = data.urls[i] || bucketUrl(data, i);
      if (url) window.location.href = url;
    });
    var figure = el.closest("figure");
    var numbers = figure && figure.querySelector("details.chart-numbers");
    if (numbers) numbers.open = false; // the chart shows them; the table stays one click away
    return chart;
  }

  function start() {
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var chart = draw(el);
      if (chart) charts.push([el, chart]);
    });
    // Follow the width of each chart's box (window resizes, the phone layout): redraw at most per frame.
    if (!window.ResizeObserver) return;
    var frame = null;
    var observer = new ResizeObserver(function () {
      if (frame) return;
      frame = window.requestAnimationFrame(function () {
        frame = null;
        charts.forEach(function (pair) {
          var width = Math.max(240, pair[0].clientWidth);
          if (width !== pair[1].width) pair[1].setSize({ width: width, height: 220 });
        });
      });
    });
    charts.forEach(function (pair) {
      observer.observe(pair[0]);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
