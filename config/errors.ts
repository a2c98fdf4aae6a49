import * as pulumi from "@pulumi/pulumi";

/** A configuration error: it names the key. A RunError, so Pulumi prints it without a stack trace. */
export class ConfigError extends pulumi.RunError {
    constructor(readonly problems: string[]) {
        super(`invalid stack configuration:\n  - ${problems.join("\n  - ")}`);
        this.name = "ConfigError";
    }
}
