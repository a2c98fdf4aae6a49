// Helm values as the components build them: merged like Helm merges a values file over a chart's.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { mergeValues } from "../components/helm";

describe("mergeValues", () => {
    it("merges maps key by key and lets lists and scalars of the override win, like Helm", () => {
        const base = { a: { b: 1, c: [1, 2] }, d: "x" };
        const merged = mergeValues(base, { a: { c: [3] }, d: "y", e: true });
        assert.deepEqual(merged, { a: { b: 1, c: [3] }, d: "y", e: true });
        assert.deepEqual(base, { a: { b: 1, c: [1, 2] }, d: "x" }, "the base is not changed");
    });
});
