// Pulumi mocks that stand in for the engine, and only for the engine: every resource the program
// registers is recorded exactly as the engine would receive it (type, name, parent, dependencies,
// provider and inputs, with secrets still marked as secrets). An invoke the program was not expected
// to make fails loudly, so a new data-source call cannot slip through untested.

import * as pulumi from "@pulumi/pulumi";

/** The signature keys of Pulumi's wire format (sdk/nodejs/runtime/rpc.ts). */
const specialSigKey = "4dabf18193072939515e22adb298388d";
const secretSig = "1b47061264138c4ac30d75fd1eb44270";
const resourceReferenceSig = "5cf8f73096256a8f31e491e813e4eb8e";
const unknownValue = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** How a secret is written in every rendered file. */
export const redacted = "[secret]";

export interface RegisteredResource {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    /** The parent's URN; null for the stack's direct children. */
    readonly parent: string | null;
    /** Explicit dependencies (dependsOn): the dependencies that no input property carries. */
    readonly dependsOn: string[];
    /** The provider's URN, or null for the default provider. */
    readonly provider: string | null;
    readonly custom: boolean;
    /** Whether `pulumi destroy` refuses to delete it (the protect option). */
    readonly protect: boolean;
    /** The inputs with every secret replaced by "[secret]". */
    readonly inputs: Record<string, unknown>;
    /** The inputs in plain text: for tests that look for canary secrets. Never written anywhere. */
    readonly plainInputs: Record<string, unknown>;
    /** Dotted paths of the inputs that arrived as secrets. */
    readonly secretInputPaths: string[];
}

/** Decodes the wire format: secrets are redacted (and their paths noted), resource references become URNs. */
function decode(value: unknown, path: string, secretPaths: string[], reveal: boolean): unknown {
    if (value === unknownValue) return "[unknown]";
    if (Array.isArray(value)) return value.map((item, index) => decode(item, `${path}[${index}]`, secretPaths, reveal));
    if (value !== null && typeof value === "object") {
        const object = value as Record<string, unknown>;
        if (object[specialSigKey] === secretSig) {
            if (!reveal) secretPaths.push(path);
            return reveal ? decode(object.value, path, [], true) : redacted;
        }
        if (object[specialSigKey] === resourceReferenceSig) return object.urn;
        return Object.fromEntries(
            Object.entries(object).map(([key, child]) => [
                key,
                decode(child, path === "" ? key : `${path}.${key}`, secretPaths, reveal),
            ]),
        );
    }
    return value;
}

/** Deterministic stand-ins for what providers would compute. */
function outputsFor(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    switch (type) {
        case "random:index/randomPassword:RandomPassword":
            return { ...inputs, result: `mock-password-${name}`, bcryptHash: `mock-bcrypt-${name}` };
        case "kubernetes:core/v1:Secret":
            // The API server gives every object a resourceVersion; workloads roll on its change.
            return { ...inputs, metadata: { ...(inputs.metadata as object), resourceVersion: `${name}-v1` } };
        case "kubernetes:helm.sh/v3:Release":
            return {
                ...inputs,
                status: {
                    name: inputs.name,
                    namespace: inputs.namespace,
                    status: "deployed",
                    version: inputs.version,
                    revision: 1,
                },
            };
        default:
            return inputs;
    }
}

/** The mocks plus the list of what was registered, in registration order. */
export class RecordingMocks implements pulumi.runtime.Mocks {
    readonly resources: RegisteredResource[] = [];
    private inFlight = 0;

    newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
        return {
            id: `${args.name}-id`,
            state: outputsFor(args.type, args.name, args.inputs as Record<string, unknown>),
        };
    }

    call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
        throw new Error(
            `unexpected invoke ${args.token}: the program makes no provider calls; mock it deliberately if it should`,
        );
    }

    /**
     * Installs the recorder on the mock monitor that `setMocks` created. The Mocks interface shows
     * neither parents nor dependencies, so the recorder reads the engine's request itself.
     */
    attach(): void {
        const monitor = pulumi.runtime.getMonitor() as unknown as {
            registerResource(
                request: RegisterResourceRequest,
                callback: (error: unknown, response: RegisterResourceResponse | undefined) => void,
            ): Promise<void>;
        };
        const original = monitor.registerResource.bind(monitor);
        monitor.registerResource = (request, callback) => {
            this.inFlight++;
            return original(request, (error, response) => {
                this.inFlight--;
                if (response !== undefined) this.record(request, response.getUrn());
                callback(error, response);
            });
        };
    }

    private record(request: RegisterResourceRequest, urn: string): void {
        const carried = new Set<string>();
        request
            .getPropertydependenciesMap()
            .forEach((dependencies) => dependencies.getUrnsList().forEach((dependency) => carried.add(dependency)));
        const raw = request.getObject()?.toJavaScript() ?? {};
        const secretInputPaths: string[] = [];
        const providerReference = request.getProvider();
        this.resources.push({
            urn,
            type: request.getType(),
            name: request.getName(),
            parent: request.getParent() === "" ? null : request.getParent(),
            dependsOn: request.getDependenciesList().filter((dependency) => !carried.has(dependency)),
            // A provider reference is "<urn>::<id>".
            provider: providerReference === "" ? null : providerReference.slice(0, providerReference.lastIndexOf("::")),
            custom: request.getCustom(),
            protect: request.getProtect() === true,
            inputs: decode(raw, "", secretInputPaths, false) as Record<string, unknown>,
            plainInputs: decode(raw, "", [], true) as Record<string, unknown>,
            secretInputPaths,
        });
    }

    /** Resolves once no registration is under way and none started for a few turns of the event loop. */
    async settled(): Promise<void> {
        let quietTurns = 0;
        while (quietTurns < 5) {
            await new Promise((resolve) => setImmediate(resolve));
            quietTurns = this.inFlight === 0 ? quietTurns + 1 : 0;
        }
    }
}

// The parts of the engine's protobuf request and response the recorder reads.
interface RegisterResourceRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getProtect(): boolean | undefined;
    getProvider(): string;
    getDependenciesList(): string[];
    getPropertydependenciesMap(): {
        forEach(callback: (value: { getUrnsList(): string[] }, key: string) => void): void;
    };
    getObject(): { toJavaScript(): Record<string, unknown> } | undefined;
}
interface RegisterResourceResponse {
    getUrn(): string;
}
