/** The values a JSON document can hold, as the strict parser returns them. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

/** A JSON object: string keys, no duplicates (the strict parser rejects them). */
export interface JsonObject {
  [key: string]: JsonValue;
}
