// The SPARQL editor: Yasqe (highlighting, completion) over the plain form's textarea,
// Yasr for the answer. Everything is served from this app: no request leaves it.
(function () {
  "use strict";
  const settings = JSON.parse(document.getElementById("editor-settings").textContent);
  const plain = document.getElementById("plain");
  const textarea = plain.querySelector("textarea");

  // Complete bilat's own classes and properties from the page, not from the web (LOV).
  Yasqe.forkAutocompleter("class", {
    name: "bilat-classes", bulk: true, persistenceId: null,
    get: () => settings.vocabulary.classes || [],
  }, false);
  Yasqe.forkAutocompleter("property", {
    name: "bilat-properties", bulk: true, persistenceId: null,
    get: () => settings.vocabulary.properties || [],
  }, false);

  const yasqe = new Yasqe(document.getElementById("yasqe"), {
    value: textarea.value,
    persistenceId: null,
    requestConfig: { endpoint: new URL(settings.endpoint, location.href).href, method: "POST" },
    autocompleters: ["prefixes", "variables", "bilat-classes", "bilat-properties"],
    resizeable: true,
    editorHeight: "22rem",
  });
  const yasr = new Yasr(document.getElementById("yasr"), {
    prefixes: settings.prefixes,
    persistenceId: null,
  });
  yasqe.on("queryResponse", (_yasqe, response, duration) => yasr.setResponse(response, duration));
  plain.hidden = true;

  // Choosing an example opens it at once; the form's button stays for pages without scripts.
  const select = document.querySelector("#examples select");
  select.addEventListener("change", () => {
    const query = settings.examples[select.value];
    if (query) {
      yasqe.setValue(query);
      history.replaceState(null, "", "?example=" + encodeURIComponent(select.value));
    }
  });
})();
