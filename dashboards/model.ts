// The shape of a dashboard and the context it is built from. The uids and panel anchors alerts link
// to live in catalogue.ts, below both alerts and dashboards.

import type { StackConfig } from "../config";
import type { DataSourceRef } from "../catalogue";

/** What a dashboard is built from: plain config, so the same input gives the same bytes. */
export interface DashboardContext {
    readonly stellaNamespace: string;
    readonly monitoringNamespace: string;
    readonly metrics: StackConfig["stella"]["metrics"];
    readonly thresholds: StackConfig["alerting"]["thresholds"];
    readonly slo: StackConfig["slo"];
    /** Where the runbooks are browsed: <runbookBaseUrl>/<AlertName>.md, as every alert's runbook_url. */
    readonly runbookBaseUrl: string;
    /** The names of STELLA's alerts (alerts/), each with its page in docs/runbooks. */
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
