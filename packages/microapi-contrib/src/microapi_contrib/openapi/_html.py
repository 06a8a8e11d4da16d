"""The docs page: one self-contained HTML file whose small inline script fetches the document
and lists every operation (method, path, summary, description, parameters, request body and
responses) and the shared schemas. No CDN, no asset of any kind: it works offline, and its
content security policy allows nothing but this page's own script and style and the fetch of
the document from the same origin.
"""

from __future__ import annotations

import base64
import hashlib
import html

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 64rem; padding: 1rem 2rem;
  color: #1f2328; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.2rem; margin-top: 2rem; }
.operation { border: 1px solid #d0d7de; border-radius: 6px; margin: 0.8rem 0;
  padding: 0.6rem 1rem; }
.operation > h3 { font-size: 1rem; margin: 0.2rem 0; display: flex; gap: 0.6rem;
  align-items: baseline; }
.method { font-family: ui-monospace, monospace; font-weight: 700; min-width: 4.5rem; }
.method-get { color: #0969da; } .method-post { color: #1a7f37; } .method-delete { color: #cf222e; }
.method-put, .method-patch { color: #9a6700; }
.path { font-family: ui-monospace, monospace; }
.summary { font-weight: 400; color: #57606a; }
.tags { color: #57606a; font-size: 0.85rem; }
table { border-collapse: collapse; width: 100%; margin: 0.3rem 0; }
th, td { border-bottom: 1px solid #eaeef2; padding: 0.25rem 0.5rem; text-align: left;
  vertical-align: top; }
pre { background: #f6f8fa; padding: 0.4rem 0.6rem; border-radius: 4px; overflow-x: auto;
  margin: 0.2rem 0; font-size: 0.85rem; }
.description { white-space: pre-wrap; }
#status { color: #57606a; }
""".strip()

SCRIPT = """
"use strict";
(function () {
  var root = document.getElementById("operations");
  var status = document.getElementById("status");
  var METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }
  function schemaBlock(schema) {
    return el("pre", {"class": "schema"}, [JSON.stringify(schema, null, 2)]);
  }
  function parametersTable(parameters) {
    var rows = parameters.map(function (p) {
      return el("tr", {"class": "parameter"}, [
        el("td", {}, [el("code", {}, [p.name])]),
        el("td", {}, [p["in"]]),
        el("td", {}, [p.required ? "required" : "optional"]),
        el("td", {}, [p.description || "", schemaBlock(p.schema || {})])
      ]);
    });
    var head = el("tr", {}, ["name", "in", "", "schema"].map(function (t) {
      return el("th", {}, [t]);
    }));
    return el("table", {"class": "parameters"}, [el("thead", {}, [head]), el("tbody", {}, rows)]);
  }
  function content(media) {
    var parts = [];
    Object.keys(media || {}).forEach(function (type) {
      parts.push(el("div", {}, [el("code", {}, [type])]));
      if (media[type].schema) { parts.push(schemaBlock(media[type].schema)); }
    });
    return parts;
  }
  function operation(path, method, op) {
    var title = el("h3", {}, [
      el("span", {"class": "method method-" + method}, [method.toUpperCase()]),
      el("span", {"class": "path"}, [path]),
      el("span", {"class": "summary"}, [op.summary || ""])
    ]);
    var parts = [title];
    if (op.tags && op.tags.length) {
      parts.push(el("div", {"class": "tags"}, ["tags: " + op.tags.join(", ")]));
    }
    parts.push(el("div", {"class": "operation-id tags"}, ["operationId: " + op.operationId]));
    if (op.description) { parts.push(el("p", {"class": "description"}, [op.description])); }
    if (op.parameters && op.parameters.length) {
      parts.push(el("h4", {}, ["Parameters"]), parametersTable(op.parameters));
    }
    if (op.requestBody) {
      var needed = op.requestBody.required ? " (required)" : " (optional)";
      parts.push(el("h4", {}, ["Request body" + needed]));
      parts.push(el("div", {"class": "request-body"}, content(op.requestBody.content)));
    }
    var responses = Object.keys(op.responses || {}).map(function (code) {
      var r = op.responses[code];
      return el("tr", {"class": "response"}, [
        el("td", {}, [el("code", {}, [code])]),
        el("td", {}, [r.description || ""].concat(content(r.content)))
      ]);
    });
    parts.push(el("h4", {}, ["Responses"]),
               el("table", {"class": "responses"}, [el("tbody", {}, responses)]));
    return el("section", {"class": "operation", "data-method": method.toUpperCase(),
                          "data-path": path, "id": "op-" + op.operationId}, parts);
  }
  function render(doc) {
    var count = 0;
    Object.keys(doc.paths || {}).forEach(function (path) {
      var item = doc.paths[path];
      METHODS.forEach(function (method) {
        if (item[method]) { root.appendChild(operation(path, method, item[method])); count += 1; }
      });
    });
    var schemas = (doc.components || {}).schemas || {};
    var list = document.getElementById("schemas");
    Object.keys(schemas).forEach(function (name) {
      list.appendChild(el("section", {"class": "component", "id": "schema-" + name},
                          [el("h3", {}, [name]), schemaBlock(schemas[name])]));
    });
    document.getElementById("version").textContent =
      (doc.info && doc.info.version ? "version " + doc.info.version + " · " : "") +
      "OpenAPI " + doc.openapi;
    status.textContent = count + (count === 1 ? " operation" : " operations");
    document.body.setAttribute("data-loaded", String(count));
  }
  fetch(document.body.getAttribute("data-openapi"), {headers: {"accept": "application/json"}})
    .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
    .then(render)
    .catch(function (error) {
      status.textContent = "Could not load the document: " + error.message;
      document.body.setAttribute("data-loaded", "error");
    });
})();
""".strip()


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


CSP = (
    "default-src 'none'; "
    f"script-src 'sha256-{_sha256(SCRIPT)}'; "
    f"style-src 'sha256-{_sha256(STYLE)}'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def render_page(title: str, document_path: str) -> str:
    """The page for the document served at `document_path`."""
    name = html.escape(title)
    return (
        "<!doctype html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{name} · API</title><style>{STYLE}</style></head>"
        f'<body data-openapi="{html.escape(document_path, quote=True)}">'
        f"<h1>{name}</h1>"
        '<p><span id="version"></span> · '
        f'<a href="{html.escape(document_path, quote=True)}">the OpenAPI document</a> · '
        '<span id="status">loading…</span></p>'
        "<noscript><p>This page needs JavaScript to list the operations; the document itself "
        "is the link above.</p></noscript>"
        '<h2>Operations</h2><div id="operations"></div>'
        '<h2>Schemas</h2><div id="schemas"></div>'
        f"<script>{SCRIPT}</script></body></html>\n"
    )
