export { canaries, canaryOverrides } from "./support/stack-fixtures"; // moved: delete once its importers import test/support
