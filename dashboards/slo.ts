// "STELLA SLOs": the backend's availability and latency SLOs, from the recording rules the burn-rate
// alerts read (alerts/backend-rules.ts): error budget left and burn rates per window.

import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import { type DashboardContext, type DashboardModel } from "./model";
import { promQuery, size, statPanel, stellaDashboard, thresholdLines, thresholds } from "./panels";
import { backendRecords, dashboardUids, number, sloPanels } from "../catalogue";

/** The windows drawn as burn rates; the alerts page at 14.4× (1h) and 6× (6h), warn at 3× (1d) and 1× (3d). */
const burnWindows = ["5m", "1h", "6h", "1d", "3d"] as const;

export function sloQueries(context: DashboardContext) {
    const availabilityBudget = number(1 - context.slo.availabilityTarget);
    const latencyBudget = number(1 - context.slo.latencyTarget);
    // The 30-day ratio as the average of the hourly one: cheap, and the same for steady traffic.
    const budgetLeft = (record: (window: string) => string, budget: string) =>
        `1 - avg_over_time(${record("1h")}[30d]) / ${budget}`;
    return {
        availabilityBudgetLeft: budgetLeft(backendRecords.errorRatio, availabilityBudget),
        latencyBudgetLeft: budgetLeft(backendRecords.slowRatio, latencyBudget),
        availabilityBurn: burnWindows.map((window) => ({
            window,
            expr: `${backendRecords.errorRatio(window)} / ${availabilityBudget}`,
        })),
        latencyBurn: burnWindows.map((window) => ({
            window,
            expr: `${backendRecords.slowRatio(window)} / ${latencyBudget}`,
        })),
    };
}

export function sloDashboard(context: DashboardContext): DashboardModel {
    const queries = sloQueries(context);
    const percent = (ratio: number) => `${number(ratio * 100)}%`;
    const refIds = ["A", "B", "C", "D", "E"];
    const budget = (id: number, title: string, expr: string) =>
        statPanel({
            id,
            title,
            description: "Share of the 30-day error budget not yet spent; below zero the SLO is broken.",
            expr,
            legend: "budget left",
            unit: "percentunit",
            decimals: 1,
            thresholds: thresholds(0.25, 0.5).steps([
                { value: null, color: "red" },
                { value: 0.25, color: "orange" },
                { value: 0.5, color: "green" },
            ]),
        });
    const burn = (id: number, title: string, series: { window: string; expr: string }[]) => {
        const panel = new timeseries.PanelBuilder()
            .id(id)
            .title(title)
            .description(
                "Burn rate per window: 1 spends the budget in exactly 30 days. Fast-burn pages at 14.4 (1h) and 6 (6h).",
            )
            .unit("x")
            .min(0)
            .thresholds(thresholds(14.4, 1))
            .thresholdsStyle(thresholdLines())
            .gridPos(size(18, 8));
        series.forEach(({ window, expr }, index) => panel.withTarget(promQuery(expr, window, refIds[index])));
        return panel;
    };
    return stellaDashboard(
        dashboardUids.slo,
        "STELLA SLOs",
        "Error budgets and burn rates of the backend's SLOs.",
        "stella-backend",
    )
        .withPanel(
            budget(
                sloPanels.availabilityBudget,
                `Availability budget left (SLO ${percent(context.slo.availabilityTarget)})`,
                queries.availabilityBudgetLeft,
            ),
        )
        .withPanel(burn(sloPanels.availabilityBurn, "Availability burn rate", queries.availabilityBurn))
        .withPanel(
            budget(
                sloPanels.latencyBudget,
                `Latency budget left (${percent(context.slo.latencyTarget)} under ${number(context.slo.latencyThresholdSeconds)}s)`,
                queries.latencyBudgetLeft,
            ),
        )
        .withPanel(burn(sloPanels.latencyBurn, "Latency burn rate", queries.latencyBurn))
        .build() as unknown as DashboardModel;
}
