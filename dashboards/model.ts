// The small part of Grafana's dashboard model these dashboards use, and the fixed data source uids
// every panel refers to (components/grafana.ts registers the data sources under these uids).

/** Data source uids: fixed, so dashboards and links never depend on Grafana's generated ids. */
export const datasourceUids = { prometheus: "prometheus", loki: "loki", jaeger: "jaeger" } as const;

export interface DataSourceRef {
    readonly type: string;
    readonly uid: string;
}

export const prometheusDatasource: DataSourceRef = { type: "prometheus", uid: datasourceUids.prometheus };

export interface Target {
    readonly refId: string;
    readonly expr: string;
    readonly legendFormat?: string;
    readonly format?: "time_series" | "heatmap" | "table";
    readonly datasource: DataSourceRef;
}

export interface Panel {
    readonly id: number;
    readonly type: "timeseries" | "stat" | "heatmap";
    readonly title: string;
    readonly description?: string;
    readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
    readonly datasource: DataSourceRef;
    readonly targets: readonly Target[];
    readonly fieldConfig: { readonly defaults: Record<string, unknown>; readonly overrides: readonly unknown[] };
    readonly options: Record<string, unknown>;
}

export interface Dashboard {
    readonly uid: string;
    readonly title: string;
    readonly tags: readonly string[];
    readonly timezone: string;
    readonly schemaVersion: number;
    readonly refresh: string;
    readonly time: { readonly from: string; readonly to: string };
    readonly panels: readonly Panel[];
}

/** Dashboard uids: stable, so alert annotations and runbooks can link to them. */
export const dashboardUids = {
    overview: "stella-overview",
} as const;
