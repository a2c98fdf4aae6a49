// Loading from the Pulumi runtime (config/load.ts): the values of the project's namespace, and which of
// them Pulumi holds as secrets, which the SDK tells through no public accessor.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { loadConfig } from "../config/load";

const alerting = JSON.stringify({ slackWebhookUrl: "https://hooks.slack.com/services/T0/B0/CANARY" });
const config = { "stella-monitoring:environment": "dev", "stella-monitoring:alerting": alerting };

describe("loadConfig", () => {
    it("takes a key Pulumi holds as a secret, its secrets as secret Outputs", async () => {
        pulumi.runtime.setAllConfig(config, ["stella-monitoring:alerting"]);
        const slack = loadConfig().alerting.slackWebhookUrl;
        assert.ok(slack !== undefined && pulumi.Output.isInstance(slack));
        assert.equal(await pulumi.isSecret(slack), true);
    });

    it("refuses the same key set in plain text, naming the secret", () => {
        pulumi.runtime.setAllConfig(config, []);
        assert.throws(
            () => loadConfig(),
            (error: Error) =>
                error.message.includes(
                    "alerting.slackWebhookUrl: must be set as a secret: pulumi config set --secret --path alerting.slackWebhookUrl <value>",
                ) && !error.message.includes("CANARY"),
        );
    });
});
