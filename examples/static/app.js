// The notes front end: lists the notes and adds one, through the app's own /notes API.
"use strict";

const list = document.getElementById("notes");
const status = document.getElementById("status");
const form = document.getElementById("add-note");
const input = document.getElementById("text");

function render(notes) {
  list.replaceChildren(
    ...notes.map((note) => {
      const item = document.createElement("li");
      item.dataset.id = String(note.id);
      item.textContent = note.text; // text, never HTML
      return item;
    }),
  );
  status.textContent = notes.length === 1 ? "1 note" : `${notes.length} notes`;
}

async function load() {
  const response = await fetch("/notes");
  if (!response.ok) throw new Error(`GET /notes: ${response.status}`);
  render(await response.json());
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const response = await fetch("/notes", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ text: input.value }),
  });
  if (!response.ok) {
    status.textContent = `could not add the note (${response.status})`;
    return;
  }
  input.value = "";
  await load();
});

load().catch((error) => {
  status.textContent = String(error);
});
