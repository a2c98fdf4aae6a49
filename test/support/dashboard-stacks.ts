// Each stack's dashboards and rules, built from its stack file (with canary secrets) as the program
// builds them, for the tests of dashboards as data.

import { resolve } from "node:path";
import { alertNames, rulesContext, stellaRuleGroups } from "../../alerts/rules";
import { grafanaDataSources } from "../../components/grafana-datasources";
import { stellaDashboards } from "../../dashboards";
import { dashboardContext, type DashboardModel, type PanelModel } from "../../dashboards/model";
import { offlineStackConfig } from "../../tools/offline-config";
import { canaryOverrides } from "./stack-fixtures";

export const root = resolve(__dirname, "..", "..");

/** A stack's dashboards and rules, from its Pulumi.<stack>.yaml. */
export function built(stack: string) {
    const config = offlineStackConfig(root, stack, stack === "dev" ? [] : canaryOverrides);
    const rules = stellaRuleGroups(rulesContext(config));
    return {
        dashboards: stellaDashboards(dashboardContext(config, alertNames(rules))),
        rules,
        runbookBaseUrl: config.alerting.runbookBaseUrl,
    };
}

/** The dev, staging and prod stacks, built. */
export function builtStacks() {
    return ["dev", "staging", "prod"].map((stack) => ({ stack, ...built(stack) }));
}

/** A dashboard's panels, those inside rows included. */
export function panelsOf(dashboard: DashboardModel): PanelModel[] {
    return (dashboard.panels ?? []).flatMap((panel) => [panel, ...(panel.panels ?? [])]);
}

/** The uids of the data sources the stack registers in Grafana. */
export function registeredDataSourceUids(): Set<string> {
    const sources = grafanaDataSources({
        urls: { prometheus: "p", loki: "l", jaeger: "j", alertmanager: "a" },
        traceLogNamespaces: ["ai-agents"],
        scrapeInterval: "15s",
    });
    return new Set(sources.map((source) => source.uid));
}
