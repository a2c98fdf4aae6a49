// What the dashboards share: the fixed data source uids every panel refers to (components/grafana.ts
// registers the data sources under them), the dashboard uids that alerts and runbooks link to, and
// the context a dashboard is built from.

import type { StackConfig } from "../config";

/** Data source uids: fixed, so dashboards and links never depend on Grafana's generated ids. */
export const datasourceUids = {
    prometheus: "prometheus",
    loki: "loki",
    jaeger: "jaeger",
    alertmanager: "alertmanager",
} as const;

export interface DataSourceRef {
    readonly type: string;
    readonly uid: string;
}

export const datasources = {
    prometheus: { type: "prometheus", uid: datasourceUids.prometheus },
    loki: { type: "loki", uid: datasourceUids.loki },
    jaeger: { type: "jaeger", uid: datasourceUids.jaeger },
    alertmanager: { type: "alertmanager", uid: datasourceUids.alertmanager },
} as const satisfies Record<string, DataSourceRef>;

/** Dashboard uids: stable, so alert annotations and runbooks can link to them. */
export const dashboardUids = {
    overview: "stella-overview",
    system: "stella-system",
    agents: "stella-agents",
    infrastructure: "stella-infrastructure",
    slo: "stella-slo",
    logsTraces: "stella-logs-traces",
} as const;

export type DashboardKey = keyof typeof dashboardUids;

/** A panel an alert or a runbook links to: /d/<uid>?viewPanel=<id>. */
export interface PanelRef {
    readonly dashboard: DashboardKey;
    readonly panelId: number;
    /** Template variables to open the dashboard with, e.g. { namespace: "monitoring" }. */
    readonly variables?: Readonly<Record<string, string>>;
}

/** The path of a panel inside Grafana, for links. */
export function panelPath(ref: PanelRef): string {
    const variables = Object.entries(ref.variables ?? {}).map(
        ([name, value]) => `&var-${name}=${encodeURIComponent(value)}`,
    );
    return `/d/${dashboardUids[ref.dashboard]}?viewPanel=${ref.panelId}${variables.join("")}`;
}

/** What a dashboard is built from: plain config, so the same input gives the same bytes. */
export interface DashboardContext {
    readonly stellaNamespace: string;
    readonly monitoringNamespace: string;
    readonly metrics: StackConfig["stella"]["metrics"];
    readonly thresholds: StackConfig["alerting"]["thresholds"];
    readonly slo: StackConfig["slo"];
    /** Where the runbooks are browsed: <runbookBaseUrl>/<AlertName>.md, as every alert's runbook_url. */
    readonly runbookBaseUrl: string;
    /** The names of STELLA's alerts (components/alerting), each with its page in docs/runbooks. */
    readonly stellaAlerts: readonly string[];
}

/** A dashboard model as Grafana stores it (the JSON the Grafana provider sends). */
export interface DashboardModel {
    readonly uid: string;
    readonly title: string;
    readonly panels?: readonly PanelModel[];
    readonly [key: string]: unknown;
}

export interface PanelModel {
    readonly id?: number;
    readonly type: string;
    readonly title?: string;
    readonly datasource?: DataSourceRef;
    readonly targets?: readonly (Record<string, unknown> & { datasource?: DataSourceRef; expr?: string })[];
    readonly panels?: readonly PanelModel[];
    readonly [key: string]: unknown;
}
