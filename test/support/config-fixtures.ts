// The configs the config tests share: entries as the runtime hands them, a valid prod config, and the
// error a refused config raises.

import assert from "node:assert/strict";
import { ConfigError } from "../../config/errors";
import { parseStackConfig, type RawEntry } from "../../config/parse";

export const plain = (value: unknown): RawEntry => ({ value, secret: false });
export const secret = (value: unknown): RawEntry => ({ value, secret: true });

/** Valid prod config with canary secrets; each bad case changes one thing. */
export function prodEntries(): Record<string, RawEntry> {
    return {
        alerting: secret({
            slackWebhookUrl: "https://hooks.slack.com/services/T0/B0/CANARYSLACK",
            pagerdutyRoutingKey: "CANARYPAGERDUTY0123456789",
            heartbeatUrl: "https://hc-ping.example.com/CANARYHEARTBEAT",
            runbookBaseUrl: "https://git.example.org/sre/stella-monitoring/blob/main/docs/runbooks",
        }),
        loki: secret({
            replicas: 3,
            objectStorage: {
                region: "eu-central-1",
                bucketNames: { chunks: "chunks", ruler: "ruler", admin: "admin" },
                accessKeyId: "AKIA",
                secretAccessKey: "CANARY-S3",
            },
        }),
        jaeger: secret({
            storage: { type: "opensearch", serverUrls: ["https://os:9200"], username: "jaeger", password: "CANARY-ES" },
        }),
    };
}

/** The ConfigError a config is refused with; fails the test when it is accepted. */
export function failure(stack: string, entries: Record<string, RawEntry>): ConfigError {
    try {
        parseStackConfig(stack, entries);
    } catch (error) {
        assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
        return error;
    }
    assert.fail("expected the config to be refused");
}
