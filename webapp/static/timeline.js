// The timeline page: the events of /timeline.json drawn with vis-timeline, one row per kind.
(function () {
  "use strict";
  const container = document.getElementById("timeline");

  function content(event) {
    // An element, not HTML text: labels come from the communiqués.
    const span = document.createElement("span");
    span.textContent = event.label;
    return span;
  }

  fetch(container.dataset.source)
    .then((response) => response.json())
    .then((data) => {
      if (!data.events.length) {
        container.textContent = "No events for this choice. · Ningún evento para esta elección.";
        return;
      }
      const kinds = [...new Set(data.events.map((event) => event.kind))].sort();
      const groups = new vis.DataSet(kinds.map((kind) => ({ id: kind, content: kind })));
      const items = new vis.DataSet(data.events.map((event) => ({
        id: event.id,
        group: event.kind,
        content: content(event),
        start: event.start,
        end: event.end || undefined,
        type: event.end ? "range" : "box",
        className: (event.status || "unknown").toLowerCase(),
        title: event.participants.map((actor) => actor.label).join(", "),
        href: event.href,
      })));
      // Open on the events' own period, a little wider, not on today.
      const day = 24 * 3600 * 1000;
      const starts = data.events.map((event) => Date.parse(event.start));
      const ends = data.events.map((event) => Date.parse(event.end || event.start));
      const span = Math.max(Math.max(...ends) - Math.min(...starts), 7 * day);
      const margin = span / 5 + 2 * day; // a box is centred on its day: room for its label
      const timeline = new vis.Timeline(container, items, groups, {
        stack: true,
        zoomKey: "ctrlKey",
        start: new Date(Math.min(...starts) - margin),
        end: new Date(Math.max(...ends) + margin),
      });
      timeline.on("select", (properties) => {
        const item = items.get(properties.items[0]);
        if (item) window.location.href = item.href;
      });
    })
    .catch((error) => { container.textContent = "The timeline could not be drawn: " + error; });
})();
