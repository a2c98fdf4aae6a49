// The shape of a dashboard and the context it is built from. The uids and panel anchors alerts link
// to live in catalogue.ts, below both alerts and dashboards.

import type { StackConfig } from "../config";
import type { DataSourceRef } from "../catalogue";
import { lokiIngesterStreamLimit } from "../config/loki-sizing";

/** What a dashboard is built from: plain config, so the same input gives the same bytes. */
export interface DashboardContext {
    readonly stellaNamespace: string;
    readonly monitoringNamespace: string;
    readonly metrics: StackConfig["stella"]["metrics"];
    readonly thresholds: StackConfig["alerting"]["thresholds"];
    readonly slo: StackConfig["slo"];
    /** The PodMonitors' limits per scrape (stella.scrapeLimits): drawn against each pod's samples. */
    readonly scrapeLimits: StackConfig["stella"]["scrapeLimits"];
    /** The active streams one Loki ingester holds before it refuses new ones (components/loki.ts). */
    readonly lokiIngesterStreamLimit: number;
    /** The labels Alloy promotes (alloy.labels): together they make a log stream. */
    readonly logLabels: readonly string[];
    /** Where the runbooks are browsed: <runbookBaseUrl>/<AlertName>.md, as every alert's runbook_url. */
    readonly runbookBaseUrl: string;
    /** The names of STELLA's alerts (alerts/), each with its page in docs/runbooks. */
    readonly stellaAlerts: readonly string[];
}

/** The context of a stack's dashboards, from its config: the monitoring stack runs in `kubernetes.namespace`. */
export function dashboardContext(config: StackConfig, stellaAlerts: readonly string[]): DashboardContext {
    return {
        stellaNamespace: config.stella.namespace,
        monitoringNamespace: config.kubernetes.namespace,
        metrics: config.stella.metrics,
        thresholds: config.alerting.thresholds,
        slo: config.slo,
        scrapeLimits: config.stella.scrapeLimits,
        lokiIngesterStreamLimit: lokiIngesterStreamLimit(config.loki),
        logLabels: config.alloy.labels,
        runbookBaseUrl: config.alerting.runbookBaseUrl,
        stellaAlerts,
    };
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
