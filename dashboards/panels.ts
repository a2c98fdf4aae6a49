// Small builders over @grafana/grafana-foundation-sdk that every dashboard uses: queries on the fixed
// data sources, the firing-alerts annotation, the common variables and the navigation links.

import * as common from "@grafana/grafana-foundation-sdk/common";
import * as dashboard from "@grafana/grafana-foundation-sdk/dashboard";
import * as heatmap from "@grafana/grafana-foundation-sdk/heatmap";
import * as loki from "@grafana/grafana-foundation-sdk/loki";
import * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import { datasources } from "../catalogue";

/** A Prometheus query on the stack's Prometheus. */
export function promQuery(expr: string, legendFormat: string, refId = "A"): prometheus.DataqueryBuilder {
    return new prometheus.DataqueryBuilder()
        .datasource(datasources.prometheus)
        .expr(expr)
        .legendFormat(legendFormat)
        .refId(refId);
}

/** A Prometheus query whose buckets feed a heatmap. */
export function heatmapQuery(expr: string): prometheus.DataqueryBuilder {
    return promQuery(expr, "{{le}}").format(prometheus.PromQueryFormat.Heatmap);
}

/** A LogQL query on the stack's Loki. */
export function logQuery(expr: string, refId = "A"): loki.DataqueryBuilder {
    return new loki.DataqueryBuilder().datasource(datasources.loki).expr(expr).refId(refId);
}

/** A Jaeger search query; the SDK has no Jaeger query type, so this is its JSON. */
export class JaegerSearchBuilder implements cog.Builder<cog.Dataquery> {
    constructor(
        private readonly service: string,
        private readonly refId = "A",
    ) {}
    build(): cog.Dataquery {
        return {
            refId: this.refId,
            datasource: datasources.jaeger,
            queryType: "search",
            service: this.service,
            limit: 20,
            _implementsDataqueryVariant() {},
        } as cog.Dataquery;
    }
}

/** What a stat of one Prometheus query shows; see statPanel. */
export interface StatOptions {
    /** The panel's id, from catalogue.ts: alerts and runbooks link to it. */
    readonly id: number;
    readonly title: string;
    readonly description?: string;
    readonly expr: string;
    readonly legend: string;
    /** Grafana's unit id, e.g. "short", "percentunit". */
    readonly unit: string;
    readonly decimals: number;
    /** The value's colours. */
    readonly thresholds: dashboard.ThresholdsConfigBuilder;
    /** Columns of the 24; default 6, a quarter of the width. */
    readonly width?: number;
    /** Grid rows; default 8. */
    readonly height?: number;
}

/**
 * A stat panel that shows the last non-null value. Without calcs Grafana reduces with `last`, and a
 * single missing sample (a scrape gap, a restart) turns the stat into "No data".
 */
export function statPanel(options: StatOptions): stat.PanelBuilder {
    const panel = new stat.PanelBuilder()
        .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(["lastNotNull"]))
        .id(options.id)
        .title(options.title);
    if (options.description !== undefined) panel.description(options.description);
    return panel
        .withTarget(promQuery(options.expr, options.legend))
        .unit(options.unit)
        .decimals(options.decimals)
        .thresholds(options.thresholds)
        .gridPos(size(options.width ?? 6, options.height ?? 8));
}

/** The sessions open right now, red from `threshold`: the first panel of the Overview and the System Overview. */
export function activeSessionsStat(
    options: Pick<StatOptions, "id" | "title" | "description" | "expr"> & { readonly threshold: number },
): stat.PanelBuilder {
    const { threshold, ...shown } = options;
    return statPanel({ ...shown, legend: "sessions", unit: "short", decimals: 0, thresholds: thresholds(threshold) });
}

/**
 * A panel's size on Grafana's 24-column grid, and no position: DashboardBuilder.withPanel places each
 * panel right of the one before and, once 24 columns are filled, starts a new row below the row's
 * tallest panel. The layout is the order of the withPanel calls: a panel inserted moves those after it.
 * x and y stay 0, which is what tells withPanel to place the panel (it keeps any other position). Each
 * row's widths must add up to 24: withPanel does not wrap a panel that does not fit (the layout test
 * in test/dashboard-layout.test.ts fails on a panel that sticks out or overlaps another).
 */
export function size(width: number, height: number): dashboard.GridPos {
    return { x: 0, y: 0, w: width, h: height };
}

/** What a time series of one Prometheus query shows; see timeSeriesPanel. */
export interface TimeSeriesOptions {
    /** The panel's id, from catalogue.ts: alerts and runbooks link to it. */
    readonly id: number;
    readonly title: string;
    readonly description?: string;
    readonly expr: string;
    /** The legend of each series, e.g. "{{pod}}". */
    readonly legend: string;
    /** Grafana's unit id, e.g. "s", "percentunit"; none by default. */
    readonly unit?: string;
    /** The y axis' upper bound, e.g. 1 for a ratio; Grafana's auto by default. */
    readonly max?: number;
    /** The threshold the panel's alert fires at, drawn as a red line. */
    readonly alertThreshold?: number;
    /** With alertThreshold: where a warning starts, drawn as an orange line below the red. */
    readonly warningThreshold?: number;
    /** Columns of the 24; default 12, half the width. */
    readonly width?: number;
    /** Grid rows; default 8. */
    readonly height?: number;
}

/** A time series of one query (the caller may add more targets), its y axis from 0, sized for the layout. */
export function timeSeriesPanel(options: TimeSeriesOptions): timeseries.PanelBuilder {
    const panel = new timeseries.PanelBuilder().id(options.id).title(options.title);
    if (options.description !== undefined) panel.description(options.description);
    panel.withTarget(promQuery(options.expr, options.legend));
    if (options.unit !== undefined) panel.unit(options.unit);
    panel.min(0);
    if (options.max !== undefined) panel.max(options.max);
    if (options.alertThreshold !== undefined)
        panel
            .thresholds(thresholds(options.alertThreshold, options.warningThreshold))
            .thresholdsStyle(thresholdLines());
    return panel.gridPos(size(options.width ?? 12, options.height ?? 8));
}

/** The share of backend requests answered with a 5xx, red from `threshold` (HighErrorRate's): on the Overview and the System Overview. */
export function errorRatePanel(
    options: Pick<TimeSeriesOptions, "id" | "title" | "description" | "expr"> & { readonly threshold: number },
): timeseries.PanelBuilder {
    const { threshold, ...shown } = options;
    return timeSeriesPanel({ ...shown, legend: "5xx share", unit: "percentunit", alertThreshold: threshold, width: 9 });
}

/** Thresholds: green below `red`, red from it (optionally amber from `amber`). */
export function thresholds(red: number, amber?: number): dashboard.ThresholdsConfigBuilder {
    const steps: dashboard.Threshold[] = [{ value: null, color: "green" }];
    if (amber !== undefined) steps.push({ value: amber, color: "orange" });
    steps.push({ value: red, color: "red" });
    return new dashboard.ThresholdsConfigBuilder().mode(dashboard.ThresholdsMode.Absolute).steps(steps);
}

/** Draw the thresholds as lines on a time series. */
export function thresholdLines(): common.GraphThresholdsStyleConfigBuilder {
    return new common.GraphThresholdsStyleConfigBuilder().mode(common.GraphThresholdsStyleMode.Line);
}

/** A heatmap's y axis in the given unit. */
export function heatmapAxis(unit: string): heatmap.YAxisConfigBuilder {
    return new heatmap.YAxisConfigBuilder().unit(unit);
}

/** Firing alerts of the given services, drawn on every time series of the dashboard. */
export function firingAlerts(serviceRegex: string): dashboard.AnnotationQueryBuilder {
    return new dashboard.AnnotationQueryBuilder()
        .name("Firing alerts")
        .datasource(datasources.prometheus)
        .enable(true)
        .iconColor("red")
        .expr(`ALERTS{alertstate="firing", service=~"${serviceRegex}"}`)
        .step("60s")
        .titleFormat("{{alertname}}")
        .textFormat("{{severity}}: {{service}}")
        .tagKeys("severity,service");
}

/** Links to the other STELLA dashboards, keeping the time range and variables. */
export function stellaLinks(): dashboard.DashboardLinkBuilder {
    return new dashboard.DashboardLinkBuilder("STELLA")
        .type(dashboard.DashboardLinkType.Dashboards)
        .tags(["stella"])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true);
}

/** A namespace variable, defaulting to `current`. */
export function namespaceVariable(current: string): dashboard.QueryVariableBuilder {
    return new dashboard.QueryVariableBuilder("namespace")
        .label("Namespace")
        .datasource(datasources.prometheus)
        .query("label_values(kube_pod_info, namespace)")
        .current({ text: current, value: current })
        .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
        .sort(dashboard.VariableSort.AlphabeticalAsc);
}

/** A multi-value variable over a label of a metric, with All as ".*". */
export function labelVariable(name: string, label: string, query: string): dashboard.QueryVariableBuilder {
    return new dashboard.QueryVariableBuilder(name)
        .label(label)
        .datasource(datasources.prometheus)
        .query(query)
        .multi(true)
        .includeAll(true)
        .allValue(".*")
        .current({ text: "All", value: "$__all" })
        .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
        .sort(dashboard.VariableSort.AlphabeticalAsc);
}

/** A dashboard with the settings every STELLA dashboard shares. */
export function stellaDashboard(
    uid: string,
    title: string,
    description: string,
    alertServices: string,
): dashboard.DashboardBuilder {
    return new dashboard.DashboardBuilder(title)
        .uid(uid)
        .description(description)
        .tags(["stella"])
        .timezone("utc")
        .refresh("30s")
        .time({ from: "now-6h", to: "now" })
        .tooltip(dashboard.DashboardCursorSync.Crosshair)
        .readonly()
        .link(stellaLinks())
        .annotation(firingAlerts(alertServices));
}
