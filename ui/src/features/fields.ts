// What an item's fields are called and where their values are, shared by the item pane and
// the Duplicates view's side-by-side table (one table of labels, one way to read a field).

import type { Item } from "../lib/types";

/** Labels of the fields (the item's `fields` by name, and the rows both views add). */
export const FIELD_LABELS: Record<string, string> = {
  type: "Type",
  key: "Citation key",
  title: "Title",
  subtitle: "Subtitle",
  shorttitle: "Short title",
  creators: "Creators",
  date: "Date",
  container: "Publication",
  series: "Series",
  volume: "Volume",
  issue: "Issue",
  pages: "Pages",
  edition: "Edition",
  publisher: "Publisher",
  place: "Place",
  institution: "Institution",
  doi: "DOI",
  issn: "ISSN",
  isbn: "ISBN",
  url: "URL",
  language: "Language",
  genre: "Genre",
  note: "Note",
  abstract: "Abstract",
  keywords: "Keywords",
  access: "Access",
  collections: "Collections",
};

/** A field's label (an unmapped field is shown by its own name). */
export function fieldLabel(name: string): string {
  return FIELD_LABELS[name] ?? name;
}

/** The value of one of the item's fields ("" when it has none). */
export function fieldValue(it: Item, name: string): string {
  return it.fields.find((f) => f.name === name)?.value ?? "";
}

/** The value of a kept extra (unmapped) field, matched without regard to case. */
export function extraValue(it: Item, name: string): string {
  return it.extra.find((e) => e.name.toLowerCase() === name.toLowerCase())?.value ?? "";
}

// ----- the shared state's fields (sync conflicts, the shared history) -------------------------

/** Labels of the shared state's field names where they differ from the item pane's. */
const SHARED_LABELS: Record<string, string> = {
  "*": "Whole item",
  short_title: "Short title",
  tags: "Keywords",
  extra: "Other fields",
  trashed: "Trash",
  date_added: "Date added",
  source: "Source record",
  name: "Name",
  query: "Query",
  parent: "Parent collection",
  position: "Position",
  collection: "Collection",
  recursive: "Subcollections",
  created_at: "Created",
};

/** A shared field's label (an item's, a collection's or a saved search's). */
export function sharedFieldLabel(name: string): string {
  return SHARED_LABELS[name] ?? fieldLabel(name);
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function creatorText(c: Record<string, Json>): string {
  const name = typeof c.literal === "string" ? c.literal : [c.particle, c.family].filter((x) => typeof x === "string" && x).join(" ") + (c.given ? `, ${c.given}` : "") + (c.suffix ? `, ${c.suffix}` : "");
  return c.role && c.role !== "author" ? `${name} (${c.role})` : name;
}

/** A value of the shared state as the user reads it (creators, keywords, dates, abstracts as
 * text); null or missing is "". Shown with `textContent` only. */
export function sharedValueText(field: string, value: unknown): string {
  const v = value as Json | undefined;
  if (v == null) return "";
  if (typeof v === "string") return v;
  if (typeof v !== "object") return String(v);
  if (Array.isArray(v)) {
    const objs = v.filter((x): x is { [k: string]: Json } => x != null && typeof x === "object" && !Array.isArray(x));
    if (field === "creators") return objs.map(creatorText).join("; ");
    if (field === "tags") return objs.map((t) => String(t.name ?? "")).join("; ");
    if (field === "extra") return objs.map((e) => `${e.name} = ${e.value}`).join("; ");
    if (field === "abstract") return objs.map((s) => (s.heading ? `${s.heading}: ${s.text}` : String(s.text ?? ""))).join("\n");
    if (field === "collections") return v.length ? `in ${v.length} collection${v.length === 1 ? "" : "s"}` : "in no collection";
    return v.map((x) => (typeof x === "string" ? x : JSON.stringify(x))).join("; ");
  }
  if (field === "date") return typeof v.raw === "string" && v.raw ? v.raw : [v.year, v.month, v.day].filter((x) => x != null).map((x) => String(x).padStart(2, "0")).join("-");
  if (field === "access") return String(v.status ?? "");
  if (field === "*") {
    // A whole object (deleted on the other side): what names it.
    const title = typeof v.title === "string" ? v.title : typeof v.name === "string" ? v.name : "";
    return title ? `changed (“${title}”)` : "changed";
  }
  return JSON.stringify(v);
}
