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
