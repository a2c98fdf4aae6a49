// The config's secrets: the schema marks them (config/secrets.ts), they parse into secret Outputs, a
// secret set in plain text is refused, and no message echoes one.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { parseStackConfig } from "../config/parse";
import { configSchema, secretPaths } from "../config/schema";
import { schemaSecretPaths, secretPathText } from "../config/secrets";
import { failure, plain, prodEntries, secret } from "./support/config-fixtures";

describe("config secrets", () => {
    it("finds the secrets by walking the schema: exactly these paths", () => {
        const expected = [
            "prometheus.remoteWrite[].basicAuth.password",
            "prometheus.remoteWrite[].bearerToken",
            "alerting.slackWebhookUrl",
            "alerting.pagerdutyRoutingKey",
            "alerting.heartbeatUrl",
            "loki.objectStorage.secretAccessKey",
            "jaeger.storage.password",
            "grafana.database.password",
            "grafana.sso.clientSecret",
        ];
        assert.deepEqual(schemaSecretPaths(configSchema).map(secretPathText), expected);
        assert.deepEqual(secretPaths.map(secretPathText), expected);
    });

    it("refuses every secret set in plain text, those outside lists first, then each list item's", () => {
        const error = failure("dev", {
            alerting: plain({ heartbeatUrl: "https://hc-ping.example.com/CANARY" }),
            prometheus: plain({
                remoteWrite: [
                    { name: "a", url: "https://a.example.com", basicAuth: { username: "u", password: "CANARY" } },
                    { name: "b", url: "https://b.example.com", bearerToken: "CANARY" },
                ],
            }),
            grafana: plain({
                database: { type: "postgres", host: "pg:5432", name: "g", user: "g", password: "CANARY" },
            }),
        });
        assert.deepEqual(error.problems, [
            "alerting.heartbeatUrl: must be set as a secret: pulumi config set --secret --path alerting.heartbeatUrl <value>",
            "grafana.database.password: must be set as a secret: pulumi config set --secret --path grafana.database.password <value>",
            "prometheus.remoteWrite[0].basicAuth.password: must be set as a secret: pulumi config set --secret --path 'prometheus.remoteWrite[0].basicAuth.password' <value>",
            "prometheus.remoteWrite[1].bearerToken: must be set as a secret: pulumi config set --secret --path 'prometheus.remoteWrite[1].bearerToken' <value>",
        ]);
    });

    it("turns every secret into a secret Output", async () => {
        const config = parseStackConfig("prod", prodEntries());
        for (const output of [
            config.alerting.slackWebhookUrl,
            config.alerting.pagerdutyRoutingKey,
            config.loki.objectStorage?.secretAccessKey,
            config.jaeger.storage.password,
        ]) {
            assert.ok(output !== undefined && pulumi.Output.isInstance(output));
            assert.equal(await pulumi.isSecret(output), true);
        }
    });

    it("takes the heartbeat URL as a secret only, and only as a URL", () => {
        const entries = prodEntries();
        const alerting = entries.alerting?.value as Record<string, unknown>;
        const inPlainText = failure("prod", { ...entries, alerting: plain(alerting) });
        assert.ok(
            inPlainText.problems.some((problem) =>
                problem.startsWith("alerting.heartbeatUrl: must be set as a secret"),
            ),
        );
        const notAUrl = failure("prod", { ...entries, alerting: secret({ ...alerting, heartbeatUrl: "CANARY" }) });
        assert.ok(
            notAUrl.problems.some((problem) => problem.startsWith("alerting.heartbeatUrl:")),
            notAUrl.message,
        );
        assert.doesNotMatch(notAUrl.message, /CANARY/, "a secret value leaked into the error");
    });

    it("takes remote-write credentials only as secrets, never echoing them", async () => {
        const target = { name: "mimir", url: "https://mimir.example.com/api/v1/push" };
        const config = parseStackConfig("dev", {
            prometheus: secret({
                remoteWrite: [
                    {
                        ...target,
                        headers: { "X-Scope-OrgID": "stella-dev" },
                        basicAuth: { username: "u", password: "CANARY-RW" },
                    },
                    { name: "thanos", url: "https://thanos.example.com/api/v1/receive", bearerToken: "CANARY-TOKEN" },
                ],
            }),
        });
        const [mimir, thanos] = config.prometheus.remoteWrite;
        assert.deepEqual(mimir?.headers, { "X-Scope-OrgID": "stella-dev" });
        assert.ok(mimir?.basicAuth !== undefined && pulumi.Output.isInstance(mimir.basicAuth.password));
        assert.equal(await pulumi.isSecret(mimir.basicAuth.password), true);
        assert.ok(thanos?.bearerToken !== undefined && (await pulumi.isSecret(thanos.bearerToken)));

        const plainText = failure("dev", {
            prometheus: plain({ remoteWrite: [{ ...target, bearerToken: "CANARY-TOKEN" }] }),
        });
        assert.match(plainText.message, /prometheus\.remoteWrite\[0\]\.bearerToken: must be set as a secret/);
        const both = failure("dev", {
            prometheus: secret({
                remoteWrite: [
                    { ...target, bearerToken: "CANARY-T", basicAuth: { username: "u", password: "CANARY-P" } },
                ],
            }),
        });
        assert.match(both.message, /prometheus\.remoteWrite\[0\]\.bearerToken: set basicAuth or bearerToken, not both/);
        const noPassword = failure("dev", {
            prometheus: plain({ remoteWrite: [{ ...target, basicAuth: { username: "u" } }] }),
        });
        assert.match(noPassword.message, /prometheus\.remoteWrite\[0\]\.basicAuth\.password: required with basicAuth/);
        const wrongType = failure("dev", { prometheus: secret({ remoteWrite: [{ ...target, bearerToken: 12345 }] }) });
        assert.match(
            wrongType.message,
            /prometheus\.remoteWrite\[0\]\.bearerToken: expected text, got a number \(value not shown: it is a secret\)/,
        );
        const header = failure("dev", {
            prometheus: plain({ remoteWrite: [{ ...target, headers: { Authorization: "Bearer x" } }] }),
        });
        assert.match(
            header.message,
            /prometheus\.remoteWrite\[0\]\.headers\.Authorization: .*bearerToken or basicAuth/,
        );
        const twice = failure("dev", {
            prometheus: plain({ remoteWrite: [target, { ...target, url: "https://b.example.com/push" }] }),
        });
        assert.match(twice.message, /prometheus\.remoteWrite\[1\]\.name: "mimir" names another target already/);
        for (const error of [plainText, both, wrongType, header]) assert.doesNotMatch(error.message, /CANARY|12345/);
    });
});
