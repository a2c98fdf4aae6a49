// Dashboards lay themselves out: each panel gives its size, DashboardBuilder.withPanel places the
// panels in rows in their order (dashboards/panels.ts, size()). So the layout is computed, not written
// by hand: a panel inserted moves those after it, and no two panels overlap on any dashboard.

import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { type DashboardModel } from "../dashboards/model";
import { stellaDashboard, timeSeriesPanel } from "../dashboards/panels";
import { builtStacks, root } from "./support/dashboard-stacks";

interface GridPos {
    readonly x: number;
    readonly y: number;
    readonly w: number;
    readonly h: number;
}

const columns = 24;

function positions(dashboard: DashboardModel): GridPos[] {
    return (dashboard.panels ?? []).map((panel) => panel.gridPos as GridPos);
}

/** Where panels of these sizes go when placed left to right in rows of 24 columns, each row below the last's tallest. */
function placedInOrder(sizes: readonly { w: number; h: number }[]): GridPos[] {
    let x = 0;
    let y = 0;
    let rowHeight = 0;
    return sizes.map(({ w, h }) => {
        if (x + w > columns) {
            x = 0;
            y += rowHeight;
            rowHeight = 0;
        }
        const position = { x, y, w, h };
        x += w;
        rowHeight = Math.max(rowHeight, h);
        return position;
    });
}

function overlap(a: GridPos, b: GridPos): boolean {
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

describe("dashboard layout", () => {
    for (const { stack, dashboards } of builtStacks()) {
        describe(stack, () => {
            it("places every panel inside the 24 columns, no two panels overlapping", () => {
                for (const dashboard of dashboards) {
                    const placed = positions(dashboard);
                    assert.ok(placed.length >= 3, dashboard.uid);
                    placed.forEach((a, index) => {
                        const where = `${dashboard.uid} panel ${index}: ${JSON.stringify(a)}`;
                        assert.ok(a.x >= 0 && a.y >= 0 && a.w > 0 && a.h > 0 && a.x + a.w <= columns, where);
                        for (const b of placed.slice(index + 1))
                            assert.ok(!overlap(a, b), `${where} overlaps ${JSON.stringify(b)}`);
                    });
                }
            });

            it("lays the panels out in rows in their order, from their sizes alone", () => {
                for (const dashboard of dashboards) {
                    const placed = positions(dashboard);
                    assert.deepEqual(placed, placedInOrder(placed), dashboard.uid);
                }
            });
        });
    }

    it("moves the panels after an inserted one", () => {
        /** The positions of panels of these sizes (columns, rows), added in this order. */
        const layout = (...sizes: [width: number, height: number][]) => {
            const dashboard = sizes.reduce(
                (builder, [width, height], index) =>
                    builder.withPanel(
                        timeSeriesPanel({
                            id: index + 1,
                            title: `Panel ${index}`,
                            expr: "up",
                            legend: "{{job}}",
                            width,
                            height,
                        }),
                    ),
                stellaDashboard("layout", "Layout", "A layout test.", ".*"),
            );
            return positions(dashboard.build() as unknown as DashboardModel);
        };
        const half = [12, 8] as [number, number];
        const full = [24, 8] as [number, number];
        assert.deepEqual(layout(half, half, full), [
            { x: 0, y: 0, w: 12, h: 8 },
            { x: 12, y: 0, w: 12, h: 8 },
            { x: 0, y: 8, w: 24, h: 8 },
        ]);
        // A full-width panel on top: everything below it moves down by its height.
        assert.deepEqual(layout([24, 5], half, half, full), [
            { x: 0, y: 0, w: 24, h: 5 },
            { x: 0, y: 5, w: 12, h: 8 },
            { x: 12, y: 5, w: 12, h: 8 },
            { x: 0, y: 13, w: 24, h: 8 },
        ]);
        // A half-width panel in the first row: the panel it displaces wraps to the next row, the rest
        // follows. (withPanel does not wrap a panel that does not fit: a row's widths must add up to 24,
        // which the tests above check on every dashboard.)
        assert.deepEqual(layout(half, [12, 6], half, half, full), [
            { x: 0, y: 0, w: 12, h: 8 },
            { x: 12, y: 0, w: 12, h: 6 },
            { x: 0, y: 8, w: 12, h: 8 },
            { x: 12, y: 8, w: 12, h: 8 },
            { x: 0, y: 16, w: 24, h: 8 },
        ]);
    });

    it("leaves no hand-written position in dashboards/: panels give their size(), never x and y", () => {
        const folder = join(root, "dashboards");
        for (const file of readdirSync(folder).filter((name) => name.endsWith(".ts"))) {
            const text = readFileSync(join(folder, file), "utf8");
            assert.doesNotMatch(text, /gridPos\(\s*\{/, `dashboards/${file} writes a gridPos by hand`);
        }
    });
});
