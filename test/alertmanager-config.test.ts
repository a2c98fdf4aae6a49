// The Alertmanager config builder, called directly: routes and receivers by what is configured.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { alertmanagerConfig } from "../alerts/alertmanager-config";

describe("alertmanagerConfig", () => {
    const args = {
        receiverSecretName: "receivers",
        heartbeatEnabled: false,
        groupWait: "30s",
        groupInterval: "5m",
        repeatInterval: "4h",
        grafanaUrl: "https://grafana.example.com",
    };
    it("routes to Slack by default and critical alerts to PagerDuty, with the seed's timings", () => {
        const config = alertmanagerConfig({ ...args, slackEnabled: true, pagerdutyEnabled: true }) as {
            route: {
                receiver: string;
                group_wait: string;
                group_interval: string;
                repeat_interval: string;
                routes: { receiver: string; matchers: string[] }[];
            };
        };
        assert.equal(config.route.receiver, "slack");
        assert.deepEqual(
            [config.route.group_wait, config.route.group_interval, config.route.repeat_interval],
            ["30s", "5m", "4h"],
        );
        assert.deepEqual(
            config.route.routes
                .filter((route) => route.matchers.includes('severity = "critical"'))
                .map((route) => route.receiver),
            ["pagerduty", "slack"],
        );
    });
    it("keeps critical alerts on Slack when PagerDuty is not configured", () => {
        const config = alertmanagerConfig({ ...args, slackEnabled: true, pagerdutyEnabled: false }) as {
            route: { routes: { receiver: string }[] };
            receivers: { name: string }[];
        };
        assert.deepEqual(
            config.route.routes.map((route) => route.receiver),
            ["null"],
        );
        assert.deepEqual(
            config.receivers.map((receiver) => receiver.name),
            ["null", "slack"],
        );
    });
});
